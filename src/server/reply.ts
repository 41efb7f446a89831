/**
 * The one way a read route answers with prepared bytes (service/prepared.ts), shared by every
 * fastify route and the fast path (fast-path.ts), so both send byte for byte the same:
 * - status 200, or 304 when If-None-Match names one of the answer's validators (RFC 9110
 *   §13.1.2, weak comparison: `W/` is ignored; `*` matches);
 * - brotli or gzip by Accept-Encoding (RFC 9110 §12.5.3: a coding with `q=0` is refused; brotli
 *   is preferred when both are acceptable), with that representation's own strong ETag;
 * - Cache-Control (the route's default, docs/api.md "Caching", unless the answer names its
 *   own), Vary, ETag, Content-Type and the answer's own headers. HEAD gets the same headers
 *   without a body (fastify answers HEAD for every GET route).
 * A variant not yet compressed is awaited (it is made once, off the event loop); nothing is
 * compressed per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EncodedVariant, Encoding, PreparedResponse } from '../service/prepared.js';

export interface ReplyPlan {
  readonly status: 200 | 304;
  readonly headers: Readonly<Record<string, string>>;
  /** Undefined for 304. */
  readonly body: Buffer | undefined;
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

const encodingMemo = new Map<string, Encoding | undefined>();

function parseAcceptEncoding(header: string): Encoding | undefined {
  let gzip = false;
  let br = false;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (coding !== 'gzip' && coding !== 'br') continue;
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
      if (m !== null) q = Number(m[1]);
    }
    if (!(q > 0)) continue;
    if (coding === 'gzip') gzip = true;
    else br = true;
  }
  return br ? 'br' : gzip ? 'gzip' : undefined;
}

/** The coding to send for an Accept-Encoding header; undefined = identity. */
export function chooseEncoding(header: string | string[] | undefined): Encoding | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  if (encodingMemo.has(header)) return encodingMemo.get(header);
  const chosen = parseAcceptEncoding(header);
  if (header.length <= 256) {
    if (encodingMemo.size >= 256) encodingMemo.clear();
    encodingMemo.set(header, chosen);
  }
  return chosen;
}

function baseHeaders(
  prepared: PreparedResponse,
  cacheControl: string,
  etag: string,
): Record<string, string> {
  return {
    vary: prepared.vary === undefined ? 'Accept-Encoding' : `${prepared.vary}, Accept-Encoding`,
    'cache-control': prepared.cacheControl ?? cacheControl,
    etag,
    ...prepared.headers,
  };
}

function plan(
  prepared: PreparedResponse,
  variant: EncodedVariant | undefined,
  cacheControl: string,
  ifNoneMatch: string | undefined,
): ReplyPlan {
  const base = baseHeaders(prepared, cacheControl, variant?.etag ?? prepared.etag);
  if (etagMatches(ifNoneMatch, prepared.etags)) {
    return { status: 304, headers: base, body: undefined };
  }
  return {
    status: 200,
    headers:
      variant === undefined
        ? { ...base, 'content-type': prepared.contentType }
        : {
            ...base,
            'content-encoding': variant.encoding,
            'content-type': prepared.contentType,
          },
    body: variant?.body ?? prepared.body,
  };
}

/** Status, headers and body for prepared bytes and the request's negotiation headers. */
export function planReply(
  prepared: PreparedResponse,
  cacheControl: string,
  acceptEncoding: string | string[] | undefined,
  ifNoneMatch: string | undefined,
): ReplyPlan | Promise<ReplyPlan> {
  const encoding = chooseEncoding(acceptEncoding);
  if (encoding === undefined) return plan(prepared, undefined, cacheControl, ifNoneMatch);
  const ready = prepared.variant(encoding);
  if (ready !== undefined) return plan(prepared, ready, cacheControl, ifNoneMatch);
  return prepared
    .encode(encoding)
    .then((variant) => plan(prepared, variant, cacheControl, ifNoneMatch));
}

/** Answer a fastify request with prepared bytes (every read route). */
export function sendPrepared(
  request: FastifyRequest,
  reply: FastifyReply,
  prepared: PreparedResponse,
  cacheControl: string,
): FastifyReply | Promise<FastifyReply> {
  const ifNoneMatch = request.headers['if-none-match'];
  const planned = planReply(
    prepared,
    cacheControl,
    request.headers['accept-encoding'],
    ifNoneMatch,
  );
  const send = (p: ReplyPlan): FastifyReply => reply.code(p.status).headers(p.headers).send(p.body);
  return planned instanceof Promise ? planned.then(send) : send(planned);
}

/**
 * The unconditional 200 headers of an answer as flat [name, value, …] lists, made once per
 * answer, coding and Cache-Control default (fast path): a request then builds no header object,
 * no key string and no closure.
 */
interface FlatHeaders {
  readonly cacheControl: string;
  identity?: string[];
  gzip?: string[];
  br?: string[];
}

const flatByAnswer = new WeakMap<PreparedResponse, FlatHeaders>();

function flatHeaders(p: ReplyPlan): string[] {
  const out = Object.entries(p.headers).flat();
  out.push('content-length', String(p.body?.length ?? 0));
  return out;
}

function writePlan(
  req: IncomingMessage,
  res: ServerResponse,
  p: ReplyPlan,
  headers: string[],
  extra: readonly string[],
): void {
  res.writeHead(p.status, extra.length === 0 ? headers : [...extra, ...headers]);
  if (req.method === 'HEAD' || p.body === undefined) res.end();
  else res.end(p.body);
}

/** The memo of `prepared`'s flat headers for `cacheControl` (one default per server). */
function flatMemo(prepared: PreparedResponse, cacheControl: string): FlatHeaders {
  let memo = flatByAnswer.get(prepared);
  if (memo === undefined || memo.cacheControl !== cacheControl) {
    memo = { cacheControl };
    flatByAnswer.set(prepared, memo);
  }
  return memo;
}

/**
 * Answer a raw Node request with prepared bytes (the fast path): the same plan as sendPrepared,
 * plus `extra` headers (rate-limit counters) as a flat [name, value, …] list.
 */
export function writePrepared(
  req: IncomingMessage,
  res: ServerResponse,
  prepared: PreparedResponse,
  cacheControl: string,
  extra: readonly string[] = [],
): void | Promise<void> {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const planned = planReply(prepared, cacheControl, req.headers['accept-encoding'], ifNoneMatch);
    if (!(planned instanceof Promise)) {
      const headers =
        planned.body === undefined ? Object.entries(planned.headers).flat() : flatHeaders(planned);
      return writePlan(req, res, planned, headers, extra);
    }
    return planned.then((p) =>
      writePlan(
        req,
        res,
        p,
        p.body === undefined ? Object.entries(p.headers).flat() : flatHeaders(p),
        extra,
      ),
    );
  }
  // The common case (unconditional): headers flattened once per answer and coding.
  const encoding = chooseEncoding(req.headers['accept-encoding']);
  const memo = flatMemo(prepared, cacheControl);
  const coding = encoding ?? 'identity';
  const variant = encoding === undefined ? undefined : prepared.variant(encoding);
  if (encoding === undefined || variant !== undefined) {
    const known = memo[coding];
    if (known !== undefined) {
      res.writeHead(200, extra.length === 0 ? known : [...extra, ...known]);
      if (req.method === 'HEAD') res.end();
      else res.end(variant === undefined ? prepared.body : variant.body);
      return;
    }
    const p = plan(prepared, variant, cacheControl, undefined);
    const headers = flatHeaders(p);
    memo[coding] = headers;
    return writePlan(req, res, p, headers, extra);
  }
  return prepared.encode(encoding).then((made) => {
    const p = plan(prepared, made, cacheControl, undefined);
    const headers = (memo[coding] ??= flatHeaders(p));
    writePlan(req, res, p, headers, extra);
  });
}
