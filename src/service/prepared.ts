/**
 * Prepared responses (a repeated request never parses, filters or serializes again): the bytes
 * of one answer, made once per content identity and store revision, with its one strong ETag
 * form and its compressed variants.
 *
 * - ETag: `"<32 base64url characters of SHA-256 of the body>"` (RFC 9110 §8.8.3, strong); the gzip
 *   and brotli representations are other representations of the same resource and get their own
 *   strong validators, `"<hash>-gz"` and `"<hash>-br"`. If-None-Match matches any of the three.
 * - Variants are compressed once, on first demand, by async zlib on libuv's thread pool (gzip
 *   level 6, brotli quality 5): never on the event loop and never per request. Concurrent first
 *   demands share one compression.
 * - `PreparedCache` holds them bounded by entries and bytes (LRU), keyed by content identity: a
 *   key says what the answer contains (resolved instance and version, normalised parameters),
 *   not how it was asked, so equivalent requests share one entry. Concurrent misses of one key
 *   share one render (in-flight dedupe). A deterministic refusal (an IpurlError) is cached like
 *   an answer, so repeating a bad request costs no render either. The owner clears the cache when
 *   the store revision changes; a render started before that is not stored.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { isIpurlError } from '../core/errors.js';

export type Encoding = 'gzip' | 'br';

export interface EncodedVariant {
  readonly encoding: Encoding;
  readonly body: Buffer;
  readonly etag: string;
}

export interface PreparedResponse {
  /** The identity representation. */
  readonly body: Buffer;
  /** Strong validator of the identity representation, quoted. */
  readonly etag: string;
  readonly contentType: string;
  /** Cache-Control when the route's default does not apply (lookups: `no-cache`). */
  readonly cacheControl?: string;
  /** What the answer varies on besides Accept-Encoding (pages: `Accept-Language`). */
  readonly vary?: string;
  /** Further headers of this answer (Content-Disposition, X-Ipurl-*, security headers). */
  readonly headers: Readonly<Record<string, string>>;
  /** Every validator this answer is known by (identity and each encoding). */
  readonly etags: readonly string[];
  /** The variant when it is already made; otherwise undefined, and its making starts. */
  variant(encoding: Encoding): EncodedVariant | undefined;
  /** The variant, made once off the event loop. */
  encode(encoding: Encoding): Promise<EncodedVariant>;
}

export interface PrepareOptions {
  readonly cacheControl?: string;
  readonly vary?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

const COMPRESS: Readonly<Record<Encoding, (body: Buffer) => Promise<Buffer>>> = {
  gzip: (body) => gzipAsync(body, { level: 6 }),
  br: (body) =>
    brotliAsync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
};

const SUFFIX: Readonly<Record<Encoding, string>> = { gzip: 'gz', br: 'br' };

/** The one ETag form: 32 base64url characters of SHA-256 (192 bits), quoted. */
export function strongEtag(body: Buffer | string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** Prepare `body` (text is UTF-8 encoded) with its validators; variants are made on demand. */
export function prepare(
  body: Buffer | string,
  contentType: string,
  options: PrepareOptions = {},
): PreparedResponse {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const etag = strongEtag(bytes);
  const hash = etag.slice(1, -1);
  const made: Partial<Record<Encoding, EncodedVariant>> = {};
  const making: Partial<Record<Encoding, Promise<EncodedVariant>>> = {};
  function encode(encoding: Encoding): Promise<EncodedVariant> {
    const done = made[encoding];
    if (done !== undefined) return Promise.resolve(done);
    making[encoding] ??= COMPRESS[encoding](bytes).then((compressed) => {
      const variant = { encoding, body: compressed, etag: `"${hash}-${SUFFIX[encoding]}"` };
      made[encoding] = variant;
      return variant;
    });
    return making[encoding];
  }
  return {
    body: bytes,
    etag,
    contentType,
    ...(options.cacheControl === undefined ? {} : { cacheControl: options.cacheControl }),
    ...(options.vary === undefined ? {} : { vary: options.vary }),
    headers: options.headers ?? {},
    etags: [etag, `"${hash}-gz"`, `"${hash}-br"`],
    variant(encoding) {
      const done = made[encoding];
      if (done === undefined) encode(encoding).catch(() => undefined);
      return done;
    },
    encode,
  };
}

export interface PreparedCacheStats {
  readonly entries: number;
  /** Identity bytes held (compressed variants add at most about as much again). */
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
  /** Requests that joined a render already under way instead of starting one. */
  readonly joined: number;
}

export interface PreparedCacheOptions {
  /** Entries kept at most (default 2048). */
  readonly maxEntries?: number;
  /** Identity bytes kept at most (default 64 MiB). */
  readonly maxBytes?: number;
}

type Entry = { readonly ok: PreparedResponse } | { readonly error: unknown };

/** Refusals a PreparedCache holds: they follow from the request and the data alone. */
const cachedRefusals = new WeakSet<object>();

/**
 * Is `error` a refusal some PreparedCache repeats for the same question until the revision
 * changes? The server's fast path then answers the same URL's refusal from bytes too.
 */
export function isCachedRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && cachedRefusals.has(error);
}

/**
 * Renders waiting for their event-loop turn. A flood of distinct questions (every stored version
 * of /changes or /lookup at once) would otherwise render back to back in one turn, and every
 * other request (a cached /version probe, /health) would wait for all of them. Each render starts
 * in its own turn (setImmediate, one at a time), so sockets are served between two renders and
 * a cached answer waits for one render at most, never for the whole queue.
 */
const waiting: Array<() => void> = [];
let pumping = false;

function pump(): void {
  const next = waiting.shift();
  if (next === undefined) {
    pumping = false;
    return;
  }
  // The render's synchronous part (and continuations on already-settled store reads) runs
  // now; the next one waits for the next turn, after I/O.
  next();
  setImmediate(pump);
}

/** Run `render` in a turn of its own (see `waiting`). */
export function renderInTurn<T>(render: () => T | Promise<T>): Promise<T> {
  return new Promise<void>((started) => {
    waiting.push(started);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  }).then(render);
}

function entryBytes(entry: Entry): number {
  return 'ok' in entry ? entry.ok.body.length : 256;
}

/** Bounded LRU of prepared responses keyed by content identity, with in-flight dedupe. */
export class PreparedCache {
  private entries = new Map<string, Entry>();
  private inflight = new Map<string, Promise<PreparedResponse>>();
  private bytes = 0;
  private generation = 0;
  private hits = 0;
  private misses = 0;
  private joined = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;

  constructor(options: PreparedCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 2048;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** The cached answer of `key` (a cached refusal is thrown), or undefined. Counts a hit. */
  peek(key: string): PreparedResponse | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.hits += 1;
    // Refresh its place in the LRU order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if ('error' in entry) throw entry.error;
    return entry.ok;
  }

  /** Cached bytes for `key`, or render them once (concurrent misses share one render). */
  get(
    key: string,
    render: () => PreparedResponse | Promise<PreparedResponse>,
  ): PreparedResponse | Promise<PreparedResponse> {
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    const pending = this.inflight.get(key);
    if (pending !== undefined) {
      this.joined += 1;
      return pending;
    }
    this.misses += 1;
    const startedIn = this.generation;
    const promise = renderInTurn(render).then(
      (prepared) => {
        if (this.generation === startedIn) {
          this.inflight.delete(key);
          this.store(key, { ok: prepared });
        }
        return prepared;
      },
      (error: unknown) => {
        if (this.generation === startedIn) {
          this.inflight.delete(key);
          // A refusal follows from the request and the data alone: repeat it from the cache.
          if (isIpurlError(error) && error.code !== 'ERR_STORAGE') {
            cachedRefusals.add(error);
            this.store(key, { error });
          }
        }
        throw error;
      },
    );
    this.inflight.set(key, promise);
    return promise;
  }

  private store(key: string, entry: Entry): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= entryBytes(old);
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    this.bytes += entryBytes(entry);
    for (const [k, v] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= entryBytes(v);
    }
  }

  /** Count a hit answered from these bytes elsewhere (the server's fast path holds them by URL). */
  countHit(): void {
    this.hits += 1;
  }

  /** Drop everything (a new store revision); renders under way are not stored. */
  clear(): void {
    this.generation += 1;
    this.entries = new Map();
    this.inflight = new Map();
    this.bytes = 0;
  }

  stats(): PreparedCacheStats {
    return {
      entries: this.entries.size,
      bytes: this.bytes,
      hits: this.hits,
      misses: this.misses,
      joined: this.joined,
    };
  }
}
