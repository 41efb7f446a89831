/**
 * `GET /pac/{instance}` (also `/pac/{instance}.pac`): a PAC file with Get-PacFile's parameters
 * (SPEC §8, issue 4): `type` (1|2), `proxy`, `direct`, `tenantName`, `serviceAreas`,
 * `lowercase` (flag), `style` (fast|get-pacfile), `version`. Names are case-insensitive like the
 * web-service routes (query.ts). Content-Type `application/x-ns-proxy-autoconfig`; cached like
 * the data responses (SPEC §11.3: Cache-Control, strong ETag, 304). Bad parameters are 400 with
 * the JSON error body of SPEC §11.1; a URL a PAC cannot carry is 422 ERR_UNSUPPORTED_PATTERN.
 */
import type { FastifyInstance } from 'fastify';
import { createPacService, parsePacParameters } from '../../service/pac.js';
import type { ServerDeps } from '../deps.js';
import { getBoolean, getValue, parseRawQuery, splitUrl } from '../query.js';
import { etagMatches } from './web-service.js';

export function register(app: FastifyInstance, deps: ServerDeps): void {
  const pacService = createPacService(deps.store);
  const cacheControl = `public, max-age=${deps.config.cacheMaxAgeSeconds}`;

  app.get<{ Params: { instance: string } }>('/pac/:instance', async (request, reply) => {
    const query = parseRawQuery(splitUrl(request.raw.url ?? '').query);
    const parameters = parsePacParameters({
      type: getValue(query, 'type'),
      proxy: getValue(query, 'proxy'),
      direct: getValue(query, 'direct'),
      tenantName: getValue(query, 'tenantName'),
      serviceAreas: getValue(query, 'serviceAreas'),
      lowercase: getBoolean(query, 'lowercase'),
      style: getValue(query, 'style'),
      version: getValue(query, 'version'),
    });
    const instance = request.params.instance.replace(/\.pac$/i, '');
    const pac = await pacService.render(instance, parameters);
    void reply
      .header('cache-control', cacheControl)
      .header('etag', pac.etag)
      .header('content-disposition', `inline; filename="${pac.instance}.pac"`)
      .header('x-ipurl-instance', pac.instance)
      .header('x-ipurl-version', pac.version);
    if (etagMatches(request.headers['if-none-match'], [pac.etag])) return reply.code(304).send();
    return reply.header('content-type', pac.contentType).send(pac.text);
  });
}
