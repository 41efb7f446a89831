/**
 * `GET /lookup/{instance}?q=…[&q=…][&version=…]` (issue 5): is this IP, host or URL a Microsoft 365
 * endpoint, in which sets, and which category applies (Microsoft's priority rule: Optimize >
 * Allow > Default). Our extension, not part of Microsoft's service; JSON only,
 * `Cache-Control: no-cache` with a strong ETag (304) and gzip/brotli (reply.ts). A bad q is a 400
 * naming the value (docs/errors.md). `includeObserved` (flag) and
 * `grace` (e.g. 14d) add labelled entries (service/device-view.ts): each such match carries its
 * `origin`.
 */
import type { FastifyInstance } from 'fastify';
import { IpurlError } from '../../core/errors.js';
import { parseGrace } from '../../service/device-view.js';
import { createLookupService } from '../../service/lookup.js';
import type { ServerDeps } from '../deps.js';
import { sendPrepared } from '../reply.js';
import {
  decodeComponent,
  getBoolean,
  getParam,
  getValue,
  parseRawQuery,
  splitUrl,
} from '../query.js';

export function register(app: FastifyInstance, deps: ServerDeps): void {
  const service = createLookupService(deps.webService.catalog);
  const cacheControl = `public, max-age=${deps.config.cacheMaxAgeSeconds}`;
  app.get<{ Params: { instance: string } }>('/lookup/:instance', async (request, reply) => {
    const query = parseRawQuery(splitUrl(request.raw.url ?? '').query);
    const queries = (query.get('q') ?? []).map((raw) => {
      const value = decodeComponent(raw);
      if (value === undefined)
        throw new IpurlError(
          'ERR_INVALID_PARAMETER',
          `q ${JSON.stringify(raw)} is not valid percent-encoded UTF-8`,
        );
      return value;
    });
    const version = getParam(query, 'version');
    const includeObserved = getBoolean(query, 'includeObserved');
    const grace = getValue(query, 'grace');
    const graceSeconds = grace === undefined ? undefined : parseGrace(grace, 'grace');
    const device =
      includeObserved || graceSeconds !== undefined
        ? {
            ...(includeObserved
              ? { includeObserved: true, observations: deps.observations ?? deps.store }
              : {}),
            ...(graceSeconds !== undefined ? { graceSeconds } : {}),
          }
        : undefined;
    const prepared = await service.prepared(request.params.instance, queries, version, {
      device,
    });
    // Observations change without moving the store revision the URL memo follows.
    if (!includeObserved) deps.urlMemo?.remember(request.raw.url, { prepared });
    return sendPrepared(request, reply, prepared, cacheControl);
  });
}
