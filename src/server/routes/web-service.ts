/**
 * The three web methods (docs/api.md): `/version[/{instance}]`, `/endpoints/{instance}`,
 * `/changes/{instance}/{version}`. Handlers only parse the raw query (query.ts), ask the web
 * service for prepared bytes and send them with their caching headers (docs/api.md, "Caching"); no
 * serialization or filtering happens here. The parsing and header functions are shared with the
 * fast path (fast-path.ts), and both send through reply.ts, so both answer byte for byte alike.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IpurlError } from '../../core/errors.js';
import { parseTenantName } from '../../core/tenant.js';
import { isVersionId } from '../../core/version-id.js';
import { malformedVersion } from '../../service/catalog.js';
import type {
  ChangesRequest,
  EndpointsRequest,
  PreparedResponse,
  VersionRequest,
  WebService,
} from '../../service/web-service.js';
import type { ServerConfig, ServerDeps } from '../deps.js';
import type { RateLimitResult } from '../rate-limit.js';
import { sendPrepared } from '../reply.js';
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

/** `?Instance=` where the route has no instance segment (docs/api.md, "Common conventions"). */
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

/** Parse and validate a /version request (docs/api.md, "GET /version"). */
export function parseVersionRequest(params: RouteParams, query: RawQuery): VersionRequest {
  const clientRequestId = getClientRequestId(query);
  const instance = instanceFrom(params, query);
  const format = getFormat(query, ['JSON', 'CSV', 'RSS'] as const);
  const allVersions = getBoolean(query, 'AllVersions');
  return { ...(instance === undefined ? {} : { instance }), allVersions, format, clientRequestId };
}

/**
 * Parse and validate an /endpoints request (docs/api.md, "GET /endpoints/{instance}"); an unknown
 * instance is a 400 here.
 */
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

/**
 * Parse and validate a /changes request (docs/api.md, "GET /changes/{instance}/{version}"); an
 * unknown instance is a 400 here.
 */
export function parseChangesRequest(
  params: RouteParams,
  query: RawQuery,
  webService: WebService,
): { request: ChangesRequest; clientRequestId: string } {
  const clientRequestId = getClientRequestId(query);
  // `/changes/{version}?Instance=X`: the one segment is the version (docs/api.md, `?Instance=`).
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
  if (!isVersionId(version)) throw malformedVersion(version);
  const format = getFormat(query, ['JSON', 'CSV'] as const);
  const singleVersion = getBoolean(query, 'singleVersion');
  webService.instance(instance);
  return { clientRequestId, request: { instance, version, singleVersion, format } };
}

/** The rate-limit key (docs/api.md, "Rate limit"): client IP and normalised ClientRequestId. */
/** X-RateLimit-* (and Retry-After when refused) as a flat [name, value, …] list. */
export function rateLimitHeaders(result: RateLimitResult): string[] {
  const headers = [
    'x-ratelimit-limit',
    String(result.limit),
    'x-ratelimit-remaining',
    String(result.remaining),
    'x-ratelimit-reset',
    String(result.resetSeconds),
  ];
  if (!result.allowed) headers.push('retry-after', String(result.resetSeconds));
  return headers;
}

/** The 429 of docs/api.md, "Rate limit" (the same words on the fastify route and the fast path). */
export function rateLimitError(result: RateLimitResult, config: ServerConfig): IpurlError {
  return new IpurlError(
    'ERR_RATE_LIMITED',
    `rate limit reached: ${result.limit} requests per ${config.rateLimitWindowSeconds / 60} minutes ${result.scope === 'ip' ? 'per client IP, across all its ClientRequestIds,' : 'per client IP and ClientRequestId'} on /endpoints and /changes (windows start at the top of the hour); retry in ${result.resetSeconds} seconds. Poll /version (not limited) and call /endpoints only when the version changed.`,
  );
}

export function register(app: FastifyInstance, deps: ServerDeps): void {
  const { webService, rateLimiter, config } = deps;
  const cacheControl = `public, max-age=${config.cacheMaxAgeSeconds}`;
  const now = deps.now ?? Date.now;

  /** Send prepared bytes, and let the fast path answer this URL next time (fast-path.ts). */
  function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    result: PreparedResponse | Promise<PreparedResponse>,
    clientRequestId?: string,
  ): FastifyReply | Promise<FastifyReply> {
    const send = (prepared: PreparedResponse) => {
      deps.urlMemo?.remember(
        request.raw.url,
        clientRequestId === undefined ? { prepared } : { prepared, clientRequestId },
      );
      return sendPrepared(request, reply, prepared, cacheControl);
    };
    return result instanceof Promise ? result.then(send) : send(result);
  }

  function queryOf(request: FastifyRequest): RawQuery {
    return parseRawQuery(splitUrl(request.raw.url ?? '').query);
  }

  /**
   * Fixed window per (client IP, normalised ClientRequestId) on /endpoints and /changes
   * (docs/api.md, "Rate limit").
   */
  async function limit(
    request: FastifyRequest,
    reply: FastifyReply,
    clientRequestId: string,
  ): Promise<void> {
    if (config.rateLimit <= 0) return;
    const result = await rateLimiter.hit(request.ip, clientRequestId, now());
    const headers = rateLimitHeaders(result);
    for (let i = 0; i < headers.length; i += 2) void reply.header(headers[i]!, headers[i + 1]!);
    if (!result.allowed) throw rateLimitError(result, config);
  }

  /** The ClientRequestId a rate-limited URL counts against (none while the limit is off). */
  const limitedId = (parsed: { clientRequestId: string }): string | undefined =>
    config.rateLimit > 0 ? parsed.clientRequestId : undefined;

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
    return answer(request, reply, webService.endpoints(parsed.request), limitedId(parsed));
  };

  const changes = async (request: FastifyRequest<{ Params: RouteParams }>, reply: FastifyReply) => {
    const parsed = parseChangesRequest(request.params, queryOf(request), webService);
    await limit(request, reply, parsed.clientRequestId);
    return answer(request, reply, webService.changes(parsed.request), limitedId(parsed));
  };

  app.get('/version', version);
  app.get('/version/:instance', version);
  app.get('/endpoints', endpoints);
  app.get('/endpoints/:instance', endpoints);
  app.get('/changes', changes);
  app.get('/changes/:instance', changes);
  app.get('/changes/:instance/:version', changes);
}
