import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../bench/lib/local-process.js';
import { describeWith, hasCommand } from '../../test/helpers/system.js';
import { rateLimitContract } from '../../test/rate-limit-contract.js';
import { createRedisRateLimiter } from './rate-limit-redis.js';

async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
}

// A private redis-server on its own port, so the test can stop and start it.
describeWith('redis-server', hasCommand('redis-server'))('Redis rate limiter', () => {
  let port = 0;
  let redis: ChildProcess | undefined;
  const startRedis = (): void => {
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
  };
  const stopRedis = async (): Promise<void> => {
    const child = redis;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  };

  beforeAll(async () => {
    port = await freePort();
    startRedis();
  });
  afterAll(stopRedis);

  // The same contract as the in-memory limiter (fake clock; each limiter its own key prefix).
  let prefixes = 0;
  rateLimitContract(async (options) => {
    const limiter = await createRedisRateLimiter({
      url: `redis://127.0.0.1:${port}`,
      ...options,
      keyPrefix: `c${Date.now()}-${(prefixes += 1)}`,
    });
    await waitFor(() => limiter.status().healthy);
    return limiter;
  });

  it('shares one budget between two replicas', async () => {
    const keyPrefix = `t${Date.now()}`;
    const a = await createRedisRateLimiter({
      url: `redis://127.0.0.1:${port}`,
      limit: 3,
      keyPrefix,
    });
    const b = await createRedisRateLimiter({
      url: `redis://127.0.0.1:${port}`,
      limit: 3,
      keyPrefix,
    });
    await waitFor(() => a.status().healthy && b.status().healthy);
    const crid = 'b10c5ed1-bad1-445f-b386-b919946339a7';
    const now = Date.UTC(2026, 10, 28, 10, 15, 0);
    const decisions = [
      await a.hit('127.0.0.1', crid, now),
      await b.hit('127.0.0.1', crid, now),
      await a.hit('127.0.0.1', crid, now),
      await b.hit('127.0.0.1', crid, now),
    ];
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]).toMatchObject({ remaining: 0, limit: 3, resetSeconds: 45 * 60 });
    await a.close();
    await b.close();
  });

  it('fails open while Redis is down, reports it, and resumes the shared limit when it is back', async () => {
    const warnings: string[] = [];
    const infos: string[] = [];
    const limiter = await createRedisRateLimiter({
      url: `redis://127.0.0.1:${port}`,
      limit: 1,
      keyPrefix: `f${Date.now()}`,
      logger: { warn: (_o, m) => warnings.push(m), info: (_o, m) => infos.push(m) },
    });
    await waitFor(() => limiter.status().healthy);
    const key = 'client';
    expect((await limiter.hit('192.0.2.1', key)).allowed).toBe(true);
    expect((await limiter.hit('192.0.2.1', key)).allowed).toBe(false);

    await stopRedis();
    for (let i = 0; i < 5; i += 1) expect((await limiter.hit('192.0.2.1', key)).allowed).toBe(true);
    expect(limiter.status()).toMatchObject({ healthy: false });
    expect(limiter.status().failedOpen).toBeGreaterThanOrEqual(5);
    expect(warnings).toHaveLength(1);

    startRedis();
    await waitFor(() => limiter.status().healthy, 10_000);
    expect(infos).toHaveLength(1);
    // Redis kept nothing on disk, so the window starts afresh: one allowed, then limited again.
    expect((await limiter.hit('192.0.2.1', key)).allowed).toBe(true);
    expect((await limiter.hit('192.0.2.1', key)).allowed).toBe(false);
    await limiter.close();
  });
});
