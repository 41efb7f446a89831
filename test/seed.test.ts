/**
 * Seeding a real SQLite file from the bundled dataset (src/service/seed.ts): every version of
 * every instance, sets byte for byte, the change records of the real 2020012800 version, and
 * idempotence (a second seed, or a race of two seeders, appends nothing twice).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import {
  bundledDataDir,
  loadBundledDataset,
  packageRoot,
  type BundledDataset,
} from '../src/service/bundle.js';
import { versionMidnight } from '../src/core/history-append.js';
import { seedStore } from '../src/service/seed.js';
import {
  POSTGRES_URL,
  dropSchema,
  postgresReachable,
  uniqueSchemaName,
} from './helpers/postgres.js';
import { describeWith } from './helpers/system.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('bundled dataset', () => {
  it('finds the package root and data/ from the source tree', () => {
    expect(join(packageRoot(), '/')).toBe(join(root, '/'));
    expect(bundledDataDir()).toBe(join(root, 'data'));
  });

  it('loads every instance in canonical order, versions oldest first, as data/index.json lists them', async () => {
    const dataset = await loadBundledDataset();
    const index = JSON.parse(readFileSync(join(root, 'data/index.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    expect(dataset.instances.map((i) => i.instance)).toEqual([
      'Worldwide',
      'USGovDoD',
      'USGovGCCHigh',
      'China',
      'Germany',
    ]);
    for (const instance of dataset.instances) {
      expect(instance.versions.map((v) => v.version)).toEqual(
        Object.keys(index[instance.instance]!).sort(),
      );
    }
  });

  it('names the folder when it cannot be read', async () => {
    await expect(loadBundledDataset('/nonexistent/ipurl-data')).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
      message: /\/nonexistent\/ipurl-data/,
    });
  });
});

describe('seedStore into SQLite', () => {
  let dir: string;
  let store: SqliteStore;
  let dataset: BundledDataset;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ipurl-seed-'));
    store = await createSqliteStore({ filename: join(dir, 'seed.db') });
    dataset = await loadBundledDataset();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fills an empty store with every bundled version and their change records', async () => {
    expect(await store.isEmpty()).toBe(true);
    const result = await seedStore(store, dataset);
    const total = dataset.instances.reduce((n, i) => n + i.versions.length, 0);
    expect(result.appended).toBe(total);
    expect(result.changes).toBeGreaterThan(0);
    const instances = await store.listInstances();
    expect(instances.map((i) => i.instance)).toEqual(dataset.instances.map((i) => i.instance));
    for (const bundled of dataset.instances) {
      const summary = instances.find((i) => i.instance === bundled.instance)!;
      expect(summary.versions).toEqual(bundled.versions.map((v) => v.version).reverse());
      for (const { version, sets } of bundled.versions) {
        expect(JSON.stringify(await store.getEndpointSets(bundled.instance, version))).toBe(
          JSON.stringify(sets),
        );
      }
      const versions = await store.listVersions(bundled.instance);
      expect(versions.every((v) => v.publishedAt === versionMidnight(v.version))).toBe(true);
      // Ids 1..n per instance, in version then id order.
      const changes = await store.getChanges(bundled.instance, { after: '0000000000' });
      expect(changes.map((c) => c.id)).toEqual(changes.map((_, i) => i + 1));
    }
    expect(await store.listDeliveries()).toEqual([]);
  });

  it('stores the real change record of Worldwide 2020012800 (id and effectiveDate aside)', async () => {
    const real = JSON.parse(
      readFileSync(
        join(root, 'test/fixtures/wire/changes-Worldwide-2020012800-one-real-record.json'),
        'utf8',
      ),
    ) as Array<{ id: number; add: { effectiveDate: string } }>;
    const stored = await store.getChanges('Worldwide', { version: '2020012800' });
    const strip = (r: { id: number; add?: { effectiveDate: string } }) => ({
      ...r,
      id: 0,
      ...(r.add ? { add: { ...r.add, effectiveDate: '' } } : {}),
    });
    expect(stored.map(strip)).toEqual(real.map(strip));
    expect(stored[0]?.add?.effectiveDate).toBe('20200227');
  });

  it('is idempotent: a second seed and two racing seeders append nothing twice', async () => {
    const before = await store.revision();
    const again = await seedStore(store, dataset);
    expect(again.appended).toBe(0);
    expect(await store.revision()).toBe(before);

    const raceFile = join(dir, 'race.db');
    const a = await createSqliteStore({ filename: raceFile });
    const b = await createSqliteStore({ filename: raceFile });
    try {
      const [ra, rb] = await Promise.all([seedStore(a, dataset), seedStore(b, dataset)]);
      const total = dataset.instances.reduce((n, i) => n + i.versions.length, 0);
      expect(ra.appended + rb.appended).toBe(total);
      expect(await a.listInstances()).toEqual(await store.listInstances());
      expect(await a.getChanges('Worldwide', { after: '0000000000' })).toEqual(
        await store.getChanges('Worldwide', { after: '0000000000' }),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('seedStore on a store seeded by an older release', () => {
  let dir: string;
  let dataset: BundledDataset;
  /** The bundle as it was before the 2025 live versions were added. */
  let older: BundledDataset;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ipurl-seed-older-'));
    dataset = await loadBundledDataset();
    older = {
      ...dataset,
      instances: dataset.instances.map((i) => ({
        ...i,
        versions: i.versions.filter((v) => v.version <= '2025013000'),
      })),
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('appends exactly the versions bundled since, with their change records, rewriting nothing', async () => {
    const store = await createSqliteStore({ filename: join(dir, 'old.db') });
    try {
      await seedStore(store, older);
      const before = new Map<string, string>();
      for (const { instance } of older.instances)
        before.set(instance, JSON.stringify(await store.getChanges(instance, { after: '0' })));
      const result = await seedStore(store, dataset);
      expect(
        result.instances.filter((i) => i.appended > 0).map((i) => [i.instance, i.appended]),
      ).toEqual([
        ['Worldwide', 1],
        ['USGovDoD', 1],
        ['USGovGCCHigh', 1],
        ['China', 2],
      ]);
      const reference = await createSqliteStore({ filename: ':memory:' });
      await seedStore(reference, dataset);
      for (const { instance } of dataset.instances) {
        const all = await store.getChanges(instance, { after: '0000000000' });
        expect(all).toEqual(await reference.getChanges(instance, { after: '0000000000' }));
        // The records stored before are unchanged (a prefix of the full list).
        const old = JSON.parse(before.get(instance)!) as unknown[];
        expect(all.slice(0, old.length)).toEqual(old);
      }
      await reference.close();
    } finally {
      await store.close();
    }
  });

  it("leaves alone an instance whose latest version is the publisher's own", async () => {
    const store = await createSqliteStore({ filename: join(dir, 'own.db') });
    try {
      await seedStore(store, older);
      const sets = dataset.instances[0]!.versions.at(-2)!.sets;
      await store.appendVersion({
        instance: 'Worldwide',
        version: '2025050100',
        sets: sets.slice(1),
        changes: [],
        expectedLatest: '2025013000',
        notify: false,
      });
      const result = await seedStore(store, dataset);
      expect(result.instances.find((i) => i.instance === 'Worldwide')?.appended).toBe(0);
      expect((await store.listVersions('Worldwide'))[0]?.version).toBe('2025050100');
      expect(result.instances.find((i) => i.instance === 'China')?.appended).toBe(2);
    } finally {
      await store.close();
    }
  });
});

const reachable = await postgresReachable();

describeWith('PostgreSQL at 127.0.0.1:5432', reachable)('seedStore into PostgreSQL', () => {
  const schema = uniqueSchemaName('ipurl_seed');
  afterAll(() => dropSchema(schema));

  it('two replicas seeding one new database together end with one copy of the history', async () => {
    const { createPostgresStore } = await import('../src/store/postgres/postgres-store.js');
    const dataset = await loadBundledDataset();
    const [a, b] = await Promise.all([
      createPostgresStore({ connectionString: POSTGRES_URL, schema }),
      createPostgresStore({ connectionString: POSTGRES_URL, schema }),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'ipurl-seed-pg-'));
    const reference = await createSqliteStore({ filename: join(dir, 'ref.db') });
    try {
      const [ra, rb] = await Promise.all([seedStore(a, dataset), seedStore(b, dataset)]);
      const total = dataset.instances.reduce((n, i) => n + i.versions.length, 0);
      expect(ra.appended + rb.appended).toBe(total);
      await seedStore(reference, dataset);
      expect(await a.listInstances()).toEqual(await reference.listInstances());
      for (const { instance } of dataset.instances) {
        expect(await b.getChanges(instance, { after: '0000000000' })).toEqual(
          await reference.getChanges(instance, { after: '0000000000' }),
        );
        expect(await b.listVersions(instance)).toEqual(await reference.listVersions(instance));
      }
    } finally {
      await a.close();
      await b.close();
      await reference.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
