/**
 * Property test (issue 2 "Bad input"): thousands of generated paths and query strings against
 * the app; every response is below 500, and every 4xx carries the JSON error shape of
 * docs/errors.md. app.inject exercises the same router, hooks and handlers as a socket would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import { createApp } from '../../src/server/app.js';
import { DEFAULT_SERVER_CONFIG } from '../../src/server/deps.js';
import { createMemoryRateLimiter } from '../../src/server/rate-limit.js';
import { createCatalog } from '../../src/service/catalog.js';
import { createWebService, type WebService } from '../../src/service/web-service.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createSeededStoreFile } from '../helpers/seeded-store.js';

const GUID = 'b10c5ed1-bad1-445f-b386-b919946339a7';
let dir: string;
let store: Store;
let webService: WebService;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipurl-fuzz-'));
  await createSeededStoreFile(join(dir, 'ipurl.db'));
  store = await createSqliteStore({ filename: join(dir, 'ipurl.db') });
  webService = createWebService(createCatalog(store, { pollMs: 0, maxEntries: 256 }));
  await webService.start();
  const config = { ...DEFAULT_SERVER_CONFIG, rateLimit: 1_000_000 };
  app = await createApp({
    store,
    webService,
    rateLimiter: createMemoryRateLimiter({ limit: config.rateLimit, windowSeconds: 3600 }),
    config,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await webService?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Percent-encodings both valid and broken (`%ZZ`, lone `%`, invalid UTF-8, NUL). */
const encodedJunk = fc.constantFrom(
  '%ZZ',
  '%',
  '%4',
  '%C3%28',
  '%00',
  '%FF%FE',
  '%E2%82',
  '%2F',
  '%3F',
  '%26',
  '%3D',
  '+',
  '%20',
  '%7B',
  '%7D',
  '//',
);
const token = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => encodeURIComponent(s)),
  encodedJunk,
  fc.constantFrom(
    'Worldwide',
    'worldwide',
    'USGovDoD',
    'China',
    'Germany',
    'true',
    'false',
    'TRUE',
    '',
    'JSON',
    'CSV',
    'RSS',
    'rss',
    GUID,
    `{${GUID}}`,
    `(${GUID})`,
    GUID.replace(/-/g, ''),
    '0000000000',
    '2024073100',
    '9999999999',
    'Exchange',
    'sharepoint,skype',
    'Common,Teams',
    'contoso',
    'a'.repeat(600),
  ),
);
const paramName = fc.oneof(
  fc.constantFrom(
    'ClientRequestId',
    'clientrequestid',
    'Format',
    'format',
    'AllVersions',
    'allversions',
    'ServiceAreas',
    'TenantName',
    'NoIPv6',
    'noipv6',
    'singleVersion',
    'Instance',
    'Version',
  ),
  fc.string({ maxLength: 8 }),
  encodedJunk,
);
const queryPart = fc.oneof(
  fc.tuple(paramName, token).map(([n, v]) => `${n}=${v}`),
  paramName,
  fc.constant(`clientrequestid=${GUID}`),
);
/** Query strings made only of characters an HTTP request line may carry. */
const query = fc
  .tuple(fc.array(queryPart, { maxLength: 8 }), fc.constantFrom('&', '&&', ';'))
  .map(([parts, separator]) =>
    parts.join(separator).replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)),
  );
const route = fc.constantFrom(
  '/version',
  '/Version',
  '/endpoints',
  '/ENDPOINTS',
  '/changes',
  '/changes/Worldwide',
);
/** Dot segments are resolved by URL parsing before routing (to other routes), so leave them out. */
const segment = token.filter((s) => !/^(\.|%2e)*$/i.test(s) || s === '');
const path = fc
  .tuple(route, fc.array(segment, { maxLength: 3 }), fc.boolean())
  .map(([base, segments, slash]) =>
    (base + segments.map((s) => `/${s}`).join('') + (slash ? '/' : ''))
      .replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c))
      .replace(/[?#]/g, '%3F'),
  );
const method = fc.constantFrom(
  'GET',
  'GET',
  'GET',
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
);

async function check(m: string, url: string): Promise<void> {
  const res = await app.inject({ method: m as 'GET', url });
  expect(res.statusCode, `${m} ${url}`).toBeLessThan(500);
  if (res.statusCode >= 400 && m !== 'HEAD') {
    expect(res.headers['content-type'], `${m} ${url}`).toBe('application/json; charset=utf-8');
    const body = res.json<{ error: { code: string; message: string } }>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toMatch(/^ERR_[A-Z_]+$/);
    expect(body.error.message.length).toBeGreaterThan(0);
  }
}

describe('fuzz: nothing a client sends gives a 5xx', () => {
  it('query strings on the web-service routes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/version',
          '/version/Worldwide',
          '/endpoints/Worldwide',
          '/changes/worldwide/2024073100',
          '/endpoints',
          '/changes',
        ),
        query,
        async (p, q) => {
          await check('GET', `${p}?${q}`);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('paths and methods', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, query, async (m, p, q) => {
        await check(m, `${p}?${q}`);
      }),
      { numRuns: 2000 },
    );
  });
});
