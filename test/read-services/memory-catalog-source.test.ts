/**
 * The memory source answers the catalog's questions exactly as the SQLite store does for the same
 * real data: seeded with the same bundled versions (the seed on SQLite, `memorySourceOf` in
 * memory), then given the same appends, both give identical instances, versions, sets and change
 * records for every query, and refuse the same appends with the same codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeDraft } from '../../src/core/change-record.js';
import type { AppendVersionInput, Store } from '../../src/core/store.js';
import { VERSION_ZERO } from '../../src/core/version-id.js';
import type { CatalogSource } from '../../src/service/catalog.js';
import { loadBundledDataset, type BundledDataset } from '../../src/service/bundle.js';
import { SEED_NOTICE_DAYS } from '../../src/core/history-append.js';
import { seedStore } from '../../src/service/seed.js';
import { MemoryCatalogSource } from '../../src/store/memory/memory-catalog-source.js';
import { memorySourceOf } from '../../src/store/memory/memory-dataset.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readBundled } from '../helpers/bundled-data.js';

/** Four real versions: three of Worldwide (one before change records had an impact), one of China. */
const PICKED: Readonly<Record<string, readonly string[]>> = {
  Worldwide: ['2018102900', '2024073100', '2025013000'],
  China: ['2025063000'],
};

function picked(dataset: BundledDataset): BundledDataset {
  return {
    ...dataset,
    instances: dataset.instances
      .filter((i) => PICKED[i.instance] !== undefined)
      .map((i) => ({
        ...i,
        versions: i.versions.filter((v) => PICKED[i.instance]!.includes(v.version)),
      })),
  };
}

/** Everything the catalog can ask, for every stored version and a few that are not stored. */
async function answers(source: CatalogSource): Promise<unknown> {
  const out: Record<string, unknown> = {};
  const instances = await source.listInstances();
  out.instances = instances;
  for (const instance of [...instances.map((s) => s.instance), 'Mars']) {
    out[`${instance} versions`] = await source.listVersions?.(instance);
    const versions = instances.find((s) => s.instance === instance)?.versions ?? [];
    // Before everything, each stored version, between two of them, after the latest.
    const probes = [VERSION_ZERO, ...versions, '2024120100', '2099010100'];
    for (const version of probes) {
      out[`${instance} sets ${version}`] = await source.getEndpointSets(instance, version);
      out[`${instance} after ${version}`] = await source.getChanges(instance, { after: version });
      out[`${instance} of ${version}`] = await source.getChanges(instance, { version });
    }
  }
  return out;
}

/** An error's code, or 'ok'. */
async function outcome(append: Promise<unknown>): Promise<string> {
  return append.then(
    () => 'ok',
    (error: { code?: string; message?: string }) => error.code ?? `no code: ${error.message}`,
  );
}

let sqlite: Store;
let memory: MemoryCatalogSource;
beforeAll(async () => {
  const dataset = picked(await loadBundledDataset());
  sqlite = await createSqliteStore({ filename: ':memory:' });
  await seedStore(sqlite, dataset);
  memory = await memorySourceOf(dataset, { noticeDays: SEED_NOTICE_DAYS });
});
afterAll(async () => {
  await sqlite.close();
});

describe('the same real versions in SQLite and in memory', () => {
  it('seeded alike: every answer is identical', async () => {
    const expected = await answers(sqlite);
    expect((await sqlite.listInstances()).map((s) => s.instance)).toEqual(['Worldwide', 'China']);
    expect(await answers(memory)).toStrictEqual(expected);
  });

  it('the same appends are stored alike, explicit ids out of order included, and refused alike', async () => {
    const sets = readBundled('Worldwide', '2025092900');
    const change = (id?: number, endpointSetId = 46, version = '2025092900'): ChangeDraft => ({
      ...(id === undefined ? {} : { id }),
      endpointSetId,
      disposition: 'Change',
      version,
      impact: 'OtherNonPriorityChanges',
      current: { notes: 'changed' },
    });
    const append: AppendVersionInput = {
      instance: 'Worldwide',
      version: '2025092900',
      sets,
      // A mirror's upstream ids (out of order), then drafts that take the next ones.
      changes: [change(9_001, 40), change(9_000, 41), change(), change(undefined, 47)],
      expectedLatest: '2025013000',
      publishedAt: '2025-09-29T12:30:00+02:00',
      relaxedRules: ['private', 'broad-prefix'],
      notify: false,
    };
    const refusals = [
      // Not based on the latest any more; a version that does not go forward; a reused change id.
      { ...append, version: '2025093000', expectedLatest: '2024073100', changes: [] },
      { ...append, version: '2025092900', expectedLatest: '2025092900' },
      {
        ...append,
        version: '2025100100',
        expectedLatest: '2025092900',
        changes: [change(9_000, 46, '2025100100')],
      },
      { ...append, instance: 'bad name' },
    ];
    for (const source of [sqlite, memory]) {
      expect(await outcome(source.appendVersion(append))).toBe('ok');
      const codes = [];
      for (const refused of refusals) codes.push(await outcome(source.appendVersion(refused)));
      expect(codes).toEqual(['ERR_CONFLICT', 'ERR_CONFLICT', 'ERR_CONFLICT', 'ERR_VALIDATION']);
    }
    expect(await answers(memory)).toStrictEqual(await answers(sqlite));
  });
});

describe('the memory source alone', () => {
  it('moves its revision on every append and tells its listeners until they unsubscribe', async () => {
    const source = new MemoryCatalogSource();
    const seen: string[] = [];
    const unsubscribe = source.onRevision(() => seen.push('told'));
    const first = await source.revision();
    const sets = readBundled('USGovDoD', '2024093000');
    await source.appendVersion({
      instance: 'USGovDoD',
      version: '2024093000',
      sets,
      changes: [],
      expectedLatest: null,
    });
    const second = await source.revision();
    expect(second).not.toBe(first);
    expect(seen).toEqual(['told']);
    // A refused append changes nothing and tells nobody.
    await expect(
      source.appendVersion({
        instance: 'USGovDoD',
        version: '2024093000',
        sets,
        changes: [],
        expectedLatest: null,
      }),
    ).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    expect(await source.revision()).toBe(second);
    unsubscribe();
    source.setOverlayChanges([]);
    expect(await source.revision()).not.toBe(second);
    expect(seen).toEqual(['told']);
  });

  it('keeps its own copy of what it was given, and hands out copies of its lists', async () => {
    const source = new MemoryCatalogSource();
    const sets = readBundled('China', '2025063000');
    const firstIp = sets[0]!.ips?.[0];
    await source.appendVersion({
      instance: 'China',
      version: '2025063000',
      sets,
      changes: [],
      expectedLatest: null,
    });
    (sets[0]!.ips as string[]).push('192.0.2.0/24');
    const stored = (await source.getEndpointSets('China', '2025063000'))!;
    expect(stored[0]!.ips).not.toContain('192.0.2.0/24');
    expect(stored[0]!.ips?.[0]).toBe(firstIp);
    stored.length = 0;
    expect(await source.getEndpointSets('China', '2025063000')).toHaveLength(sets.length);
  });

  it('holds the overlay history it is given, by id, per instance', async () => {
    const source = new MemoryCatalogSource();
    expect(await source.listOverlayChanges()).toEqual([]);
    const at = '2025-06-01T00:00:00.000Z';
    source.setOverlayChanges([
      {
        id: 2,
        instance: 'Worldwide',
        entry: { action: 'remove', target: 1 },
        by: 'ops',
        note: '',
        at,
      },
      {
        id: 1,
        instance: 'Worldwide',
        entry: { action: 'exclude', ips: ['52.112.0.0/14'] },
        by: 'ops',
        note: 'lab',
        at,
      },
      {
        id: 3,
        instance: 'China',
        entry: { action: 'exclude', setIds: [1] },
        by: 'ops',
        note: '',
        at,
      },
    ]);
    expect((await source.listOverlayChanges()).map((c) => c.id)).toEqual([1, 2, 3]);
    expect((await source.listOverlayChanges('Worldwide')).map((c) => c.id)).toEqual([1, 2]);
  });
});
