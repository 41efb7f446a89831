/**
 * Every read route answers from prepared bytes (service/prepared.ts, server/reply.ts): a strong
 * ETag and 304 to it, gzip to `Accept-Encoding: gzip` (and brotli to `br`), the same bytes after
 * decompression, and the same answer from the fast path (second request) as from fastify (first).
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const ROUTES = [
  `/version?clientrequestid=${CLIENT_ID}`,
  `/version/Worldwide?format=RSS&clientrequestid=${CLIENT_ID}`,
  `/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`,
  `/endpoints/Worldwide?format=CSV&clientrequestid=${CLIENT_ID}`,
  `/changes/Worldwide/2024073100?clientrequestid=${CLIENT_ID}`,
  '/pac/Worldwide?type=2',
  '/export/Worldwide/nftables',
  '/export/Worldwide/list?file=ipv4',
  '/',
  '/Worldwide',
  '/Worldwide?lang=nl',
  '/lookup/Worldwide?q=52.112.0.1',
];

describe.each(ROUTES)('%s', (path) => {
  it('answers 304 to its ETag, gzip and brotli to Accept-Encoding, the same from the fast path', async () => {
    const plain = await server.get(path);
    expect(plain.status).toBe(200);
    const etag = String(plain.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(String(plain.headers.vary)).toMatch(/Accept-Encoding/);

    const again = await server.get(path);
    const { date: _a, ...first } = plain.headers;
    const { date: _b, ...second } = again.headers;
    expect(second).toEqual(first);
    expect(again.body.equals(plain.body)).toBe(true);

    const notModified = await server.get(path, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);

    const gz = await server.get(path, { 'accept-encoding': 'gzip' });
    expect(gz.status).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.etag).toBe(`${etag.slice(0, -1)}-gz"`);
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    expect(
      (
        await server.get(path, {
          'accept-encoding': 'gzip',
          'if-none-match': String(gz.headers.etag),
        })
      ).status,
    ).toBe(304);

    const br = await server.get(path, { 'accept-encoding': 'gzip, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);

    const refused = await server.get(path, { 'accept-encoding': 'gzip;q=0, br;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.equals(plain.body)).toBe(true);
  });
});

it('/changes of any version between two stored ones is one prepared answer', async () => {
  const a = await server.get(`/changes/Worldwide/2024073101?clientrequestid=${CLIENT_ID}`);
  const b = await server.get(`/changes/Worldwide/2024073199?clientrequestid=${CLIENT_ID}`);
  expect(a.status).toBe(200);
  expect(b.headers.etag).toBe(a.headers.etag);
  const entries = (text: string) =>
    Number(/ipurl_response_cache_entries (\d+)/.exec(text)?.[1] ?? NaN);
  const before = entries((await server.get('/metrics')).text);
  for (let n = 2; n < 40; n++) {
    await server.get(
      `/changes/Worldwide/20240731${String(n).padStart(2, '0')}?clientrequestid=${CLIENT_ID}`,
    );
  }
  const metrics = (await server.get('/metrics')).text;
  expect(entries(metrics)).toBe(before);
  // Cache sizes and hits are exported (the lookup above compiled one index).
  expect(metrics).toMatch(/ipurl_response_cache_hits_total [1-9]/);
  expect(metrics).toMatch(/ipurl_response_cache_bytes [1-9]/);
  expect(metrics).toMatch(/ipurl_lookup_index_entries [1-9]/);
  expect(metrics).toMatch(/ipurl_catalog_histories [1-9]/);
});

it('repeats a cached refusal (from the fast path) exactly as fastify sent it', async () => {
  // The list target cannot express two Worldwide patterns: refused (422) until told what to do.
  const path = '/export/Worldwide/list?file=urls';
  const first = await server.get(path);
  expect(first.status).toBe(422);
  expect(JSON.parse(first.text).error.code).toBe('ERR_UNSUPPORTED_PATTERN');
  const again = await server.get(path);
  const { date: _a, ...a } = first.headers;
  const { date: _b, ...b } = again.headers;
  expect(b).toEqual(a);
  expect(again.body.equals(first.body)).toBe(true);
  // Told what to do, the same list is answered.
  const skipped = await server.get(`${path}&onUnsupported=skip`);
  expect(skipped.status).toBe(200);
});
