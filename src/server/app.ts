/**
 * Builds the fastify app from injected dependencies; never listens by itself (the caller, CLI or
 * test, decides where and when). The error handler, 404 and 405 are generic: any route that throws
 * an IpurlError gets the JSON error shape (docs/api.md, "Errors") with the status from
 * http-errors.ts, and nothing a client sends becomes a 5xx (framework and connection-level errors
 * are mapped too).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { LogController } from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IpurlError, describeValue } from '../core/errors.js';
import type { ServerDeps } from './deps.js';
import { createFastPath, createUrlMemo, rememberRefusal } from './fast-path.js';
import { errorBody, toHttpError } from './http-errors.js';
import { registerMetrics } from './metrics.js';
import { routes } from './routes/index.js';
import { isCachedRefusal } from '../service/prepared.js';
import { recentObservations } from '../service/recent-observations.js';

const DEBUG_LEVELS: ReadonlySet<string> = new Set(['debug', 'trace']);

/** Path patterns of every registered route with its methods, for the generic 405. */
interface RoutePattern {
  readonly regex: RegExp;
  readonly methods: Set<string>;
}

/** `/changes/:instance/:version` → a regex over a concrete path (case-insensitive, optional `/`). */
function patternToRegex(url: string): RegExp {
  const source = url
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) return '[^/]+';
      if (segment === '*') return '.*';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`, 'i');
}

/**
 * Send the JSON error shape; error bodies are never cached (docs/errors.md). A refused body (401
 * without the admin token, 413 too large) also closes the connection: the rest of the body is
 * never read.
 */
export function sendError(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  if (status === 401 || status === 413) void reply.header('connection', 'close');
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(body));
}

/** Reject a connection-level parse failure (oversized headers, NUL bytes, broken request line). */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  const message =
    status === 431
      ? 'the request line or headers are too large (the URL is limited to about 16 KB)'
      : status === 408
        ? 'the request was not received in time'
        : 'the request is not valid HTTP/1.1 (for example a raw control character in the URL)';
  const body = JSON.stringify(
    errorBody(status === 431 ? 'ERR_PAYLOAD_TOO_LARGE' : 'ERR_INVALID_PARAMETER', message),
  );
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export async function createApp(given: ServerDeps): Promise<FastifyInstance> {
  // Read routes tell the memo which prepared answer a URL got; the fast path answers from it.
  const memo =
    given.config.fastPath === false
      ? undefined
      : createUrlMemo(() => given.webService.revision(), given.now ?? Date.now);
  const deps: ServerDeps = {
    ...given,
    observations: given.observations ?? recentObservations(given.store),
    ...(memo === undefined ? {} : { urlMemo: memo }),
  };
  const fastPath = memo === undefined ? undefined : createFastPath(deps, memo);
  const app = Fastify({
    logger: deps.logger ?? false,
    // The cached-response fast path (fast-path.ts) sits in front of fastify on real sockets;
    // app.inject and everything it declines go through fastify. The server is ours either way, so
    // its limits are set here: a connection cap and short header/request deadlines (a slow
    // client cannot hold connections for minutes), checked every second.
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
      const server = createServer(
        {
          headersTimeout: deps.config.headersTimeoutMs ?? 10_000,
          requestTimeout: deps.config.requestTimeoutMs ?? 30_000,
          connectionsCheckingInterval: 1000,
        },
        fastPath === undefined
          ? handler
          : (req, res) => {
              if (!fastPath(req, res)) handler(req, res);
            },
      );
      server.maxConnections = deps.config.maxConnections ?? 10_000;
      // What fastify sets on servers it creates itself (its keepAliveTimeout default).
      server.keepAliveTimeout = 72_000;
      return server;
    },
    // Per-request lines are written by the onResponse hook below, cheaply (hot routes at debug).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.config.trustProxy ?? false,
    routerOptions: {
      // `/endpoints/Worldwide/` (Get-PacFile sends it) must work; route names match in any case.
      ignoreTrailingSlash: true,
      // A real importer calls `//endpoints/Worldwide`, which the live service answers.
      ignoreDuplicateSlashes: true,
      caseSensitive: false,
      maxParamLength: 256,
    },
    clientErrorHandler,
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      // FST_ERR_BAD_URL: a path segment that is not valid percent-encoding (`/endpoints/%ZZ`).
      const message =
        error.code === 'FST_ERR_BAD_URL'
          ? `the path ${JSON.stringify(describeValue(request.raw.url ?? ''))} is not valid percent-encoded UTF-8`
          : error.message;
      void sendError(reply, 400, errorBody('ERR_INVALID_PARAMETER', message));
    },
  });

  const patterns: RoutePattern[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const regex = patternToRegex(route.url ?? route.path);
    const existing = patterns.find((p) => p.regex.source === regex.source);
    const target = existing ?? { regex, methods: new Set<string>() };
    for (const method of methods) target.methods.add(method.toUpperCase());
    if (target.methods.has('GET')) target.methods.add('HEAD');
    if (!existing) patterns.push(target);
  });

  // One JSON line per rejected or failed request; successful ones only at debug level, and the
  // entry object is built only when the line is written (the hot path stays allocation-light).
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    if (status >= 400 || DEBUG_LEVELS.has(request.log.level)) {
      const entry = {
        method: request.method,
        url: request.url,
        statusCode: status,
        ms: Math.round(reply.elapsedTime),
      };
      if (status >= 500) request.log.error(entry, 'request failed');
      else if (status >= 400) request.log.info(entry, 'request rejected');
      else request.log.debug(entry, 'request completed');
    }
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toHttpError(error);
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    // (perf) A refusal the prepared cache repeats is answered by the fast path next time.
    if (memo !== undefined && request.method === 'GET' && isCachedRefusal(error)) {
      const { url } = request.raw;
      rememberRefusal(memo, url, request.headers['accept-language'], status, JSON.stringify(body));
    }
    return sendError(reply, status, body);
  });

  app.setNotFoundHandler((request, reply) => {
    const rawUrl = request.raw.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const allowed = new Set<string>();
    for (const pattern of patterns) {
      if (pattern.regex.test(path)) for (const method of pattern.methods) allowed.add(method);
    }
    if (allowed.size > 0 && !allowed.has(request.method)) {
      const allow = [...allowed].sort().join(', ');
      void reply.header('allow', allow);
      return sendError(
        reply,
        405,
        errorBody(
          'ERR_METHOD_NOT_ALLOWED',
          `method ${request.method} is not allowed on ${describeValue(path)}; allowed: ${allow}`,
        ),
      );
    }
    if (deps.config.adminToken === undefined && /^\/admin(\/|$)/i.test(path)) {
      // The admin API is off: say how to turn it on, and nothing else about it.
      return sendError(
        reply,
        404,
        errorBody(
          'ERR_NOT_FOUND',
          'the admin API is off on this server: start ipurl serve with IPURL_ADMIN_TOKEN set to turn it on (docs/publishing.md)',
        ),
      );
    }
    return sendError(
      reply,
      404,
      errorBody(
        'ERR_NOT_FOUND',
        `no route ${request.method} ${describeValue(path)}; the web service answers GET /version, /version/{instance}, /endpoints/{instance} and /changes/{instance}/{version} (docs/api.md)`,
      ),
    );
  });

  if (deps.metrics) registerMetrics(app, deps.metrics);
  for (const register of routes) await register(app, deps);
  return app;
}

/** Throwable 404 for route code that finds nothing. */
export function notFound(what: string): IpurlError {
  return new IpurlError('ERR_NOT_FOUND', what);
}
