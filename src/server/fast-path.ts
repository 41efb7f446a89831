/**
 * The hot path of the web service, in front of fastify (DESIGN.md "hot paths never parse"; the
 * serve benchmark): a GET of `/version…`, `/endpoints/{instance}` or `/changes/{instance}/{version}`
 * whose prepared bytes are already cached is answered straight on the Node response, with exactly
 * the status, headers and body the fastify route would send (both use routes/web-service.ts).
 * Anything else — another method, an encoded or unusual path, a parameter error, a cache miss,
 * a rate-limited route while the limit is on — returns false and fastify handles the request
 * in full (errors, 404/405, logging, hooks).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PreparedResponse } from '../service/web-service.js';
import type { ServerDeps } from './deps.js';
import { parseRawQuery } from './query.js';
import {
  acceptsGzip,
  parseChangesRequest,
  parseEndpointsRequest,
  parseVersionRequest,
  wireResponse,
  type RouteParams,
} from './routes/web-service.js';

/** Plain segments only: anything percent-encoded or odd goes through fastify's router. */
const PATH = /^\/(version|endpoints|changes)(?:\/([A-Za-z0-9]+))?(?:\/([0-9]+))?\/?$/i;

export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createFastPath(deps: ServerDeps): FastPath {
  const { webService, config } = deps;
  const cacheControl = `public, max-age=${config.cacheMaxAgeSeconds}`;
  const limited = config.rateLimit > 0;

  function cachedFor(
    method: string,
    params: RouteParams,
    query: string,
  ): PreparedResponse | undefined {
    const raw = parseRawQuery(query);
    let result: PreparedResponse | Promise<PreparedResponse>;
    if (method === 'version') {
      if (params.version !== undefined) return undefined;
      result = webService.version(parseVersionRequest(params, raw));
    } else if (limited) {
      // The limiter is asynchronous (and may be shared through Redis): fastify's route does it.
      return undefined;
    } else if (method === 'endpoints') {
      if (params.version !== undefined) return undefined;
      result = webService.endpoints(parseEndpointsRequest(params, raw, webService).request);
    } else {
      result = webService.changes(parseChangesRequest(params, raw, webService).request);
    }
    // A miss renders in the background; fastify's route then joins the same render (and reports
    // its failure), so this copy of the promise only needs its rejection observed.
    if (result instanceof Promise) {
      result.catch(() => undefined);
      return undefined;
    }
    return result;
  }

  // Raw URL → its prepared response for the current store revision: a repeated URL (pollers send
  // the same one every time) skips parsing entirely. Small and bounded; dropped on a new revision.
  let byUrl = new Map<string, PreparedResponse>();
  const plainHeaders = new WeakMap<PreparedResponse, string[]>();
  let byUrlRevision: string | undefined;

  function lookup(url: string): PreparedResponse | undefined {
    const revision = webService.revision();
    if (revision !== byUrlRevision) {
      byUrl = new Map();
      byUrlRevision = revision;
    }
    const known = byUrl.get(url);
    if (known !== undefined) return known;
    const at = url.indexOf('?');
    const match = PATH.exec(at === -1 ? url : url.slice(0, at));
    if (match === null) return undefined;
    const params: RouteParams = {};
    if (match[2] !== undefined) params.instance = match[2];
    if (match[3] !== undefined) params.version = match[3];
    let prepared: PreparedResponse | undefined;
    try {
      prepared = cachedFor(match[1]!.toLowerCase(), params, at === -1 ? '' : url.slice(at + 1));
    } catch {
      // Parameter errors (and anything unexpected) are answered by fastify, with its error shape.
      return undefined;
    }
    if (prepared !== undefined && url.length <= 1024) {
      if (byUrl.size >= 256) byUrl.delete(byUrl.keys().next().value!);
      byUrl.set(url, prepared);
    }
    return prepared;
  }

  return (req, res) => {
    if (req.method !== 'GET') return false;
    const prepared = lookup(req.url ?? '');
    if (prepared === undefined) return false;
    const ifNoneMatch = req.headers['if-none-match'];
    const acceptEncoding = req.headers['accept-encoding'];
    if (
      ifNoneMatch !== undefined ||
      (acceptEncoding !== undefined && acceptsGzip(acceptEncoding))
    ) {
      const wire = wireResponse(prepared, cacheControl, acceptEncoding, ifNoneMatch);
      if (wire.body === undefined) {
        res.writeHead(wire.status, wire.headers);
        res.end();
      } else {
        res.writeHead(wire.status, { ...wire.headers, 'content-length': wire.body.length });
        res.end(wire.body);
      }
      return true;
    }
    // The common case (identity, unconditional): headers prepared once per response.
    let headers = plainHeaders.get(prepared);
    if (headers === undefined) {
      const wire = wireResponse(prepared, cacheControl, undefined, undefined);
      headers = Object.entries({
        ...wire.headers,
        'content-length': String(prepared.body.length),
      }).flat();
      plainHeaders.set(prepared, headers);
    }
    res.writeHead(200, headers);
    res.end(prepared.body);
    return true;
  };
}
