import { expect, it } from 'vitest';
import { createMemoryRateLimiter } from './rate-limit.js';

const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);

it('allows `limit` hits per fixed window per key, then reports the seconds to the window end', async () => {
  const limiter = createMemoryRateLimiter({ limit: 2, windowSeconds: 3600 });
  expect(await limiter.hit('a', T0)).toEqual({
    allowed: true,
    limit: 2,
    remaining: 1,
    resetSeconds: 3600,
  });
  expect(await limiter.hit('a', T0 + 1000)).toEqual({
    allowed: true,
    limit: 2,
    remaining: 0,
    resetSeconds: 3599,
  });
  expect(await limiter.hit('a', T0 + 600_000)).toEqual({
    allowed: false,
    limit: 2,
    remaining: 0,
    resetSeconds: 3000,
  });
  expect((await limiter.hit('b', T0 + 600_000)).allowed).toBe(true);
  // A new window starts a new budget.
  expect(await limiter.hit('a', T0 + 3600_000)).toMatchObject({ allowed: true, remaining: 1 });
});

it('is unlimited at 0, and bounded in memory', async () => {
  const off = createMemoryRateLimiter({ limit: 0, windowSeconds: 3600 });
  for (let i = 0; i < 100; i++) expect((await off.hit('a', T0)).allowed).toBe(true);
  const small = createMemoryRateLimiter({ limit: 1, windowSeconds: 3600, maxKeys: 10 });
  for (let i = 0; i < 50; i++) await small.hit(`k${i}`, T0);
  // The oldest keys were dropped: k0 has a fresh budget again, the newest is still counted.
  expect((await small.hit('k0', T0)).allowed).toBe(true);
  expect((await small.hit('k49', T0)).allowed).toBe(false);
});
