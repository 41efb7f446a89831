/** `GET /lookup/{instance}?q=…` over real HTTP on the bundled data (issue 5). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ rateLimit: 0 });
}, 120_000);
afterAll(async () => server?.close());

describe('GET /lookup/{instance}', () => {
  it('answers every q with all matching sets and the category to apply', async () => {
    const res = await server.get(
      '/lookup/worldwide?q=52.112.0.1&q=OUTLOOK.office.com.&q=::ffff:13.107.6.152&q=https%3A%2F%2Fcontoso-my.sharepoint.com%2Fpersonal&q=example.org&version=2025013000',
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json();
    expect(body.instance).toBe('Worldwide');
    expect(body.version).toBe('2025013000');
    const [ip, host, mapped, url, none] = body.results;
    expect(ip).toMatchObject({ query: '52.112.0.1', kind: 'ipv4', category: 'Optimize' });
    expect(ip.matches.map((m: { id: number; matched: string }) => `${m.id} ${m.matched}`)).toEqual([
      '11 52.112.0.0/14',
      '12 52.112.0.0/14',
    ]);
    expect(ip.matches[0]).toEqual({
      id: 11,
      serviceArea: 'Skype',
      category: 'Optimize',
      required: true,
      expressRoute: true,
      udpPorts: '3478,3479,3480,3481',
      matched: '52.112.0.0/14',
    });
    expect(host).toMatchObject({ normalized: 'outlook.office.com', category: 'Optimize' });
    expect(mapped).toMatchObject({
      kind: 'ipv4',
      normalized: '13.107.6.152',
      mappedFrom: '::ffff:13.107.6.152',
      category: 'Optimize',
    });
    expect(url).toMatchObject({ normalized: 'contoso-my.sharepoint.com', category: 'Optimize' });
    expect(url.matches[0].matched).toBe('*.sharepoint.com');
    expect(none).toMatchObject({ category: null, matches: [] });
  });

  it('finds MEM sets in the latest version (lookups cover every service area)', async () => {
    const body = (
      await server.get('/lookup/Worldwide?q=4.145.74.225&q=enrollment.manage.microsoft.com')
    ).json();
    expect(body.version).toBe('2025092900');
    const [ip, host] = body.results;
    expect(ip).toMatchObject({ category: 'Allow' });
    expect(ip.matches).toEqual([
      expect.objectContaining({ id: 163, serviceArea: 'MEM', matched: '4.145.74.224/27' }),
    ]);
    // Set 163 first (the most specific pattern); Common's *.microsoft.com sets match too.
    expect(host.matches[0]).toMatchObject({
      id: 163,
      serviceArea: 'MEM',
      matched: '*.manage.microsoft.com',
    });
  });

  it('looks up an older version on request', async () => {
    const body = (
      await server.get('/lookup/Worldwide?q=contoso-files.sharepoint.com&version=2020012800')
    ).json();
    expect(body.version).toBe('2020012800');
    expect(body.results[0].matches.map((m: { matched: string }) => m.matched)).toContain(
      '<tenant>-files.sharepoint.com',
    );
  });

  it('400 naming a bad q, a missing q, an unknown instance', async () => {
    const bad = await server.get('/lookup/Worldwide?q=52.112.0.1&q=300.1.1.1&q=a%20b');
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('ERR_INVALID_PARAMETER');
    expect(bad.json().error.message).toContain('q "300.1.1.1"');
    expect(bad.json().error.message).toContain('q "a b"');
    const missing = await server.get('/lookup/Worldwide');
    expect(missing.status).toBe(400);
    expect(missing.json().error.code).toBe('ERR_MISSING_PARAMETER');
    const unknown = await server.get('/lookup/Mars?q=1.2.3.4');
    expect(unknown.status).toBe(400);
    expect(unknown.json().error.message).toContain('"Mars"');
  });
});
