/**
 * Rate limit over real HTTP (docs/api.md, "Rate limit"): /endpoints and /changes share a fixed
 * window per (client IP, normalised ClientRequestId); the request past the limit gets 429 with
 * Retry-After; /version is never limited; 0 turns the limit off.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';

const OTHER_ID = '0f6c1f0e-7d5b-4b1e-9a53-2a3c4d5e6f70';
const servers: TestServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.close();
});

async function serverWith(rateLimit: number): Promise<TestServer> {
  const server = await startTestServer({ rateLimit });
  servers.push(server);
  return server;
}

describe('rate limit', () => {
  it('answers 429 past the per-IP ceiling however many ClientRequestIds, on fastify and the fast path', async () => {
    const server = await startTestServer({ rateLimit: 30, rateLimitPerIp: 4 });
    servers.push(server);
    const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const statuses: number[] = [];
    // The same URL twice per id: the second answer comes from the fast path's cache.
    for (let i = 0; i < 3; i += 1) {
      const path = `/endpoints/Worldwide?ClientRequestId=${id(i)}`;
      statuses.push((await server.get(path)).status, (await server.get(path)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await server.get(`/changes/Worldwide/0000000000?ClientRequestId=${id(9)}`);
    expect(refused.status).toBe(429);
    expect(refused.headers['x-ratelimit-limit']).toBe('4');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(3600);
    expect(refused.json().error.message).toContain(
      'per client IP, across all its ClientRequestIds',
    );
    // /version is never limited.
    expect((await server.get(`/version?ClientRequestId=${id(10)}`)).status).toBe(200);
  });

  it('answers 429 with Retry-After after the limit, shared by /endpoints and /changes, keyed by the normalised id', async () => {
    const server = await serverWith(3);
    const remaining: string[] = [];
    for (const path of [
      `/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`,
      `/changes/Worldwide/0000000000?ClientRequestId=${CLIENT_ID}`,
      `/endpoints/worldwide/?ClientRequestId={${CLIENT_ID.toUpperCase()}}`,
    ]) {
      const res = await server.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      remaining.push(res.headers['x-ratelimit-remaining'] as string);
    }
    expect(remaining).toEqual(['2', '1', '0']);

    for (const path of [
      `/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`,
      `/changes/China/0000000000?clientrequestid=${CLIENT_ID.replace(/-/g, '')}`,
    ]) {
      const sentAt = Date.now();
      const res = await server.get(path);
      expect(res.status).toBe(429);
      const retryAfter = Number(res.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      // Windows are fixed on the clock hour: Retry-After is the time to the top of the hour.
      const toTopOfHour = (at: number) => 3600 - (Math.floor(at / 1000) % 3600);
      expect(retryAfter).toBeLessThanOrEqual(toTopOfHour(sentAt));
      expect(retryAfter).toBeGreaterThanOrEqual(toTopOfHour(Date.now()));
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json();
      expect(body.error.code).toBe('ERR_RATE_LIMITED');
      expect(body.error.message).toContain('3 requests per 60 minutes');
    }

    // /version is never limited (docs/api.md, "Rate limit").
    for (let i = 0; i < 10; i++)
      expect((await server.get(`/version/Worldwide?clientrequestid=${CLIENT_ID}`)).status).toBe(
        200,
      );
    // A new GUID is a new client (Microsoft's advice after a 429).
    expect((await server.get(`/endpoints/Worldwide?clientrequestid=${OTHER_ID}`)).status).toBe(200);
  });

  it('counts conditional requests too, and a 400 before counting', async () => {
    const server = await serverWith(2);
    expect((await server.get(`/endpoints/Nowhere?clientrequestid=${CLIENT_ID}`)).status).toBe(400);
    const first = await server.get(`/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`);
    const second = await server.get(`/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`, {
      'if-none-match': first.headers.etag as string,
    });
    expect(second.status).toBe(304);
    expect((await server.get(`/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`)).status).toBe(
      429,
    );
  });

  it('defaults to 30 per hour', async () => {
    const server = await serverWith(30);
    for (let i = 0; i < 30; i++)
      expect(
        (await server.get(`/changes/Worldwide/2024073100?clientrequestid=${CLIENT_ID}`)).status,
      ).toBe(200);
    expect(
      (await server.get(`/changes/Worldwide/2024073100?clientrequestid=${CLIENT_ID}`)).status,
    ).toBe(429);
  });

  it('0 turns it off', async () => {
    const server = await serverWith(0);
    for (let i = 0; i < 40; i++) {
      const res = await server.get(`/endpoints/China?clientrequestid=${CLIENT_ID}`);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});
