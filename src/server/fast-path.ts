/**
 * The hot path of every read route, in front of fastify (a repeated request never parses, filters
 * or serializes again; the read-routes benchmark): a GET whose prepared bytes are already known
 * is answered straight on the Node response through reply.ts, with exactly the status, headers
 * and body the fastify route would send. Two ways to know them:
 * - the URL memo: every read route tells it which prepared answer a raw URL got (and, for the
 *   page, which Accept-Language), so a repeated URL (pollers and browsers send the same one every
 *   time) skips routing and parsing entirely. It is dropped with the store revision and at
 *   midnight UTC (exports leave out additions that are not effective yet);
 * - the web-service parsers (`/version`, `/endpoints`, `/changes`), so a new ClientRequestId
 *   asking for cached bytes is answered here too.
 * `/endpoints` and `/changes` count against the rate limit (docs/api.md, "Rate limit") here as
 * on the fastify route, when the limiter answers synchronously (the in-memory one) and the
 * client IP is the socket's; otherwise (Redis, trust proxy) the request goes to fastify.
 * Everything else (errors, misses) goes through fastify, with its error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PreparedResponse } from '../service/prepared.js';
import type { ServerDeps } from './deps.js';
import type { RateLimitResult } from './rate-limit.js';
import { errorBody } from './http-errors.js';
import { parseRawQuery } from './query.js';
import { writePrepared } from './reply.js';
import {
  parseChangesRequest,
  parseEndpointsRequest,
  parseVersionRequest,
  rateLimitError,
  rateLimitHeaders,
  type RouteParams,
} from './routes/web-service.js';

/** Plain segments only: anything percent-encoded or odd goes through fastify's router. */
// Repeated slashes count as one, as on fastify's router (ignoreDuplicateSlashes).
const PATH = /^\/+(version|endpoints|changes)(?:\/+([A-Za-z0-9]+))?(?:\/+([0-9]+))?\/*$/i;

export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface AnswerEntry {
  readonly prepared: PreparedResponse;
  /** Set on rate-limited routes: the normalised ClientRequestId the URL carries. */
  readonly clientRequestId?: string;
}

/** A cached refusal (prepared.ts `isCachedRefusal`) as the error handler sent it. */
export interface RefusalEntry {
  readonly refusal: {
    readonly status: number;
    readonly headers: readonly string[];
    readonly body: Buffer;
  };
}

export type MemoEntry = AnswerEntry | RefusalEntry;

/** Raw URL → the prepared answer it got, for the current revision and day. */
export interface UrlMemo {
  /** Remember a GET's answer; `acceptLanguage` when the answer followed that header (the page). */
  remember(url: string | undefined, entry: MemoEntry, acceptLanguage?: string | null): void;
  find(url: string, acceptLanguage: string | undefined): MemoEntry | undefined;
  readonly size: number;
}

const MAX_URL = 1024;
const DAY_MS = 86_400_000;

export function createUrlMemo(
  revision: () => string | undefined,
  now: () => number = Date.now,
  maxEntries = 4096,
): UrlMemo {
  let byUrl = new Map<string, MemoEntry>();
  let byLanguage = new Map<string, MemoEntry>();
  let validRevision: string | undefined;
  let validDay = -1;

  function current(): void {
    const rev = revision();
    const day = Math.floor(now() / DAY_MS);
    if (rev !== validRevision || day !== validDay) {
      byUrl = new Map();
      byLanguage = new Map();
      validRevision = rev;
      validDay = day;
    }
  }

  function put(map: Map<string, MemoEntry>, key: string, entry: MemoEntry): void {
    // Full: the oldest eighth goes at once (one key per insert would walk V8's deleted-entry
    // tombstones from the front of the Map on every new URL of a fresh-ClientRequestId flood).
    if (map.size >= maxEntries) {
      let drop = Math.ceil(maxEntries / 8);
      for (const old of map.keys()) {
        if (drop-- <= 0) break;
        map.delete(old);
      }
    }
    map.set(key, entry);
  }

  return {
    remember(url, entry, acceptLanguage) {
      if (url === undefined || url.length > MAX_URL) return;
      current();
      if (acceptLanguage === undefined) put(byUrl, url, entry);
      else put(byLanguage, `${url}\n${acceptLanguage ?? ''}`, entry);
    },
    find(url, acceptLanguage) {
      current();
      return (
        byUrl.get(url) ??
        (byLanguage.size === 0 ? undefined : byLanguage.get(`${url}\n${acceptLanguage ?? ''}`))
      );
    },
    get size() {
      return byUrl.size + byLanguage.size;
    },
  };
}

/**
 * Let the fast path repeat a refusal the error handler sent for a GET: only a refusal the
 * prepared cache repeats anyway (the same URL gets it until the revision changes), keyed by URL
 * and Accept-Language, and never on the rate-limited web-service routes (they count first).
 * `body` is the JSON text the error handler sent with `cache-control: no-store`.
 */
export function rememberRefusal(
  memo: UrlMemo,
  url: string | undefined,
  acceptLanguage: string | undefined,
  status: number,
  body: string,
): void {
  // 401/413 close the connection (app.ts sendError); a 5xx is never repeated from memory.
  if (url === undefined || status === 401 || status === 413 || status >= 500) return;
  const at = url.indexOf('?');
  if (PATH.test(at === -1 ? url : url.slice(0, at))) return;
  const bytes = Buffer.from(body, 'utf8');
  const headers = [
    'cache-control',
    'no-store',
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(bytes.length),
  ];
  memo.remember(url, { refusal: { status, headers, body: bytes } }, acceptLanguage ?? null);
}

export function createFastPath(deps: ServerDeps, memo: UrlMemo): FastPath {
  const { webService, config, rateLimiter } = deps;
  const cacheControl = `public, max-age=${config.cacheMaxAgeSeconds}`;
  const limited = config.rateLimit > 0;
  const now = deps.now ?? Date.now;
  // The limiter is asked here only when it answers synchronously and sees the socket's address.
  const hitSync =
    limited && config.trustProxy !== true && rateLimiter.hitSync !== undefined
      ? rateLimiter.hitSync.bind(rateLimiter)
      : undefined;

  /** The cached answer of a web-service URL not seen before, or undefined. */
  function parsed(url: string): MemoEntry | undefined {
    const at = url.indexOf('?');
    const match = PATH.exec(at === -1 ? url : url.slice(0, at));
    if (match === null) return undefined;
    const params: RouteParams = {};
    if (match[2] !== undefined) params.instance = match[2];
    if (match[3] !== undefined) params.version = match[3];
    const method = match[1]!.toLowerCase();
    const raw = parseRawQuery(at === -1 ? '' : url.slice(at + 1));
    let result: PreparedResponse | Promise<PreparedResponse>;
    let clientRequestId: string | undefined;
    if (method === 'version') {
      if (params.version !== undefined) return undefined;
      result = webService.version(parseVersionRequest(params, raw));
    } else if (limited && hitSync === undefined) {
      return undefined;
    } else if (method === 'endpoints') {
      if (params.version !== undefined) return undefined;
      const request = parseEndpointsRequest(params, raw, webService);
      if (limited) clientRequestId = request.clientRequestId;
      result = webService.endpoints(request.request);
    } else {
      const request = parseChangesRequest(params, raw, webService);
      if (limited) clientRequestId = request.clientRequestId;
      result = webService.changes(request.request);
    }
    // A miss renders in the background; fastify's route then joins the same render (and reports
    // its failure), so this copy of the promise only needs its rejection observed.
    if (result instanceof Promise) {
      result.catch(() => undefined);
      return undefined;
    }
    const entry =
      clientRequestId === undefined ? { prepared: result } : { prepared: result, clientRequestId };
    memo.remember(url, entry);
    return entry;
  }

  function find(req: IncomingMessage, url: string): MemoEntry | undefined {
    const known = memo.find(url, req.headers['accept-language']);
    if (known !== undefined) {
      webService.catalog.countHit();
      return known;
    }
    try {
      return parsed(url);
    } catch {
      // Parameter errors (and anything unexpected) are answered by fastify, with its error shape.
      return undefined;
    }
  }

  // A flood past its budget is answered 429 on every request: the body depends only on the
  // budget, its scope and the seconds left, so it is made once per such triple (an error object
  // and its stack trace per refused request cost more than the answer itself).
  const refusals = new Map<string, { body: Buffer; length: string }>();

  function refuse(res: ServerResponse, headers: string[], result: RateLimitResult): void {
    const key = `${result.limit}|${result.scope}|${result.resetSeconds}`;
    let made = refusals.get(key);
    if (made === undefined) {
      const message = rateLimitError(result, config).message;
      const body = Buffer.from(JSON.stringify(errorBody('ERR_RATE_LIMITED', message)));
      made = { body, length: String(body.length) };
      if (refusals.size >= 256) refusals.clear();
      refusals.set(key, made);
    }
    headers.push(
      'cache-control',
      'no-store',
      'content-type',
      'application/json; charset=utf-8',
      'content-length',
      made.length,
    );
    res.writeHead(429, headers);
    res.end(made.body);
  }

  return (req, res) => {
    if (req.method !== 'GET') return false;
    const url = req.url ?? '';
    const entry = find(req, url);
    if (entry === undefined) return false;
    if ('refusal' in entry) {
      res.writeHead(entry.refusal.status, entry.refusal.headers as string[]);
      res.end(entry.refusal.body);
      return true;
    }
    let extra: string[] = [];
    if (entry.clientRequestId !== undefined && limited) {
      if (hitSync === undefined) return false;
      const ip = req.socket.remoteAddress ?? '';
      const result = hitSync(ip, entry.clientRequestId, now());
      extra = rateLimitHeaders(result);
      if (!result.allowed) {
        refuse(res, extra, result);
        return true;
      }
    }
    const written = writePrepared(req, res, entry.prepared, cacheControl, extra);
    if (written instanceof Promise) written.catch(() => res.destroy());
    return true;
  };
}
