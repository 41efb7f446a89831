/**
 * `GET /pac/{instance}` (also `/pac/{instance}.pac`): a PAC file with the parameters of
 * Microsoft's Get-PacFile script (docs/formats.md, "PAC files: routing by category, ExpressRoute,
 * several tenants"; issue 4): `type` (1|2), `proxy`, `direct`, `tenantName` (repeatable),
 * `serviceAreas`, `route` (repeatable `CATEGORY=RETURN`), `expressRoute` (flag), `lowercase`
 * (flag), `style` (fast|get-pacfile), `version`, `grace` (e.g. 14d: removed host patterns kept,
 * labelled in a comment; the answer then keys on today's date). Names are case-insensitive like
 * the web-service routes (query.ts). Content-Type `application/x-ns-proxy-autoconfig`; cached
 * like the data responses (docs/api.md, "Caching": Cache-Control, strong ETag, 304, gzip/brotli;
 * reply.ts). Bad parameters are 400 with the JSON error body of docs/errors.md; a URL a PAC cannot
 * carry is 422 ERR_UNSUPPORTED_PATTERN.
 */
import type { FastifyInstance } from 'fastify';
import { createPacService, parsePacParameters } from '../../service/pac.js';
import type { ServerDeps } from '../deps.js';
import { getBoolean, getValue, getValues, parseRawQuery, splitUrl } from '../query.js';
import { sendPrepared } from '../reply.js';

export function register(app: FastifyInstance, deps: ServerDeps): void {
  const pacService = createPacService(deps.webService.catalog);
  const cacheControl = `public, max-age=${deps.config.cacheMaxAgeSeconds}`;

  app.get<{ Params: { instance: string } }>('/pac/:instance', async (request, reply) => {
    const query = parseRawQuery(splitUrl(request.raw.url ?? '').query);
    const parameters = parsePacParameters({
      type: getValue(query, 'type'),
      proxy: getValue(query, 'proxy'),
      direct: getValue(query, 'direct'),
      tenantNames: getValues(query, 'tenantName'),
      routes: getValues(query, 'route'),
      expressRoute: getBoolean(query, 'expressRoute'),
      serviceAreas: getValue(query, 'serviceAreas'),
      lowercase: getBoolean(query, 'lowercase'),
      style: getValue(query, 'style'),
      version: getValue(query, 'version'),
      grace: getValue(query, 'grace'),
    });
    const instance = request.params.instance.replace(/\.pac$/i, '');
    const prepared = await pacService.prepared(instance, parameters);
    deps.urlMemo?.remember(request.raw.url, { prepared });
    return sendPrepared(request, reply, prepared, cacheControl);
  });
}
