/**
 * `GET /export/{instance}/{target}` (issue 4, docs/formats.md): one generated firewall / proxy
 * file, e.g. `/export/Worldwide/list?file=ipv4&categories=Optimize` as a Palo Alto EDL source.
 * Query parameters (names case-insensitive, as on the web-service routes): version, categories,
 * serviceAreas, requiredOnly, family (4|6), tenantName (repeatable), includePending, aggregate (default true),
 * onUnsupported (error|warn|skip, default error → 422 ERR_UNSUPPORTED_PATTERN), name, file,
 * squidDir, push (openvpn), interface (windows-routes), ipset and setTimeout (dnsmasq),
 * includeObserved and grace (labelled entries, service/device-view.ts). A multi-file target
 * needs `file=` (400 lists the names).
 * What was aggregated or left out is reported in `X-Ipurl-*` headers (the list formats have no
 * comment syntax to carry it). Answers are prepared bytes (service/export-file.ts, reply.ts).
 */
import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../core/duration.js';
import { parseServiceAreas } from '../../core/service-areas.js';
import {
  parseCategories,
  parseFamily,
  parseMaxEntries,
  parseUnsupportedPolicy,
  type ExportRequest,
} from '../../service/export.js';
import { parseGrace } from '../../service/device-view.js';
import { exportFile } from '../../service/export-file.js';
import type { ServerDeps } from '../deps.js';
import { sendPrepared } from '../reply.js';
import { getBoolean, getParam, getValue, getValues, parseRawQuery, splitUrl } from '../query.js';

export function register(app: FastifyInstance, deps: ServerDeps): void {
  const cacheControl = `public, max-age=${deps.config.cacheMaxAgeSeconds}`;
  app.get<{ Params: { instance: string; target: string } }>(
    '/export/:instance/:target',
    async (request, reply) => {
      const query = parseRawQuery(splitUrl(request.raw.url ?? '').query);
      const value = (name: string): string | undefined => getValue(query, name);
      const categories = value('categories');
      const serviceAreas = value('serviceAreas');
      const areas =
        serviceAreas === undefined ? undefined : parseServiceAreas(serviceAreas, 'serviceAreas');
      const family = value('family');
      const tenantNames = getValues(query, 'tenantName');
      const onUnsupported = value('onUnsupported');
      const version = value('version');
      const name = value('name');
      const file = value('file');
      const squidDir = value('squidDir');
      const interfaceAlias = value('interface');
      const setTimeout = value('setTimeout');
      const maxEntries = value('maxEntries');
      const grace = value('grace');
      const includeObserved = getBoolean(query, 'includeObserved');
      const graceSeconds = grace === undefined ? undefined : parseGrace(grace, 'grace');
      const exportRequest: ExportRequest = {
        instance: request.params.instance,
        target: request.params.target,
        ...(version !== undefined ? { version } : {}),
        ...(categories !== undefined ? { categories: parseCategories(categories) } : {}),
        ...(areas !== undefined ? { serviceAreas: areas } : {}),
        requiredOnly: getBoolean(query, 'requiredOnly'),
        ...(family !== undefined ? { family: parseFamily(family) } : {}),
        ...(tenantNames !== undefined ? { tenantNames } : {}),
        includePending: getBoolean(query, 'includePending'),
        // Aggregation is on unless `aggregate=false`.
        aggregate:
          getParam(query, 'aggregate') === undefined ? true : getBoolean(query, 'aggregate'),
        ...(onUnsupported !== undefined
          ? { onUnsupported: parseUnsupportedPolicy(onUnsupported) }
          : {}),
        ...(name !== undefined ? { name } : {}),
        ...(squidDir !== undefined ? { squidDir } : {}),
        ...(getBoolean(query, 'push') ? { push: true } : {}),
        ...(interfaceAlias !== undefined ? { interfaceAlias } : {}),
        ...(getBoolean(query, 'ipset') ? { ipset: true } : {}),
        ...(setTimeout !== undefined
          ? { setTimeout: parseDuration(setTimeout, 'setTimeout') }
          : {}),
        ...(maxEntries !== undefined ? { maxEntries: parseMaxEntries(maxEntries) } : {}),
        ...(getParam(query, 'mergeAcrossPorts') !== undefined
          ? { mergeAcrossPorts: getBoolean(query, 'mergeAcrossPorts') }
          : {}),
        // A single-file target needs no `file`; exportEndpoints selects and applies the policy.
        ...(file !== undefined ? { file } : {}),
        singleFile: true,
        ...(includeObserved || graceSeconds !== undefined
          ? {
              device: {
                ...(includeObserved
                  ? { includeObserved: true, observations: deps.observations ?? deps.store }
                  : {}),
                ...(graceSeconds !== undefined ? { graceSeconds } : {}),
              },
            }
          : {}),
      };
      const prepared = await exportFile(deps.webService.catalog, exportRequest);
      // Observations change without moving the store revision the URL memo follows.
      if (!includeObserved) deps.urlMemo?.remember(request.raw.url, { prepared });
      return sendPrepared(request, reply, prepared, cacheControl);
    },
  );
}
