/**
 * Rate limiting of `/endpoints` and `/changes` (SPEC §2.2, §11.2): a fixed window per key
 * (client IP + normalised ClientRequestId), 30 requests per hour by default. The interface lets
 * replicas share counters (a Redis implementation lives beside this one).
 */

export interface RateLimitResult {
  /** False once the key used up `limit` requests in the current window. */
  readonly allowed: boolean;
  readonly limit: number;
  /** Requests left in the window after this one (never negative). */
  readonly remaining: number;
  /** Whole seconds until the window ends (Retry-After of a 429, SPEC §11.2); at least 1. */
  readonly resetSeconds: number;
}

export interface RateLimiter {
  /** Count one request for `key` at `now` (epoch ms, default Date.now()). */
  hit(key: string, now?: number): Promise<RateLimitResult>;
  /**
   * The same count, answered synchronously, for limiters that keep their counters in this process
   * (the in-memory one). The fast path (fast-path.ts) uses it to answer cached GETs within one
   * event-loop turn; limiters without it (Redis) are asked on the fastify route.
   */
  hitSync?(key: string, now?: number): RateLimitResult;
  /** Release timers or connections. Optional. */
  close?(): Promise<void>;
}

export interface FixedWindowOptions {
  /** Requests per window; 0 means unlimited (every hit allowed). */
  readonly limit: number;
  readonly windowSeconds: number;
  /** Keys kept at most; the oldest windows are dropped first so memory stays bounded. */
  readonly maxKeys?: number;
}

interface Window {
  start: number;
  count: number;
}

/**
 * In-memory fixed windows. Windows are aligned per key on its first request (a client's hour
 * starts with its first call), which matches "wait one hour" in Microsoft's guidance.
 */
export function createMemoryRateLimiter(options: FixedWindowOptions): RateLimiter {
  const { limit, windowSeconds } = options;
  const windowMs = windowSeconds * 1000;
  const maxKeys = options.maxKeys ?? 100_000;
  // Map iteration order is insertion order: re-inserting on a new window keeps it LRU-like.
  const windows = new Map<string, Window>();

  function sweep(now: number): void {
    for (const [key, window] of windows) {
      if (windows.size <= maxKeys && now - window.start < windowMs) break;
      windows.delete(key);
    }
  }

  const limiter = {
    hit: (key: string, now?: number): Promise<RateLimitResult> =>
      Promise.resolve(limiter.hitSync(key, now)),
    hitSync(key: string, now: number = Date.now()): RateLimitResult {
      if (limit <= 0) return { allowed: true, limit: 0, remaining: 0, resetSeconds: windowSeconds };
      let window = windows.get(key);
      if (window === undefined || now - window.start >= windowMs || now < window.start) {
        windows.delete(key);
        window = { start: now, count: 0 };
        windows.set(key, window);
        if (windows.size > maxKeys) sweep(now);
      }
      window.count += 1;
      const resetSeconds = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
      return {
        allowed: window.count <= limit,
        limit,
        remaining: Math.max(0, limit - window.count),
        resetSeconds,
      };
    },
  };
  return limiter;
}
