/**
 * The upstream client: talks to any service compatible with endpoints.office.com (Microsoft's, or
 * another ipurl) and turns every way an upstream can fail into one error shape, so the sync can
 * keep its last good data and say exactly what went wrong (connection resets, read timeouts, 500s
 * and 429s of endpoints.office.com are all reported in the wild, e.g. MicrosoftDocs/
 * OfficeDocs-Enterprise issues #689, #735, #807).
 *
 * - Every request carries the caller's ClientRequestId (one GUID per machine, as Microsoft asks)
 *   and never a new one: rotating GUIDs to dodge a 429 is what the rate limit targets.
 * - A deadline covers the whole exchange, headers and body (AbortSignal.timeout).
 * - The body is read with a byte cap; a connection that closes early (truncated body) is an error.
 * - Only `application/json` bodies that parse are accepted (docs/api.md, "Common conventions").
 * - 429 and 503 report `Retry-After` (RFC 9110 §10.2.3: seconds or an HTTP date).
 * - Conditional GET: pass the ETag of the last answer; 304 comes back as `notModified`
 *   (docs/api.md, "Caching").
 * - Redirects are followed only within the upstream's origin (scheme, host and port), at most
 *   five hops; a redirect elsewhere is an error (kind `redirect`) and nothing of it is fetched.
 * - `Retry-After` is capped at 24 hours: an upstream cannot silence a mirror for years.
 * - Credentials in the base URL (`https://user:secret@mirror/`) are sent as HTTP Basic
 *   authentication (https, or http to a loopback host only) and never shown: `baseUrl`, every
 *   message and every `url` field carry the URL without them, and without the ClientRequestId.
 */
import { IpurlError, describeValue } from '../core/errors.js';
import { parseJsonBounded } from '../core/json-depth.js';
import { parseUpstreamUrl, redactCredentials, upstreamAuthorization } from './upstream-url.js';

export {
  displayUpstream,
  parseUpstreamUrl,
  redactCredentials,
  upstreamAuthorization,
} from './upstream-url.js';

/** Why a request failed; shown in `ipurl status` and `/health`. */
export type UpstreamFailureKind =
  | 'refused'
  | 'network'
  | 'timeout'
  | 'http-status'
  | 'rate-limited'
  | 'content-type'
  | 'truncated'
  | 'invalid-json'
  | 'too-large'
  | 'redirect'
  | 'invalid-data';

export interface UpstreamFailureDetails {
  readonly kind: UpstreamFailureKind;
  readonly url: string;
  readonly status?: number;
  /** Seconds the upstream asked us to wait (429/503 Retry-After). */
  readonly retryAfterSeconds?: number;
}

/** Raise the one error of the upstream family (exit code 5, HTTP 502 at the edges). */
export function upstreamError(
  message: string,
  details: UpstreamFailureDetails,
  cause?: unknown,
): IpurlError {
  return new IpurlError('ERR_UPSTREAM', message, {
    details: { ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function upstreamDetails(error: unknown): UpstreamFailureDetails | undefined {
  if (!(error instanceof IpurlError) || error.code !== 'ERR_UPSTREAM') return undefined;
  const kind = error.details?.kind;
  return typeof kind === 'string'
    ? (error.details as unknown as UpstreamFailureDetails)
    : undefined;
}

export interface UpstreamClientOptions {
  /** Base URL, e.g. `https://endpoints.office.com` or `http://mirror:8080/` (a path prefix is kept). */
  readonly baseUrl: string;
  /** The machine's ClientRequestId, generated once and kept (one GUID per machine). */
  readonly clientRequestId: string;
  /** Deadline of one request, headers and body, in ms (default 30 s). */
  readonly timeoutMs?: number;
  /** Largest body accepted, in bytes (default 64 MiB; a full Worldwide history is ~2 MiB). */
  readonly maxBytes?: number;
  /** For tests of other transports; defaults to the global fetch (undici). */
  readonly fetch?: typeof fetch;
  readonly userAgent?: string;
}

export interface JsonResponse {
  readonly notModified: false;
  readonly body: unknown;
  /** The raw text, for byte comparisons and caching. */
  readonly text: string;
  readonly etag: string | undefined;
  readonly url: string;
}

export interface NotModifiedResponse {
  readonly notModified: true;
  readonly etag: string | undefined;
  readonly url: string;
}

export interface GetOptions {
  /** Query parameters besides ClientRequestId (a value of `true` is sent as a bare flag=true). */
  readonly query?: Readonly<Record<string, string>>;
  /** ETag of the copy we hold: a 304 answer yields `notModified`. */
  readonly etag?: string;
}

export interface UpstreamClient {
  readonly baseUrl: string;
  getJson(path: string, options?: GetOptions): Promise<JsonResponse | NotModifiedResponse>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Longest wait an upstream's Retry-After can impose: 24 hours. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Seconds from a Retry-After value (delta-seconds or HTTP-date, RFC 9110 §10.2.3), at most 24 h. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(MAX_RETRY_AFTER_SECONDS, Number(trimmed));
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil((at - now) / 1000)));
}

function describeCause(error: unknown): { kind: UpstreamFailureKind; text: string } {
  const err = error as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const code = err.cause?.code ?? err.code;
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return { kind: 'timeout', text: 'no complete answer in time' };
  if (code === 'ECONNREFUSED') return { kind: 'refused', text: 'connection refused' };
  if (code === 'UND_ERR_SOCKET' || err.message === 'terminated') {
    return { kind: 'truncated', text: 'the connection closed before the whole answer arrived' };
  }
  const detail = err.cause?.message ?? err.message ?? String(error);
  return { kind: 'network', text: code === undefined ? detail : `${code}: ${detail}` };
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const base = parseUpstreamUrl(options.baseUrl);
  const authorization = upstreamAuthorization(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const doFetch = options.fetch ?? fetch;

  async function readBody(response: Response, url: string): Promise<string> {
    const declared = Number(response.headers.get('content-length') ?? '');
    if (
      Number.isFinite(declared) &&
      declared > maxBytes &&
      !response.headers.has('content-encoding')
    ) {
      throw upstreamError(
        `${url} announced ${declared} bytes, more than the ${maxBytes} accepted`,
        { kind: 'too-large', url },
      );
    }
    if (response.body === null) return '';
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const value of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += value.byteLength;
      if (total > maxBytes) {
        throw upstreamError(`${url} sent more than the ${maxBytes} bytes accepted`, {
          kind: 'too-large',
          url,
        });
      }
      chunks.push(value);
    }
    const bytes = Buffer.concat(chunks);
    // fetch decodes gzip/br, so the declared length only describes an unencoded body.
    const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
    if (
      !encoded &&
      Number.isFinite(declared) &&
      response.headers.has('content-length') &&
      bytes.byteLength !== declared
    ) {
      throw upstreamError(`${url} announced ${declared} bytes but sent ${bytes.byteLength}`, {
        kind: 'truncated',
        url,
      });
    }
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  }

  return {
    baseUrl: base.toString(),
    async getJson(path, getOptions = {}) {
      const target = new URL(path.replace(/^\/+/, ''), base);
      target.searchParams.set('ClientRequestId', options.clientRequestId);
      for (const [key, value] of Object.entries(getOptions.query ?? {}))
        target.searchParams.set(key, value);
      // What messages show: no credentials (never in `target`) and no ClientRequestId.
      const shown = new URL(target);
      shown.searchParams.delete('ClientRequestId');
      const url = shown.toString();
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': options.userAgent ?? 'ipurl-sync/0.1',
      };
      if (authorization !== undefined) headers.authorization = authorization;
      if (getOptions.etag !== undefined) headers['if-none-match'] = getOptions.etag;
      const signal = AbortSignal.timeout(timeoutMs);
      const fetchOnce = async (at: string): Promise<Response> => {
        try {
          return await doFetch(at, { headers, signal, redirect: 'manual' });
        } catch (error) {
          // A pooled keep-alive connection the server already closed fails before any answer:
          // one immediate retry on a fresh connection (a GET is idempotent, RFC 9110 §9.2.2).
          const code = (error as { cause?: { code?: string } }).cause?.code;
          if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') throw error;
          return doFetch(at, { headers, signal, redirect: 'manual' });
        }
      };
      let response: Response;
      let current = target;
      try {
        response = await fetchOnce(current.toString());
        for (let hop = 0; REDIRECT_STATUSES.has(response.status); hop += 1) {
          const location = response.headers.get('location');
          await response.body?.cancel();
          if (location === null) {
            throw upstreamError(`${url} answered HTTP ${response.status} without a Location`, {
              kind: 'redirect',
              url,
              status: response.status,
            });
          }
          let next: URL;
          try {
            next = new URL(location, current);
          } catch {
            throw upstreamError(
              `${url} redirected to an unusable Location ${JSON.stringify(describeValue(redactCredentials(location)))}`,
              { kind: 'redirect', url, status: response.status },
            );
          }
          if (next.origin !== base.origin) {
            throw upstreamError(
              `${url} redirected (HTTP ${response.status}) to another origin, ${next.origin}; ipurl follows redirects only within ${base.origin} (same scheme, host and port), so nothing was fetched from there and nothing was stored. Point --upstream at the service itself`,
              { kind: 'redirect', url, status: response.status },
            );
          }
          if (hop + 1 >= MAX_REDIRECTS) {
            throw upstreamError(`${url}: more than ${MAX_REDIRECTS} redirects`, {
              kind: 'redirect',
              url,
              status: response.status,
            });
          }
          next.username = '';
          next.password = '';
          current = next;
          response = await fetchOnce(current.toString());
        }
      } catch (error) {
        if (error instanceof IpurlError) throw error;
        const { kind, text } = describeCause(error);
        throw upstreamError(
          kind === 'timeout' ? `${url}: ${text} (deadline ${timeoutMs} ms)` : `${url}: ${text}`,
          { kind, url },
          error,
        );
      }
      const etag = response.headers.get('etag') ?? undefined;
      if (response.status === 304) {
        await response.body?.cancel();
        return { notModified: true, etag: etag ?? getOptions.etag, url };
      }
      if (response.status < 200 || response.status >= 300) {
        const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
        let snippet = '';
        try {
          snippet = describeValue((await readBody(response, url)).replace(/\s+/g, ' ').trim(), 200);
        } catch {
          // the status is the news; a broken error body adds nothing
        }
        const kind: UpstreamFailureKind = response.status === 429 ? 'rate-limited' : 'http-status';
        const rawRetryAfter = response.headers.get('retry-after')?.trim() ?? '';
        const capped =
          retryAfterSeconds === MAX_RETRY_AFTER_SECONDS &&
          rawRetryAfter !== String(MAX_RETRY_AFTER_SECONDS);
        const wait =
          retryAfterSeconds === undefined
            ? ''
            : capped
              ? `; Retry-After ${JSON.stringify(describeValue(rawRetryAfter, 40))} capped at ${MAX_RETRY_AFTER_SECONDS} s (24 hours)`
              : `; Retry-After ${retryAfterSeconds} s`;
        throw upstreamError(
          `${url} answered HTTP ${response.status}${wait}${snippet === '' ? '' : `: ${snippet}`}`,
          {
            kind,
            url,
            status: response.status,
            ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
          },
        );
      }
      const contentType = response.headers.get('content-type') ?? '';
      let text: string;
      try {
        text = await readBody(response, url);
      } catch (error) {
        if (error instanceof IpurlError) throw error;
        const { kind, text: why } = describeCause(error);
        throw upstreamError(
          `${url}: ${why} while reading the body`,
          { kind: kind === 'network' ? 'truncated' : kind, url },
          error,
        );
      }
      // JSON is served as application/json; a captive portal or proxy error page is HTML.
      if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(contentType.trim())) {
        throw upstreamError(
          `${url} answered with content type ${JSON.stringify(contentType || '(none)')}, expected application/json (a proxy or captive portal page?)`,
          { kind: 'content-type', url, status: response.status },
        );
      }
      let body: unknown;
      try {
        body = parseJsonBounded(text.replace(/^\uFEFF/, ''), `${url} answered JSON that`);
      } catch (error) {
        if (error instanceof IpurlError) {
          throw upstreamError(error.message, {
            kind: 'invalid-json',
            url,
            status: response.status,
          });
        }
        const looksCut = text.length > 0 && !/[\]}]\s*$/.test(text);
        throw upstreamError(
          `${url} sent ${looksCut ? 'truncated' : 'invalid'} JSON (${text.length} characters): ${(error as Error).message}`,
          { kind: looksCut ? 'truncated' : 'invalid-json', url, status: response.status },
          error,
        );
      }
      return { notModified: false, body, text, etag, url };
    },
  };
}
