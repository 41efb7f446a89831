/**
 * Issue 2 proof: with the real `/endpoints/Worldwide` response (NoIPv6, test/fixtures/wire)
 * loaded as a dataset, `/endpoints/Worldwide?NoIPv6=true` returns the same JSON value with the
 * same key order in every record — in fact the same bytes (Json.NET indented, CRLF).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { CLIENT_ID, appendSets, startTestServer, type TestServer } from '../helpers/server.js';

const REAL = readFileSync(
  join(REPO_ROOT, 'test/fixtures/wire/endpoints-Worldwide-NoIPv6-real.json'),
  'utf8',
);
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    seed: 'none',
    prepare: (store) =>
      appendSets(store, 'Worldwide', '2025043000', JSON.parse(REAL) as EndpointSet[]),
  });
});
afterAll(async () => {
  await server?.close();
});

it('returns the same JSON value with the same key order in every record', async () => {
  const res = await server.get(`/endpoints/Worldwide?NoIPv6=true&clientrequestid=${CLIENT_ID}`);
  expect(res.status).toBe(200);
  const ours = res.json() as Array<Record<string, unknown>>;
  const real = JSON.parse(REAL) as Array<Record<string, unknown>>;
  expect(ours).toHaveLength(real.length);
  ours.forEach((record, i) => {
    expect(Object.keys(record), `record ${i}`).toEqual(Object.keys(real[i]!));
    expect(record).toEqual(real[i]);
  });
  expect(JSON.stringify(ours)).toBe(JSON.stringify(real));
});

it('is byte-identical to the real response', async () => {
  const res = await server.get(`/endpoints/Worldwide?NoIPv6=true&clientrequestid=${CLIENT_ID}`);
  expect(res.text).toBe(REAL);
});
