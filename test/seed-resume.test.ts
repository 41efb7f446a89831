/**
 * A first seed that stops half-way is finished on the next start (src/service/seed.ts), and
 * `/ready` answers 503 while it is incomplete:
 * - a store whose writes fail after N versions (what a full disk does), in process, checked
 *   against a reference store seeded in one go;
 * - a real full disk: `ipurl seed` as a real process into a small tmpfs fills it and fails
 *   (exit 5); a server over the half-seeded store is not ready and says why; after the tmpfs is
 *   grown, `ipurl serve`'s start (startServer) and a default-store command finish the seed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpurlError } from '../src/core/errors.js';
import type { Store } from '../src/core/store.js';
import { loadBundledDataset, type BundledDataset } from '../src/service/bundle.js';
import {
  incompleteSeedReason,
  readIncompleteSeed,
  readSeedRecord,
  seedStore,
} from '../src/service/seed.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { runIpurl } from './cli/run-cli.js';
import { rawGet, serveStoreFile } from './helpers/server.js';
import { describeWith } from './helpers/system.js';

/** The store, whose appendVersion fails like a full disk once `limit` versions went in. */
function failingAfter(store: Store, limit: number): Store {
  let appended = 0;
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'appendVersion') {
        return async (input: Parameters<Store['appendVersion']>[0]) => {
          if (appended >= limit)
            throw new IpurlError(
              'ERR_STORAGE',
              `SQLite appendVersion ${input.instance} ${input.version} failed: database or disk is full`,
            );
          appended++;
          return target.appendVersion(input);
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

/** Everything a client can read of a store's history, per instance. */
async function history(store: Store): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const summary of await store.listInstances()) {
    out[summary.instance] = {
      versions: summary.versions,
      changes: await store.getChanges(summary.instance, { after: '0000000000' }),
      latestSets: await store.getEndpointSets(summary.instance, summary.latest),
    };
  }
  return out;
}

let dataset: BundledDataset;
let total: number;
let reference: Store;
let complete: unknown;

beforeAll(async () => {
  dataset = await loadBundledDataset();
  total = dataset.instances.reduce((n, i) => n + i.versions.length, 0);
  reference = await createSqliteStore({ filename: ':memory:' });
  await seedStore(reference, dataset);
  complete = await history(reference);
});
afterAll(async () => {
  await reference.close();
});

describe('a first seed interrupted half-way (writes fail after N versions)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ipurl-seed-resume-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // 20: inside Worldwide; 50: Worldwide done, USGovDoD half-way; 37: exactly after Worldwide
  // (the instances not yet begun must still be filled, although the store is no longer empty).
  for (const limit of [20, 37, 50]) {
    it(`after ${limit} versions: the record says incomplete, and the next seed ends with the whole bundled history`, async () => {
      const file = join(dir, `stop-${limit}.db`);
      const store = await createSqliteStore({ filename: file });
      try {
        await expect(seedStore(failingAfter(store, limit), dataset)).rejects.toMatchObject({
          code: 'ERR_STORAGE',
        });
        const stored = (await store.listInstances()).reduce((n, s) => n + s.versions.length, 0);
        expect(stored).toBe(limit);
        expect(await readIncompleteSeed(store)).toMatchObject({ bundledVersions: total });
        expect(await incompleteSeedReason(store)).toMatch(
          new RegExp(
            `first seed from the bundled data is incomplete .*${limit} of ${total} versions stored`,
          ),
        );

        // ipurl status says so too, and exits 5 like /ready's 503 (an explicit --db is only read).
        const status = await runIpurl(['status', '--db', file, '--json']);
        expect(status.code).toBe(5);
        expect(JSON.parse(status.stdout)).toMatchObject({
          seed: { complete: false, reason: expect.stringContaining(`${limit} of ${total}`) },
        });

        const result = await seedStore(store, dataset);
        expect(result.appended).toBe(total - limit);
        expect(await history(store)).toEqual(complete);
        expect(await readIncompleteSeed(store)).toBeUndefined();
        expect(await incompleteSeedReason(store)).toBeUndefined();
        const after = await runIpurl(['status', '--db', file]);
        expect(after.code).toBe(0);
        expect(after.stdout).not.toContain('seed:');
      } finally {
        await store.close();
      }
    });
  }

  it('a seed that completes records when it started and completed', async () => {
    const store = await createSqliteStore({ filename: join(dir, 'whole.db') });
    try {
      await seedStore(store, dataset);
      expect(await readSeedRecord(store)).toEqual({
        startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        bundledVersions: total,
        completedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(await history(store)).toEqual(complete);
    } finally {
      await store.close();
    }
  });
});

/** Can this process mount a tmpfs (root in a machine or container that allows it)? */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'ipurl-tmpfs-probe-'));
  try {
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status !== 0)
      return false;
    spawnSync('umount', [probe]);
    return true;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describeWith('mounting a small tmpfs (root)', canMountTmpfs())(
  'a first seed stopped by a real full disk',
  () => {
    let mountPoint: string;
    let dbFile: string;
    beforeAll(() => {
      mountPoint = mkdtempSync(join(tmpdir(), 'ipurl-full-disk-'));
      // The whole seeded store takes about 4 MB: 1.5 MB fills up part-way through.
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1536k', 'tmpfs', mountPoint]);
      expect(mounted.status).toBe(0);
      mkdirSync(join(mountPoint, 'work'));
      dbFile = join(mountPoint, 'work', 'ipurl.db');
    });
    afterAll(() => {
      spawnSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    it('ipurl seed fails with exit 5 naming the full disk, leaving whole versions and an incomplete seed record', async () => {
      const run = await runIpurl(['seed', '--db', dbFile]);
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/full/i);
      const store = await createSqliteStore({ filename: dbFile, readonly: true });
      try {
        const stored = (await store.listInstances()).reduce((n, s) => n + s.versions.length, 0);
        expect(stored).toBeGreaterThan(0);
        expect(stored).toBeLessThan(total);
        expect(await incompleteSeedReason(store)).toMatch(/incomplete/);
      } finally {
        await store.close();
      }
    }, 120_000);

    it('a server over the half-seeded store answers /ready 503 naming the incomplete seed, /health degraded', async () => {
      // seed: false, as a server that does not seed (a mirror, or a replica) would see it.
      expect(spawnSync('mount', ['-o', 'remount,size=64m', mountPoint]).status).toBe(0);
      const server = await serveStoreFile(dbFile);
      try {
        const ready = await rawGet(server.url, '/ready');
        expect(ready.status).toBe(503);
        expect(ready.json()).toMatchObject({
          ready: false,
          reason: expect.stringMatching(
            /first seed from the bundled data is incomplete .* versions stored\): restart ipurl serve or run ipurl seed/,
          ),
        });
        const health = await rawGet(server.url, '/health');
        expect(health.status).toBe(200);
        expect(health.json()).toMatchObject({
          status: 'degraded',
          seed: { complete: false, reason: expect.stringMatching(/incomplete/) },
        });
      } finally {
        await server.close();
      }
    }, 60_000);

    it('the next serve start finishes the seed: the whole bundled history, /ready 200', async () => {
      const server = await serveStoreFile(dbFile, { seed: true });
      try {
        expect(await history(server.store)).toEqual(complete);
        const ready = await rawGet(server.url, '/ready');
        expect(ready.status).toBe(200);
        expect(ready.json()).toMatchObject({ ready: true, instances: 5 });
        const health = await rawGet(server.url, '/health');
        expect(health.json()).toMatchObject({ status: 'ok', seed: { complete: true } });
      } finally {
        await server.close();
      }
    }, 120_000);

    it('a command on the default store finishes a first seed that stopped half-way', async () => {
      const cwd = join(mountPoint, 'default');
      mkdirSync(cwd);
      rmSync(join(mountPoint, 'work'), { recursive: true, force: true });
      expect(spawnSync('mount', ['-o', 'remount,size=1536k', mountPoint]).status).toBe(0);
      // The default store (ipurl.db in the working folder) fills the disk on its first use.
      const first = await runIpurl(['lookup', '13.107.6.152'], { cwd });
      expect(first.code).toBe(5);
      expect(spawnSync('mount', ['-o', 'remount,size=64m', mountPoint]).status).toBe(0);
      const second = await runIpurl(['lookup', '13.107.6.152'], { cwd });
      expect(second.stderr).toMatch(/filled ipurl\.db from the bundled data/);
      expect(second.code).toBe(0);
      const store = await createSqliteStore({ filename: join(cwd, 'ipurl.db'), readonly: true });
      try {
        expect(await history(store)).toEqual(complete);
        expect(await readIncompleteSeed(store)).toBeUndefined();
      } finally {
        await store.close();
      }
    }, 180_000);
  },
);
