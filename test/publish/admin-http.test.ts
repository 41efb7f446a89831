/**
 * End-to-end proof of the admin API (issue 3) over a real loopback port and a real SQLite file:
 * auth (401/403 vs 201), every kind of invalid document → 422 listing every issue with the store
 * untouched, the new version visible at once in /version, RSS and /changes, dry run, no-op on
 * identical data, immutability (405), oversized bodies (413), no admin routes without a token
 * (404), and two concurrent publishes: one 201, one 409, nothing lost.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/core/change-record.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import type { Store } from '../../src/core/store.js';
import type { RunningServer } from '../../src/cli/start-server.js';
import { createApp } from '../../src/server/app.js';
import { DEFAULT_SERVER_CONFIG } from '../../src/server/deps.js';
import { createMemoryRateLimiter } from '../../src/server/rate-limit.js';
import { loadBundledDataset } from '../../src/service/bundle.js';
import { seedStore } from '../../src/service/seed.js';
import { createCatalog } from '../../src/service/catalog.js';
import { createWebService } from '../../src/service/web-service.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { bundledUntil, readBundled } from '../helpers/bundled-data.js';
import { serveStoreFile } from '../helpers/server.js';

interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

const TOKEN = 'admin-token-for-tests-0123456789';
const CRID = randomUUID();
const dir = mkdtempSync(join(tmpdir(), 'ipurl-admin-'));
const template = join(dir, 'template.db');

/** The latest bundled Worldwide version, as a mutable copy. */
function latestWorldwide(): EndpointSet[] {
  return structuredClone(readBundled('Worldwide', '2025013000'));
}

type Mutable = { -readonly [K in keyof EndpointSet]: EndpointSet[K] } & {
  ips?: string[];
  urls?: string[];
};

function at(doc: EndpointSet[], index: number): Mutable {
  return doc[index] as Mutable;
}

/** One change of each disposition: an IP and a URL added, a set removed, a new set, a flag flipped. */
function nextWorldwide(): EndpointSet[] {
  const doc = latestWorldwide();
  at(doc, 0).ips = [...(at(doc, 0).ips ?? []), '145.0.100.0/24'];
  at(doc, 0).urls = [...(at(doc, 0).urls ?? []), 'new.outlook.example.com'];
  at(doc, 3).expressRoute = !at(doc, 3).expressRoute;
  doc.splice(5, 1);
  doc.push({
    id: 500,
    serviceArea: 'Common',
    serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
    urls: ['*.contoso-new.com'],
    ips: ['145.0.113.0/24'],
    tcpPorts: '443',
    expressRoute: false,
    category: 'Default',
    required: true,
  });
  return doc;
}

async function post(
  base: string,
  instance: string,
  body: unknown,
  options: { token?: string | null; query?: string; method?: string } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(
    `${base}/admin/instances/${instance}/versions${options.query ?? ''}`,
    {
      method: options.method ?? 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
  );
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json, headers: response.headers };
}

beforeAll(async () => {
  const store = await createSqliteStore({ filename: template });
  // The history as it stood at 2025013000: these tests publish the version after it.
  await seedStore(store, bundledUntil(await loadBundledDataset(), '2025013000'));
  await store.close();
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('admin API over HTTP', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const file = join(dir, 'e2e.db');
    copyFileSync(template, file);
    server = await serveStoreFile(file, { adminToken: TOKEN });
  });
  afterAll(() => server.close());

  it('answers 401 without a bearer token and 403 with a wrong one, storing nothing', async () => {
    const before = await server.store.revision();
    const none = await post(server.url, 'Worldwide', nextWorldwide(), { token: null });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('ERR_UNAUTHORIZED');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await post(server.url, 'Worldwide', nextWorldwide(), { token: 'not-the-token' });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.code).toBe('ERR_FORBIDDEN');
    const longer = await post(server.url, 'Worldwide', nextWorldwide(), { token: TOKEN + 'x' });
    expect(longer.status).toBe(403);
    expect(await server.store.revision()).toBe(before);
  });

  const invalid: Array<[string, (doc: EndpointSet[]) => void, RegExp]> = [
    [
      'malformed CIDR',
      (d) => void (at(d, 0).ips = [...(at(d, 0).ips ?? []), '300.1.2.0/24']),
      /^\[0\]\.ips\[\d+\]$/,
    ],
    [
      'non-canonical CIDR',
      (d) => void (at(d, 0).ips = [...(at(d, 0).ips ?? []), '10.0.0.1/8']),
      /^\[0\]\.ips\[\d+\]$/,
    ],
    [
      'IPv4/IPv6 confusion',
      (d) => void (at(d, 0).ips = [...(at(d, 0).ips ?? []), '52.96.0.0/64']),
      /^\[0\]\.ips\[\d+\]$/,
    ],
    [
      'illegal host pattern',
      (d) => void (at(d, 1).urls = ['bad host.example.com']),
      /^\[1\]\.urls\[0\]$/,
    ],
    ['misplaced wildcard', (d) => void (at(d, 1).urls = ['outlook.*']), /^\[1\]\.urls\[0\]$/],
    ['port outside 1-65535', (d) => void (at(d, 2).tcpPorts = '80,70000'), /^\[2\]\.tcpPorts$/],
    ['reversed port range', (d) => void (at(d, 2).udpPorts = '3481-3478'), /^\[2\]\.udpPorts$/],
    [
      'unknown category',
      (d) => void ((at(d, 3) as { category: string }).category = 'Fast'),
      /^\[3\]\.category$/,
    ],
    [
      'unknown service area',
      (d) => void ((at(d, 4) as { serviceArea: string }).serviceArea = 'Teams'),
      /^\[4\]\.serviceArea$/,
    ],
    ['duplicate id', (d) => void (at(d, 6).id = at(d, 5).id), /^\[6\]\.id$/],
    [
      'id changing service area',
      (d) => void (at(d, 0).serviceArea = 'Common'),
      /^\[0\]\.serviceArea$/,
    ],
    [
      'missing required member',
      (d) => void delete (at(d, 7) as { required?: boolean }).required,
      /^\[7\]\.required$/,
    ],
  ];

  it.each(invalid)(
    'rejects a document with a %s: 422 naming it, store untouched',
    async (_kind, mutate, path) => {
      const before = await server.store.revision();
      const doc = latestWorldwide();
      mutate(doc);
      const { status, json } = await post(server.url, 'Worldwide', doc);
      expect(status).toBe(422);
      expect(json.error.code).toBe('ERR_VALIDATION');
      expect(json.error.message).toMatch(/nothing was stored/);
      expect(json.error.issues.map((i: { path: string }) => i.path)).toContainEqual(
        expect.stringMatching(path),
      );
      for (const issue of json.error.issues) {
        expect(typeof issue.reason).toBe('string');
        expect(typeof issue.value).toBe('string');
      }
      expect(await server.store.revision()).toBe(before);
    },
  );

  it('lists every issue of a document with all of those problems at once', async () => {
    const before = await server.store.revision();
    const doc = latestWorldwide();
    for (const [, mutate] of invalid) mutate(doc);
    const { status, json } = await post(server.url, 'Worldwide', doc);
    expect(status).toBe(422);
    const paths: string[] = json.error.issues.map((i: { path: string }) => i.path);
    for (const [kind, , path] of invalid) {
      expect(
        paths.some((p) => path.test(p)),
        `${kind} is listed`,
      ).toBe(true);
    }
    expect(await server.store.revision()).toBe(before);
  });

  it('answers 400 for a body that is not JSON and 422 for JSON that is not a list of sets', async () => {
    expect((await post(server.url, 'Worldwide', '{"oops"')).status).toBe(400);
    expect((await post(server.url, 'Worldwide', '')).status).toBe(400);
    const object = await post(server.url, 'Worldwide', { sets: [] });
    expect(object.status).toBe(422);
    expect(object.json.error.issues[0].path).toBe('$');
  });

  it('dry run: 200 with the plan, nothing stored', async () => {
    const before = await server.store.revision();
    const { status, json } = await post(server.url, 'Worldwide', nextWorldwide(), {
      query: '?dryRun=true&noticeDays=14',
    });
    expect(status).toBe(200);
    expect(json.status).toBe('planned');
    expect(json.previousVersion).toBe('2025013000');
    expect(json.counts).toMatchObject({ records: 4, add: 1, change: 2, remove: 1 });
    expect(json.changes.every((c: ChangeRecord) => c.id === undefined)).toBe(true);
    expect(await server.store.revision()).toBe(before);
  });

  it('publishes with the token: 201, then /version, RSS and /changes/{instance}/{previous} show it at once', async () => {
    const { status, json, headers } = await post(server.url, 'worldwide', nextWorldwide(), {
      query: '?effectiveDate=20270101',
    });
    expect(status).toBe(201);
    expect(json.status).toBe('published');
    expect(json.instance).toBe('Worldwide');
    expect(json.previousVersion).toBe('2025013000');
    expect(json.version).toMatch(/^\d{10}$/);
    expect(headers.get('location')).toBe(`/changes/Worldwide/${json.version}?singleVersion`);
    expect(headers.get('cache-control')).toBe('no-store');
    const records: ChangeRecord[] = json.changes;
    expect(records.map((r) => [r.endpointSetId, r.disposition])).toEqual([
      [1, 'Change'],
      [9, 'Change'],
      [11, 'Remove'],
      [500, 'Add'],
    ]);
    expect(records.filter((r) => r.add).every((r) => r.add?.effectiveDate === '20270101')).toBe(
      true,
    );

    const version = await (
      await fetch(`${server.url}/version/Worldwide?ClientRequestId=${CRID}`)
    ).json();
    expect(version).toEqual({ instance: 'Worldwide', latest: json.version });

    const changes = await (
      await fetch(`${server.url}/changes/Worldwide/2025013000?ClientRequestId=${CRID}`)
    ).json();
    expect(changes).toEqual(records);
    const single = await (
      await fetch(
        `${server.url}/changes/Worldwide/${json.version}?singleVersion&ClientRequestId=${CRID}`,
      )
    ).json();
    expect(single).toEqual(records);

    const rss = await (
      await fetch(`${server.url}/version/Worldwide?Format=RSS&AllVersions&ClientRequestId=${CRID}`)
    ).text();
    const feed = new XMLParser({ ignoreAttributes: false }).parse(rss);
    const items = [feed.rss.channel.item].flat();
    const item = items[0];
    expect(String(item.guid['#text'] ?? item.guid)).toBe(json.version);
    const ips = (k: 'add' | 'remove', f: 'ips' | 'urls') =>
      records.reduce((n, r) => n + (r[k]?.[f]?.length ?? 0), 0);
    // Records that add or remove no address (notes, ports, category) are counted apart, as the
    // live service's feed does: "N other attributes changed."
    const attributesOnly = records.filter(
      (r) =>
        (r.add?.ips?.length ?? 0) +
          (r.add?.urls?.length ?? 0) +
          (r.remove?.ips?.length ?? 0) +
          (r.remove?.urls?.length ?? 0) ===
        0,
    ).length;
    expect(attributesOnly).toBeGreaterThan(0);
    expect(item.description).toBe(
      `Version ${json.version} includes ${records.length} changes. IPs: ${ips('add', 'ips')} added and ${ips('remove', 'ips')} removed.` +
        ` URLs: ${ips('add', 'urls')} added and ${ips('remove', 'urls')} removed.` +
        ` ${attributesOnly} other attributes changed.`,
    );
    expect(json.counts).toEqual({
      records: 4,
      add: 1,
      change: 2,
      remove: 1,
      ipsAdded: ips('add', 'ips'),
      ipsRemoved: ips('remove', 'ips'),
      urlsAdded: ips('add', 'urls'),
      urlsRemoved: ips('remove', 'urls'),
    });

    // Identical data again: a no-op that says so.
    const again = await post(server.url, 'Worldwide', nextWorldwide());
    expect(again.status).toBe(200);
    expect(again.json.status).toBe('unchanged');
    expect((await server.store.listVersions('Worldwide'))[0]?.version).toBe(json.version);

    // A removed set id cannot come back.
    const comeback = latestWorldwide();
    const reused = await post(server.url, 'Worldwide', comeback);
    expect(reused.status).toBe(422);
    expect(
      reused.json.error.issues.some(
        (i: { setId?: number; reason: string }) => i.setId === 11 && /never reused/.test(i.reason),
      ),
    ).toBe(true);
  });

  it('creates a new instance by publishing its first version', async () => {
    const doc = [
      {
        id: 1,
        serviceArea: 'Common',
        serviceAreaDisplayName: 'Contoso',
        urls: ['*.contoso.com', '<tenant>.contoso.net'],
        tcpPorts: '443',
        expressRoute: false,
        category: 'Allow',
        required: true,
      },
    ];
    const { status, json } = await post(server.url, 'Contoso', doc);
    expect(status).toBe(201);
    expect(json.newInstance).toBe(true);
    expect(json.previousVersion).toBeNull();
    expect(json.changes).toHaveLength(1);
    const all = (await (
      await fetch(`${server.url}/version?ClientRequestId=${CRID}`)
    ).json()) as Array<{ instance: string }>;
    expect(all.map((v: { instance: string }) => v.instance)).toContain('Contoso');
    const endpoints = (await (
      await fetch(`${server.url}/endpoints/Contoso?ClientRequestId=${CRID}&TenantName=fabrikam`)
    ).json()) as EndpointSet[];
    expect(endpoints[0]?.urls).toEqual(['*.contoso.com', 'fabrikam.contoso.net']);
    expect((await post(server.url, 'Bad-Name', doc)).status).toBe(400);
  });

  it("GET of an instance or version that is not stored answers with the read routes' wording", async () => {
    const get = async (path: string) => {
      const response = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return { status: response.status, error: ((await response.json()) as ErrorBody).error };
    };
    const instance = await get('/admin/instances/Atlantis/versions');
    expect(instance.status).toBe(400);
    expect(instance.error.code).toBe('ERR_UNKNOWN_INSTANCE');
    expect(instance.error.message).toContain('unknown instance "Atlantis"; instances: Worldwide');
    const malformed = await get('/admin/instances/Worldwide/versions/2025');
    expect(malformed.status).toBe(400);
    expect(malformed.error.code).toBe('ERR_INVALID_VERSION');
    const missing = await get('/admin/instances/worldwide/versions/2019010100');
    expect(missing.status).toBe(404);
    expect(missing.error.code).toBe('ERR_VERSION_NOT_FOUND');
    expect(missing.error.message).toContain('Worldwide has no version 2019010100; latest is');
    const found = await fetch(`${server.url}/admin/instances/worldwide/versions`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(((await found.json()) as { instance: string }).instance).toBe('Worldwide');
  });

  it('refuses to change or delete a published version (405) and rejects bad query values (400)', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const r = await post(server.url, 'Worldwide', [], { method });
      expect(r.status).toBe(405);
      expect(r.json.error.code).toBe('ERR_METHOD_NOT_ALLOWED');
      expect(r.json.error.message).toMatch(/immutable/);
      const one = await fetch(`${server.url}/admin/instances/Worldwide/versions/2025013000`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(one.status).toBe(405);
    }
    expect(
      (await post(server.url, 'Worldwide', nextWorldwide(), { query: '?noticeDays=abc' })).status,
    ).toBe(400);
    expect(
      (await post(server.url, 'Worldwide', nextWorldwide(), { query: '?effectiveDate=20271340' }))
        .status,
    ).toBe(400);
    expect(
      (
        await post(server.url, 'Worldwide', nextWorldwide(), {
          query: '?noticeDays=3&effectiveDate=20270101',
        })
      ).status,
    ).toBe(400);
    expect(
      (await post(server.url, 'Worldwide', nextWorldwide(), { query: '?dryRun=maybe' })).status,
    ).toBe(400);
  });

  it('answers 413 for a body over the 64 MiB limit', async () => {
    const before = await server.store.revision();
    const huge = '[' + ' '.repeat(65 * 1024 * 1024) + ']';
    const r = await post(server.url, 'Worldwide', huge);
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('ERR_PAYLOAD_TOO_LARGE');
    expect(await server.store.revision()).toBe(before);
  });
});

describe('without IPURL_ADMIN_TOKEN', () => {
  it('has no admin routes: 404 with only a hint to set IPURL_ADMIN_TOKEN', async () => {
    const file = join(dir, 'no-admin.db');
    copyFileSync(template, file);
    const server = await serveStoreFile(file);
    try {
      const r = await post(server.url, 'Worldwide', nextWorldwide());
      expect(r.status).toBe(404);
      expect(r.json).toEqual({
        error: {
          code: 'ERR_NOT_FOUND',
          message:
            'the admin API is off on this server: start ipurl serve with IPURL_ADMIN_TOKEN set to turn it on (docs/publishing.md)',
        },
      });
      const get = await fetch(`${server.url}/ADMIN/deliveries?status=pending`);
      expect(get.status).toBe(404);
      expect(await get.text()).toBe(JSON.stringify(r.json));
      expect((await server.store.listVersions('Worldwide'))[0]?.version).toBe('2025013000');
    } finally {
      await server.close();
    }
  });
});

describe('two concurrent publishes to one instance', () => {
  let store: Store;
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    const file = join(dir, 'race.db');
    copyFileSync(template, file);
    const real = await createSqliteStore({ filename: file });
    // A barrier in front of the real store: both requests have planned against the same latest
    // version before either appends, which is the race a slow network makes likely.
    let waiting: Array<() => void> = [];
    store = new Proxy(real, {
      get(target, key, receiver) {
        if (key !== 'appendVersion') return Reflect.get(target, key, receiver) as unknown;
        return async (input: Parameters<Store['appendVersion']>[0]) => {
          if (waiting.length === 0) {
            await new Promise<void>((resolve) => waiting.push(resolve));
          } else {
            const release = waiting;
            waiting = [];
            for (const resolve of release) setTimeout(resolve, 10);
          }
          return target.appendVersion(input);
        };
      },
    });
    const webService = createWebService(createCatalog(store));
    await webService.start();
    app = await createApp({
      store,
      webService,
      rateLimiter: createMemoryRateLimiter({ limit: 0, windowSeconds: 3600 }),
      config: { ...DEFAULT_SERVER_CONFIG, rateLimit: 0, adminToken: TOKEN },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  it('one wins with 201, the other gets 409 and is told to retry; the retry lands; nothing is lost', async () => {
    const a = nextWorldwide();
    const b = latestWorldwide();
    at(b, 1).urls = [...(at(b, 1).urls ?? []), 'second.example.com'];
    const [ra, rb] = await Promise.all([post(base, 'Worldwide', a), post(base, 'Worldwide', b)]);
    const statuses = [ra.status, rb.status].sort();
    expect(statuses).toEqual([201, 409]);
    const loser = ra.status === 409 ? ra : rb;
    const winner = ra.status === 201 ? ra : rb;
    expect(loser.json.error.code).toBe('ERR_CONFLICT');
    expect(loser.json.error.message).toMatch(/Publish again/);
    expect(winner.json.previousVersion).toBe('2025013000');
    // Only the winner's version is stored.
    const versions = await store.listVersions('Worldwide');
    expect(versions[0]?.version).toBe(winner.json.version);
    expect(versions[1]?.version).toBe('2025013000');

    // The loser retries (alone now; the barrier lets a single request through with the next one).
    const retryDoc = loser === ra ? a : b;
    const [retry] = await Promise.all([
      post(base, 'Worldwide', retryDoc),
      // A second request to open the barrier: a dry run does not append, so send an unchanged
      // publish of another instance whose append also passes the barrier.
      post(
        base,
        'China',
        structuredClone(readBundled('China', '2025013000')).concat([
          {
            id: 9999,
            serviceArea: 'Common',
            serviceAreaDisplayName: 'x',
            urls: ['x.example.cn'],
            expressRoute: false,
            category: 'Default',
            required: false,
          },
        ]),
      ),
    ]);
    expect(retry.status).toBe(201);
    expect(retry.json.previousVersion).toBe(winner.json.version);
    const after = await store.listVersions('Worldwide');
    expect(after.slice(0, 3).map((v) => v.version)).toEqual([
      retry.json.version,
      winner.json.version,
      '2025013000',
    ]);
    // Every record of both publishes is stored, in order, ids increasing.
    const stored = await store.getChanges('Worldwide', { after: '2025013000' });
    expect(stored).toEqual([...winner.json.changes, ...retry.json.changes]);
  });
});
