/**
 * The three web methods (SPEC §3–§5, §11): `/version[/{instance}]`, `/endpoints/{instance}`,
 * `/changes/{instance}/{version}`. Handlers only parse the raw query (query.ts), ask the web
 * service for prepared bytes and send them with their caching headers (SPEC §11.3); no
 * serialization or filtering happens here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IpurlError, describeValue } from '../../core/errors.js';
import { parseTenantName } from '../../core/tenant.js';
import { isVersionId } from '../../core/version-id.js';
import type { PreparedResponse } from '../../service/web-service.js';
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

interface InstanceParams {
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

function acceptsGzip(request: FastifyRequest): boolean {
  const header = request.headers['accept-encoding'];
  return (
    typeof header === 'string' &&
    /\bgzip\b/i.test(header) &&
    !/\bgzip\s*;\s*q=0(\.0*)?\s*(,|$)/i.test(header)
  );
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
    let body = prepared.body;
    let etag = prepared.etag;
    void reply.header('vary', 'Accept-Encoding');
    if (acceptsGzip(request)) {
      const gz = prepared.gzip();
      body = gz.body;
      etag = gz.etag;
      void reply.header('content-encoding', 'gzip');
    }
    void reply.header('cache-control', cacheControl).header('etag', etag);
    if (
      etagMatches(request.headers['if-none-match'], [
        prepared.etag,
        `${prepared.etag.slice(0, -1)}-gz"`,
      ])
    ) {
      return reply.code(304).removeHeader('content-encoding').send();
    }
    return reply.header('content-type', prepared.contentType).send(body);
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

  /** SPEC §11.6: `?Instance=` where the route has no instance segment. */
  function instanceFrom(params: InstanceParams, query: RawQuery): string | undefined {
    return params.instance ?? getValue(query, 'Instance');
  }

  function requireInstance(params: InstanceParams, query: RawQuery, route: string): string {
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

  const version = (request: FastifyRequest<{ Params: InstanceParams }>, reply: FastifyReply) => {
    const query = queryOf(request);
    const clientRequestId = getClientRequestId(query);
    const instance = instanceFrom(request.params, query);
    const format = getFormat(query, ['JSON', 'CSV', 'RSS'] as const);
    const allVersions = getBoolean(query, 'AllVersions');
    return answer(
      request,
      reply,
      webService.version({
        ...(instance === undefined ? {} : { instance }),
        allVersions,
        format,
        clientRequestId,
      }),
    );
  };

  const endpoints = async (
    request: FastifyRequest<{ Params: InstanceParams }>,
    reply: FastifyReply,
  ) => {
    const query = queryOf(request);
    const clientRequestId = getClientRequestId(query);
    const instance = requireInstance(request.params, query, '/endpoints');
    const format = getFormat(query, ['JSON', 'CSV'] as const);
    const serviceAreas = getServiceAreas(query);
    const tenantRaw = getValue(query, 'TenantName');
    const tenantName = tenantRaw === undefined ? undefined : parseTenantName(tenantRaw);
    const noIPv6 = getBoolean(query, 'NoIPv6');
    // An unknown instance is a 400 before the request is counted.
    webService.instance(instance);
    await limit(request, reply, clientRequestId);
    return answer(
      request,
      reply,
      webService.endpoints({
        instance,
        ...(serviceAreas === undefined ? {} : { serviceAreas }),
        ...(tenantName === undefined ? {} : { tenantName }),
        noIPv6,
        format,
      }),
    );
  };

  const changes = async (
    request: FastifyRequest<{ Params: InstanceParams }>,
    reply: FastifyReply,
  ) => {
    const query = queryOf(request);
    const clientRequestId = getClientRequestId(query);
    const params = request.params;
    // `/changes/{version}?Instance=X`: the one segment is the version (SPEC §11.6).
    const routeInstance =
      params.version === undefined &&
      params.instance !== undefined &&
      /^\d+$/.test(params.instance) &&
      getValue(query, 'Instance') !== undefined
        ? undefined
        : params.instance;
    const instance = requireInstance(
      routeInstance === undefined ? {} : { instance: routeInstance },
      query,
      '/changes',
    );
    const versionRaw =
      params.version ??
      (routeInstance === undefined ? params.instance : undefined) ??
      getValue(query, 'Version');
    if (versionRaw === undefined) {
      throw new IpurlError(
        'ERR_MISSING_PARAMETER',
        'the version is missing: GET /changes/{instance}/{version}, where version is 10 digits YYYYMMDDNN (0000000000 = from the beginning)',
      );
    }
    if (!isVersionId(versionRaw)) {
      throw new IpurlError(
        'ERR_INVALID_VERSION',
        `version must be exactly 10 digits YYYYMMDDNN (0000000000 = from the beginning); received ${JSON.stringify(describeValue(versionRaw))}`,
      );
    }
    const format = getFormat(query, ['JSON', 'CSV'] as const);
    const singleVersion = getBoolean(query, 'singleVersion');
    webService.instance(instance);
    await limit(request, reply, clientRequestId);
    return answer(
      request,
      reply,
      webService.changes({ instance, version: versionRaw, singleVersion, format }),
    );
  };

  app.get('/version', version);
  app.get('/version/:instance', version);
  app.get('/endpoints', endpoints);
  app.get('/endpoints/:instance', endpoints);
  app.get('/changes', changes);
  app.get('/changes/:instance', changes);
  app.get('/changes/:instance/:version', changes);
}
