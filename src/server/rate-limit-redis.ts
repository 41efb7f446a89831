/**
 * Rate limits shared by replicas through Redis (issue 6), by the rule of rate-limit.ts (fixed
 * clock windows, the client's budget and the per-IP ceiling), counted with INCR + EXPIRE NX so
 * every replica sees the same budget.
 *
 * Redis is a helper, not a dependency of serving: when it is unreachable the limiter fails open
 * (requests are allowed), the outage is logged once when it starts and once when it ends, and
 * `status()` exposes it for /health and /metrics. Commands never queue while disconnected
 * (disableOfflineQueue) and each has a short deadline, so a dead Redis adds no latency.
 */
import { createClient } from 'redis';
import {
  clockWindow,
  decide,
  unlimited,
  type RateLimitOptions,
  type RateLimitResult,
} from './rate-limit.js';

export interface RedisRateLimiterStatus {
  readonly backend: 'redis';
  readonly healthy: boolean;
  /** ISO time the current outage began, or null. */
  readonly degradedSince: string | null;
  readonly lastError: string | null;
  /** Requests allowed without counting because Redis was unreachable. */
  readonly failedOpen: number;
}

export interface RedisRateLimiterOptions {
  readonly url: string;
  readonly limit: number;
  /** Per-IP ceiling across ClientRequestIds (rate-limit.ts; default 600, 0 = none). */
  readonly perIpLimit?: number;
  readonly windowSeconds?: number;
  readonly keyPrefix?: string;
  /** Deadline of one Redis command, in milliseconds. */
  readonly commandTimeoutMs?: number;
  readonly logger?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export interface RedisRateLimiter {
  hit(ip: string, clientRequestId: string, now?: number): Promise<RateLimitResult>;
  status(): RedisRateLimiterStatus;
  close(): Promise<void>;
}

export async function createRedisRateLimiter(
  options: RedisRateLimiterOptions,
): Promise<RedisRateLimiter> {
  const windowSeconds = options.windowSeconds ?? 3600;
  const prefix = options.keyPrefix ?? 'ipurl:rl';
  const timeoutMs = options.commandTimeoutMs ?? 250;
  let degradedSince: string | null = null;
  let lastError: string | null = null;
  let failedOpen = 0;

  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 1000,
      // Keep trying forever, at most every two seconds: the shared limit resumes by itself.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** Math.min(retries, 5), 2000),
    },
  });

  const markDown = (error: unknown): void => {
    lastError = error instanceof Error ? error.message : String(error);
    if (degradedSince === null) {
      degradedSince = new Date().toISOString();
      options.logger?.warn(
        { redis: options.url, error: lastError },
        'rate-limit store unreachable: limits fail open until Redis is back',
      );
    }
  };
  const markUp = (): void => {
    if (degradedSince !== null) {
      options.logger?.info(
        { redis: options.url, since: degradedSince, failedOpen },
        'rate-limit store back: shared limits resumed',
      );
      degradedSince = null;
    }
  };

  client.on('error', markDown);
  client.on('ready', markUp);
  // Connect in the background: a replica must start serving even when Redis is down.
  client.connect().catch(markDown);

  const withDeadline = <T>(promise: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis command exceeded ${timeoutMs} ms`)),
        timeoutMs,
      );
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });

  return {
    async hit(ip, clientRequestId, now = Date.now()) {
      const rule: RateLimitOptions = {
        limit: options.limit,
        windowSeconds,
        ...(options.perIpLimit === undefined ? {} : { perIpLimit: options.perIpLimit }),
      };
      if (options.limit <= 0) return unlimited(windowSeconds);
      const { start, resetSeconds } = clockWindow(now, windowSeconds);
      const open = (): RateLimitResult => ({
        ...decide(0, 0, rule, resetSeconds),
        remaining: options.limit,
      });
      if (!client.isReady) {
        failedOpen += 1;
        markDown(new Error(lastError ?? 'not connected'));
        return open();
      }
      try {
        const windowStart = start / 1000;
        const clientKey = `${prefix}:${windowStart}:c:${ip}|${clientRequestId}`;
        const ipKey = `${prefix}:${windowStart}:i:${ip}`;
        const replies = await withDeadline(
          client
            .multi()
            .incr(clientKey)
            .expire(clientKey, windowSeconds + 60, 'NX')
            .incr(ipKey)
            .expire(ipKey, windowSeconds + 60, 'NX')
            .exec(),
        );
        markUp();
        return decide(Number(replies[0]), Number(replies[2]), rule, resetSeconds);
      } catch (error) {
        failedOpen += 1;
        markDown(error);
        return open();
      }
    },
    status() {
      return {
        backend: 'redis',
        healthy: degradedSince === null && client.isReady,
        degradedSince,
        lastError,
        failedOpen,
      };
    },
    async close() {
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      try {
        if (client.isOpen) await client.close();
      } catch {
        client.destroy();
      }
    },
  };
}
