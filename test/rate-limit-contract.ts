/**
 * The one rate-limit rule (src/server/rate-limit.ts), run against every limiter: the in-memory
 * one and the Redis one (src/server/rate-limit.test.ts, rate-limit-redis.test.ts). A fake clock
 * (`now` in epoch ms) drives the windows: fixed windows on the clock hour, Retry-After counting
 * down to the top of the hour, a new budget when the hour rolls over, the per-IP ceiling across
 * ClientRequestIds.
 */
import { expect, it } from 'vitest';
import type { RateLimiter } from '../src/server/rate-limit.js';

export interface LimiterFactory {
  /** A fresh limiter with its own counters (limit per client, ceiling per IP). */
  (options: { limit: number; perIpLimit: number }): Promise<RateLimiter>;
}

const HOUR = 3600_000;
/** 10:45:00 UTC: 15 minutes to the top of the hour. */
const T = Date.UTC(2026, 10, 28, 10, 45, 0);
const A = 'b10c5ed1-bad1-445f-b386-b919946339a7';
const B = '00000000-0000-4000-8000-000000000001';

export function rateLimitContract(make: LimiterFactory): void {
  it('allows `limit` requests per client in a clock hour; Retry-After counts down to the top of the hour', async () => {
    const limiter = await make({ limit: 3, perIpLimit: 100 });
    try {
      const results = [];
      for (const offset of [0, 1000, 60_000, 61_500])
        results.push(await limiter.hit('192.0.2.1', A, T + offset));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
      expect(results.map((r) => r.resetSeconds)).toEqual([900, 899, 840, 839]);
      expect(results[3]).toMatchObject({ limit: 3, scope: 'client' });
      // Another ClientRequestId, or another IP, has its own budget.
      expect((await limiter.hit('192.0.2.1', B, T + 62_000)).allowed).toBe(true);
      expect((await limiter.hit('192.0.2.2', A, T + 62_000)).allowed).toBe(true);
    } finally {
      await limiter.close?.();
    }
  });

  it('rolls over at the top of the hour, not an hour after the first request', async () => {
    const limiter = await make({ limit: 1, perIpLimit: 100 });
    try {
      expect((await limiter.hit('192.0.2.1', A, T)).allowed).toBe(true);
      const lastSecond = await limiter.hit('192.0.2.1', A, T + 15 * 60_000 - 1);
      expect(lastSecond).toMatchObject({ allowed: false, resetSeconds: 1 });
      // 11:00:00.000: a new window, a new budget, the full hour ahead.
      const next = await limiter.hit('192.0.2.1', A, T + 15 * 60_000);
      expect(next).toMatchObject({ allowed: true, remaining: 0, resetSeconds: 3600 });
      expect((await limiter.hit('192.0.2.1', A, T + 15 * 60_000 + HOUR - 1)).allowed).toBe(false);
      expect((await limiter.hit('192.0.2.1', A, T + 15 * 60_000 + HOUR)).allowed).toBe(true);
    } finally {
      await limiter.close?.();
    }
  });

  it('refuses an IP past its ceiling across ClientRequestIds, the same way (scope ip)', async () => {
    const limiter = await make({ limit: 30, perIpLimit: 5 });
    try {
      const ids = Array.from(
        { length: 7 },
        (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      );
      const results = [];
      for (const id of ids) results.push(await limiter.hit('198.51.100.7', id, T));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false]);
      expect(results[5]).toMatchObject({ limit: 5, remaining: 0, resetSeconds: 900, scope: 'ip' });
      // Other IPs are not affected; the ceiling resets at the top of the hour.
      expect((await limiter.hit('198.51.100.8', ids[0]!, T)).allowed).toBe(true);
      expect((await limiter.hit('198.51.100.7', ids[6]!, T + 15 * 60_000)).allowed).toBe(true);
    } finally {
      await limiter.close?.();
    }
  });

  it('limit 0 allows everything; ceiling 0 means no ceiling', async () => {
    const off = await make({ limit: 0, perIpLimit: 5 });
    const noCeiling = await make({ limit: 2, perIpLimit: 0 });
    try {
      for (let i = 0; i < 20; i += 1) expect((await off.hit('192.0.2.9', A, T)).allowed).toBe(true);
      for (let i = 0; i < 20; i += 1)
        expect(
          (
            await noCeiling.hit(
              '192.0.2.9',
              `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
              T,
            )
          ).allowed,
        ).toBe(true);
    } finally {
      await off.close?.();
      await noCeiling.close?.();
    }
  });
}
