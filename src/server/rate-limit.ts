/**
 * Rate limiting of `/endpoints` and `/changes` (SPEC §2.2, §11.2). One rule for every limiter
 * (this in-memory one and the Redis one beside it, which a shared contract test runs alike):
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

/** In-memory fixed clock windows (one process; replicas share counters through Redis). */
export function createMemoryRateLimiter(
  options: FixedWindowOptions,
): RateLimiter & Required<Pick<RateLimiter, 'hitSync'>> {
  const { limit, windowSeconds } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  // Map iteration order is insertion order: re-inserting on a new window keeps it LRU-like.
  const windows = new Map<string, Window>();

  function count(key: string, start: number): number {
    let window = windows.get(key);
    if (window === undefined || window.start !== start) {
      windows.delete(key);
      window = { start, count: 0 };
      windows.set(key, window);
      if (windows.size > maxKeys) sweep(start);
    }
    window.count += 1;
    return window.count;
  }

  function sweep(current: number): void {
    for (const [key, window] of windows) {
      if (windows.size <= maxKeys && window.start === current) break;
      windows.delete(key);
    }
  }

  const limiter = {
    hit: (ip: string, clientRequestId: string, now?: number): Promise<RateLimitResult> =>
      Promise.resolve(limiter.hitSync(ip, clientRequestId, now)),
    hitSync(ip: string, clientRequestId: string, now: number = Date.now()): RateLimitResult {
      if (limit <= 0) return unlimited(windowSeconds);
      const { start, resetSeconds } = clockWindow(now, windowSeconds);
      const clientCount = count(`c|${ip}|${clientRequestId}`, start);
      const ipCount = count(`i|${ip}`, start);
      return decide(clientCount, ipCount, options, resetSeconds);
    },
  };
  return limiter;
}
