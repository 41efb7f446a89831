/**
 * The three web methods (SPEC §3–§5, §11): `/version[/{instance}]`, `/endpoints/{instance}`,
 * `/changes/{instance}/{version}`. Handlers only parse the raw query (query.ts), ask the web
 * service for prepared bytes and send them with their caching headers (SPEC §11.3); no
 * serialization or filtering happens here. The parsing and header functions are shared with the
 * fast path (fast-path.ts), so both answer byte for byte alike.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IpurlError, describeValue } from '../../core/errors.js';
import { parseTenantName } from '../../core/tenant.js';
import { isVersionId } from '../../core/version-id.js';
import type {
  ChangesRequest,
  EndpointsRequest,
  PreparedResponse,
  VersionRequest,
  WebService,
} from '../../service/web-service.js';
import type { ServerDeps } from '../deps.js';
import {
  getBoolean,
  getClientRequestId,
  getFormat,
  getServiceAreas,
  getValue,
  parseRawQuery,
  splitUrl,
  type RawQuery,
} from '../query.js';

export interface RouteParams {
  instance?: string;
  version?: string;
}

/** Does an If-None-Match list name one of our validators? (RFC 9110 §13.1.2: weak comparison.) */
export function etagMatches(header: string | undefined, etags: readonly string[]): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  for (const candidate of header.split(',')) {
    const tag = candidate.trim().replace(/^W\//, '');
    if (etags.includes(tag)) return true;
  }
  return false;
}

export function acceptsGzip(header: string | string[] | undefined): boolean {
  return (
    typeof header === 'string' &&
    /\bgzip\b/i.test(header) &&
    !/\bgzip\s*;\s*q=0(\.0*)?\s*(,|$)/i.test(header)
  );
}

export interface WireResponse {
  readonly status: 200 | 304;
  readonly headers: Record<string, string>;
  /** Undefined for 304. */
  readonly body: Buffer | undefined;
}

/** Status, headers and body for prepared bytes (SPEC §11.3: Cache-Control, ETag, 304). */
export function wireResponse(
  prepared: PreparedResponse,
  cacheControl: string,
  acceptEncoding: string | string[] | undefined,
  ifNoneMatch: string | undefined,
): WireResponse {
  const gzip = acceptsGzip(acceptEncoding) ? prepared.gzip() : undefined;
  const etag = gzip?.etag ?? prepared.etag;
  const base = { vary: 'Accept-Encoding', 'cache-control': cacheControl, etag };
  if (etagMatches(ifNoneMatch, [prepared.etag, `${prepared.etag.slice(0, -1)}-gz"`])) {
    return { status: 304, headers: base, body: undefined };
  }
  return {
    status: 200,
    headers:
      gzip === undefined
        ? { ...base, 'content-type': prepared.contentType }
        : { ...base, 'content-encoding': 'gzip', 'content-type': prepared.contentType },
    body: gzip?.body ?? prepared.body,
  };
}

/** SPEC §11.6: `?Instance=` where the route has no instance segment. */
function instanceFrom(params: RouteParams, query: RawQuery): string | undefined {
  return params.instance ?? getValue(query, 'Instance');
}

function requireInstance(
  params: RouteParams,
  query: RawQuery,
  route: string,
  webService: WebService,
): string {
  const instance = instanceFrom(params, query);
  if (instance === undefined) {
    throw new IpurlError(
      'ERR_MISSING_PARAMETER',
      `${route} needs an instance: ${route}/{instance} or ?Instance=; instances: ${webService
        .instances()
        .map((s) => s.instance)
        .join(', ')}`,
    );
  }
  return instance;
}

/** Parse and validate a /version request (SPEC §3.1). */
export function parseVersionRequest(params: RouteParams, query: RawQuery): VersionRequest {
  const clientRequestId = getClientRequestId(query);
  const instance = instanceFrom(params, query);
  const format = getFormat(query, ['JSON', 'CSV', 'RSS'] as const);
  const allVersions = getBoolean(query, 'AllVersions');
  return { ...(instance === undefined ? {} : { instance }), allVersions, format, clientRequestId };
}

/** Parse and validate an /endpoints request (SPEC §4.1); an unknown instance is a 400 here. */
export function parseEndpointsRequest(
  params: RouteParams,
  query: RawQuery,
  webService: WebService,
): { request: EndpointsRequest; clientRequestId: string } {
  const clientRequestId = getClientRequestId(query);
  const instance = requireInstance(params, query, '/endpoints', webService);
  const format = getFormat(query, ['JSON', 'CSV'] as const);
  const serviceAreas = getServiceAreas(query);
  const tenantRaw = getValue(query, 'TenantName');
  const tenantName = tenantRaw === undefined ? undefined : parseTenantName(tenantRaw);
  const noIPv6 = getBoolean(query, 'NoIPv6');
  webService.instance(instance);
  return {
    clientRequestId,
    request: {
      instance,
      ...(serviceAreas === undefined ? {} : { serviceAreas }),
      ...(tenantName === undefined ? {} : { tenantName }),
      noIPv6,
      format,
    },
  };
}

/** Parse and validate a /changes request (SPEC §5.1); an unknown instance is a 400 here. */
export function parseChangesRequest(
  params: RouteParams,
  query: RawQuery,
  webService: WebService,
): { request: ChangesRequest; clientRequestId: string } {
  const clientRequestId = getClientRequestId(query);
  // `/changes/{version}?Instance=X`: the one segment is the version (SPEC §11.6).
  const segmentIsVersion =
    params.version === undefined &&
    params.instance !== undefined &&
    /^\d+$/.test(params.instance) &&
    getValue(query, 'Instance') !== undefined;
  const routeInstance = segmentIsVersion ? undefined : params.instance;
  const instance = requireInstance(
    routeInstance === undefined ? {} : { instance: routeInstance },
    query,
    '/changes',
    webService,
  );
  const version =
    params.version ??
    (segmentIsVersion ? params.instance : undefined) ??
    getValue(query, 'Version');
  if (version === undefined) {
    throw new IpurlError(
      'ERR_MISSING_PARAMETER',
      'the version is missing: GET /changes/{instance}/{version}, where version is 10 digits YYYYMMDDNN (0000000000 = from the beginning)',
    );
  }
  if (!isVersionId(version)) {
    throw new IpurlError(
      'ERR_INVALID_VERSION',
      `version must be exactly 10 digits YYYYMMDDNN (0000000000 = from the beginning); received ${JSON.stringify(describeValue(version))}`,
    );
  }
  const format = getFormat(query, ['JSON', 'CSV'] as const);
  const singleVersion = getBoolean(query, 'singleVersion');
  webService.instance(instance);
  return { clientRequestId, request: { instance, version, singleVersion, format } };
}

export function register(app: FastifyInstance, deps: ServerDeps): void {
  const { webService, rateLimiter, config } = deps;
  const cacheControl = `public, max-age=${config.cacheMaxAgeSeconds}`;
  const now = deps.now ?? Date.now;

  function send(
    request: FastifyRequest,
    reply: FastifyReply,
    prepared: PreparedResponse,
  ): FastifyReply {
    const wire = wireResponse(
      prepared,
      cacheControl,
      request.headers['accept-encoding'],
      request.headers['if-none-match'],
    );
    return reply.code(wire.status).headers(wire.headers).send(wire.body);
  }

  function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    result: PreparedResponse | Promise<PreparedResponse>,
  ): FastifyReply | Promise<FastifyReply> {
    if (result instanceof Promise) return result.then((prepared) => send(request, reply, prepared));
    return send(request, reply, result);
  }

  function queryOf(request: FastifyRequest): RawQuery {
    return parseRawQuery(splitUrl(request.raw.url ?? '').query);
  }

  /** SPEC §11.2: fixed window per (client IP, normalised ClientRequestId) on /endpoints and /changes. */
  async function limit(
    request: FastifyRequest,
    reply: FastifyReply,
    clientRequestId: string,
  ): Promise<void> {
    if (config.rateLimit <= 0) return;
    const result = await rateLimiter.hit(`${request.ip}|${clientRequestId}`, now());
    void reply
      .header('x-ratelimit-limit', result.limit)
      .header('x-ratelimit-remaining', result.remaining)
      .header('x-ratelimit-reset', result.resetSeconds);
    if (!result.allowed) {
      void reply.header('retry-after', result.resetSeconds);
      throw new IpurlError(
        'ERR_RATE_LIMITED',
        `rate limit reached: ${result.limit} requests per ${config.rateLimitWindowSeconds / 60} minutes per client IP and ClientRequestId on /endpoints and /changes; retry in ${result.resetSeconds} seconds. Poll /version (not limited) and call /endpoints only when the version changed.`,
      );
    }
  }

  const version = (request: FastifyRequest<{ Params: RouteParams }>, reply: FastifyReply) =>
    answer(
      request,
      reply,
      webService.version(parseVersionRequest(request.params, queryOf(request))),
    );

  const endpoints = async (
    request: FastifyRequest<{ Params: RouteParams }>,
    reply: FastifyReply,
  ) => {
    const parsed = parseEndpointsRequest(request.params, queryOf(request), webService);
    await limit(request, reply, parsed.clientRequestId);
    return answer(request, reply, webService.endpoints(parsed.request));
  };

  const changes = async (request: FastifyRequest<{ Params: RouteParams }>, reply: FastifyReply) => {
    const parsed = parseChangesRequest(request.params, queryOf(request), webService);
    await limit(request, reply, parsed.clientRequestId);
    return answer(request, reply, webService.changes(parsed.request));
  };

  app.get('/version', version);
  app.get('/version/:instance', version);
  app.get('/endpoints', endpoints);
  app.get('/endpoints/:instance', endpoints);
  app.get('/changes', changes);
  app.get('/changes/:instance', changes);
  app.get('/changes/:instance/:version', changes);
}
