/**
 * The consumer chain on loopback (issue 5): publisher ipurl → mirror ipurl (`serve --upstream`) →
 * `ipurl sync` into a third store. Publish on the first, see it on the last; the mirror's store is
 * not seeded; TenantName answers, plain answers and the change history are byte-identical at both
 * ends, because `<tenant>` placeholders survive mirroring.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/start-server.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { publish } from '../../src/service/publish.js';
import { syncOnce } from '../../src/service/sync.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { CLIENT_ID, rawGet, serveStoreFile, type TestServer } from '../helpers/server.js';
import { startPublisherAndMirror, type PublisherAndMirror } from '../helpers/upstream-mirror.js';

let pair: PublisherAndMirror;
let publisher: TestServer;
let mirror: RunningServer;
let last: RunningServer;
let dir: string;

const paths = [
  `/endpoints/Worldwide?TenantName=contoso&ClientRequestId=${CLIENT_ID}`,
  `/endpoints/Worldwide?ClientRequestId=${CLIENT_ID}`,
  `/endpoints/Worldwide?TenantName=Fabrikam&NoIPv6=true&ServiceAreas=Exchange&ClientRequestId=${CLIENT_ID}`,
  `/changes/Worldwide/0000000000?ClientRequestId=${CLIENT_ID}`,
  `/version/Worldwide?AllVersions=true&ClientRequestId=${CLIENT_ID}`,
];

async function syncLast(): Promise<void> {
  const store = await createSqliteStore({ filename: join(dir, 'last.db') });
  try {
    const report = await syncOnce(store, {
      upstream: mirror.url,
      instances: ['Worldwide'],
      force: true,
      timeoutMs: 20_000,
    });
    expect(report.error).toBeUndefined();
    expect(['updated', 'up-to-date']).toContain(report.outcome);
  } finally {
    await store.close();
  }
}

async function latestAt(server: { url: string }): Promise<string | undefined> {
  const response = await rawGet(server.url, `/version/Worldwide?ClientRequestId=${CLIENT_ID}`);
  return response.status === 200 ? (response.json().latest as string) : undefined;
}

beforeAll(async () => {
  pair = await startPublisherAndMirror({
    publisher: { rateLimit: 0, pollMs: 100 },
    sync: { instances: ['Worldwide'], intervalMs: 250, checkIntervalMs: 0, timeoutMs: 20_000 },
  });
  ({ publisher, mirror, dir } = pair);
  last = await serveStoreFile(join(dir, 'last.db'), { pollMs: 100 });
}, 120_000);

afterAll(async () => {
  await last?.close();
  await pair?.close();
});

describe('publisher → mirror → sync', () => {
  it('the mirror fills itself from the upstream only (no bundled seed), the last store from the mirror', async () => {
    const published = await latestAt(publisher);
    await expect.poll(() => latestAt(mirror), { timeout: 60_000, interval: 250 }).toBe(published);
    const health = (await rawGet(mirror.url, '/health')).json();
    expect(health.status).toBe('ok');
    expect(health.instances).toEqual([{ instance: 'Worldwide', latest: published }]); // only what it follows
    expect(health.sync.upstream).toBe(`${publisher.url}/`);
    await syncLast();
    await expect.poll(() => latestAt(last), { timeout: 10_000 }).toBe(published);
    for (const path of paths) {
      const [a, b, c] = await Promise.all([
        rawGet(publisher.url, path),
        rawGet(mirror.url, path),
        rawGet(last.url, path),
      ]);
      expect(a.status, path).toBe(200);
      expect(b.text, `mirror ${path}`).toBe(a.text);
      expect(c.text, `last ${path}`).toBe(a.text);
    }
  }, 120_000);

  it('publish on the first, see it on the last, TenantName answers equal at both ends', async () => {
    const before = await latestAt(publisher);
    const sets = (await publisher.store.getEndpointSets('Worldwide', before!))!;
    const next: EndpointSet[] = sets.map((set) =>
      set.id === 1
        ? { ...set, ips: [...(set.ips ?? []), '145.0.100.0/24'] }
        : set.id === 8
          ? { ...set, urls: [...(set.urls ?? []), 'autodiscover.<tenant>.mail.onmicrosoft.com'] }
          : set,
    );
    const result = await publish(publisher.store, 'Worldwide', next);
    expect(result.status).toBe('published');
    const version = result.status === 'published' ? result.version.version : '';
    await expect.poll(() => latestAt(publisher), { timeout: 10_000 }).toBe(version);
    await expect.poll(() => latestAt(mirror), { timeout: 30_000, interval: 250 }).toBe(version);
    await syncLast();
    await expect.poll(() => latestAt(last), { timeout: 10_000 }).toBe(version);
    for (const path of [...paths, `/changes/Worldwide/${before}?ClientRequestId=${CLIENT_ID}`]) {
      const [a, b, c] = await Promise.all([
        rawGet(publisher.url, path),
        rawGet(mirror.url, path),
        rawGet(last.url, path),
      ]);
      expect(b.text, `mirror ${path}`).toBe(a.text);
      expect(c.text, `last ${path}`).toBe(a.text);
    }
    const contoso = (await rawGet(last.url, paths[0]!)).json() as EndpointSet[];
    expect(contoso.find((s) => s.id === 8)!.urls).toContain(
      'autodiscover.contoso.mail.onmicrosoft.com',
    );
    expect(contoso.find((s) => s.id === 1)!.ips).toContain('145.0.100.0/24');
  }, 120_000);
});
