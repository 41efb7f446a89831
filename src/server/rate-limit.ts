/**
 * Rate limiting of `/endpoints` and `/changes` (docs/api.md, "Rate limit"). One rule for every
 * limiter (this in-memory one and the Redis one beside it, which a shared contract test runs
 * alike):
 *
 * - **Fixed windows on the clock**: a window is `[k·W, (k+1)·W)` in epoch time (W = one hour by
 *   default, so windows start at the top of every hour, as Microsoft tells clients to "wait until
 *   the top of the hour"); `Retry-After` counts down to the window's end.
 * - Two counters per request: the client's (client IP + normalised ClientRequestId, `limit`, 30 by
 *   default: the budget clients know) and a **per-IP ceiling** across ClientRequestIds (`perIp`,
 *   600 by default), so a fresh ClientRequestId per request does not escape the limit.
 * - A request is allowed when both counters are within their budget; every request counts.
 */

export interface RateLimitResult {
  /** False once either budget is used up in the current window. */
  readonly allowed: boolean;
  /** The budget reported (X-RateLimit-Limit): the client's, or the per-IP ceiling that refused. */
  readonly limit: number;
  /** Requests left in the window after this one (never negative; the smaller of the two). */
  readonly remaining: number;
  /** Whole seconds until the window ends (Retry-After of a 429); at least 1. */
  readonly resetSeconds: number;
  /** Which budget refused ('client' while allowed). */
  readonly scope: 'client' | 'ip';
}

export interface RateLimiter {
  /** Count one request of `clientRequestId` from `ip` at `now` (epoch ms, default Date.now()). */
  hit(ip: string, clientRequestId: string, now?: number): Promise<RateLimitResult>;
  /**
   * The same count, answered synchronously, for limiters that keep their counters in this process
   * (the in-memory one). The fast path (fast-path.ts) uses it to answer cached GETs within one
   * event-loop turn; limiters without it (Redis) are asked on the fastify route.
   */
  hitSync?(ip: string, clientRequestId: string, now?: number): RateLimitResult;
  /** Release timers or connections. Optional. */
  close?(): Promise<void>;
}

export interface RateLimitOptions {
  /** Requests per window per client IP + ClientRequestId; 0 means unlimited (no limit at all). */
  readonly limit: number;
  /** Requests per window per client IP across ClientRequestIds; 0 = no ceiling. Default 600. */
  readonly perIpLimit?: number;
  readonly windowSeconds: number;
}

export interface FixedWindowOptions extends RateLimitOptions {
  /** Keys kept at most; the oldest windows are dropped first so memory stays bounded. */
  readonly maxKeys?: number;
}

export const DEFAULT_PER_IP_LIMIT = 600;

/** The clock window holding `now`: its start (epoch ms) and the whole seconds left (≥ 1). */
export function clockWindow(
  now: number,
  windowSeconds: number,
): { start: number; resetSeconds: number } {
  const windowMs = windowSeconds * 1000;
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, resetSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
}

/** The decision from the two counts (after this request), shared by every limiter. */
export function decide(
  clientCount: number,
  ipCount: number,
  options: RateLimitOptions,
  resetSeconds: number,
): RateLimitResult {
  const { limit } = options;
  const perIp = options.perIpLimit ?? DEFAULT_PER_IP_LIMIT;
  const clientOk = clientCount <= limit;
  const ipOk = perIp <= 0 || ipCount <= perIp;
  const remaining = Math.max(
    0,
    Math.min(limit - clientCount, perIp <= 0 ? Infinity : perIp - ipCount),
  );
  if (clientOk && !ipOk)
    return { allowed: false, limit: perIp, remaining: 0, resetSeconds, scope: 'ip' };
  return { allowed: clientOk && ipOk, limit, remaining, resetSeconds, scope: 'client' };
}

/** Unlimited (`limit` 0): every request allowed, nothing counted. */
export function unlimited(windowSeconds: number): RateLimitResult {
  return { allowed: true, limit: 0, remaining: 0, resetSeconds: windowSeconds, scope: 'client' };
}

interface Window {
  start: number;
  count: number;
}

/**
 * Counters of one kind (clients, or IPs), bounded by `maxKeys`. Map iteration order is insertion
 * order and a key is re-inserted when its window changes, so the front holds past windows first,
 * then the clients seen earliest. Past the bound an eighth of the keys go at once, oldest first:
 * deleting one key per insert would walk V8's deleted-entry tombstones from the front of the
 * Map every time (about 0.1 ms per request once full, a ClientRequestId flood's easy win).
 */
class Counters {
  private readonly windows = new Map<string, Window>();
  constructor(private readonly maxKeys: number) {}

  /** Count one request of `key` in the window starting at `start`; the count after it. */
  hit(key: string, start: number): number {
    let window = this.windows.get(key);
    if (window === undefined || window.start !== start) {
      if (window !== undefined) this.windows.delete(key);
      window = { start, count: 0 };
      this.windows.set(key, window);
      if (this.windows.size > this.maxKeys) this.evict();
    }
    window.count += 1;
    return window.count;
  }

  private evict(): void {
    let drop = this.windows.size - this.maxKeys + Math.ceil(this.maxKeys / 8);
    for (const key of this.windows.keys()) {
      if (drop <= 0) break;
      this.windows.delete(key);
      drop -= 1;
    }
  }
}

/** In-memory fixed clock windows (one process; replicas share counters through Redis). */
export function createMemoryRateLimiter(
  options: FixedWindowOptions,
): RateLimiter & Required<Pick<RateLimiter, 'hitSync'>> {
  const { limit, windowSeconds } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  // Kept apart so a flood of fresh ClientRequestIds never pushes its IP's ceiling out.
  const clients = new Counters(maxKeys);
  const ips = new Counters(maxKeys);

  const limiter = {
    hit: (ip: string, clientRequestId: string, now?: number): Promise<RateLimitResult> =>
      Promise.resolve(limiter.hitSync(ip, clientRequestId, now)),
    hitSync(ip: string, clientRequestId: string, now: number = Date.now()): RateLimitResult {
      if (limit <= 0) return unlimited(windowSeconds);
      const { start, resetSeconds } = clockWindow(now, windowSeconds);
      const clientCount = clients.hit(`${ip}|${clientRequestId}`, start);
      const ipCount = ips.hit(ip, start);
      return decide(clientCount, ipCount, options, resetSeconds);
    },
  };
  return limiter;
}
