import { expect, it } from 'vitest';
import { rateLimitContract } from '../../test/rate-limit-contract.js';
import { createMemoryRateLimiter } from './rate-limit.js';

rateLimitContract((options) =>
  Promise.resolve(createMemoryRateLimiter({ ...options, windowSeconds: 3600 })),
);

const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);

/** A limiter that keeps at most ten client keys, so a test can push the oldest out. */
const smallLimiter = (limit: number, perIpLimit: number) =>
  createMemoryRateLimiter({ limit, perIpLimit, windowSeconds: 3600, maxKeys: 10 });

it('is bounded in memory and answers synchronously for the fast path', () => {
  const small = smallLimiter(1, 0);
  for (let i = 0; i < 50; i++) small.hitSync('192.0.2.1', `k${i}`, T0);
  // The oldest keys were dropped: k0 has a fresh budget again, the newest is still counted.
  expect(small.hitSync('192.0.2.1', 'k0', T0).allowed).toBe(true);
  expect(small.hitSync('192.0.2.1', 'k49', T0).allowed).toBe(false);
});

it('keeps the per-IP ceiling however many fresh ClientRequestIds push client keys out', () => {
  const small = smallLimiter(30, 20);
  const answers = Array.from({ length: 100 }, (_, i) =>
    small.hitSync('192.0.2.7', `fresh-${i}`, T0),
  );
  expect(answers.filter((a) => a.allowed)).toHaveLength(20);
  expect(answers.at(-1)).toMatchObject({ allowed: false, scope: 'ip', limit: 20 });
  // Another address has its own ceiling.
  expect(small.hitSync('192.0.2.8', 'fresh-0', T0).allowed).toBe(true);
});
