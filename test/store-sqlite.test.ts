/**
 * The Store contract against the SQLite adapter on a real file, plus what only SQLite has:
 * migrations on open, WAL, another process appending to the same file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AppendVersionInput, Store } from '../src/core/store.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { defineStoreContract } from './store-contract.js';

/** The first version of a store, with nothing in it: what the concurrency tests append on. */
const FIRST_EMPTY_VERSION: AppendVersionInput = {
  instance: 'Worldwide',
  version: '2026112800',
  expectedLatest: null,
  sets: [],
  changes: [],
};

function tempFile(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-sqlite-'));
  return { dir, file: join(dir, 'ipurl.db') };
}

defineStoreContract('sqlite', async () => {
  const { dir, file } = tempFile();
  const store = await createSqliteStore({ filename: file });
  const others: Store[] = [];
  return {
    store,
    async openAnother() {
      const other = await createSqliteStore({ filename: file });
      others.push(other);
      return other;
    },
    async destroy() {
      for (const s of [store, ...others]) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite store specifics', () => {
  it('applies migrations on first open, reports them, and finds them applied on the next', async () => {
    const { dir, file } = tempFile();
    try {
      const first = await createSqliteStore({ filename: file });
      expect(first.migrations.map((m) => [m.version, m.status])).toEqual(
        SQLITE_MIGRATIONS.map((m) => [m.version, 'applied']),
      );
      await first.close();
      const second = await createSqliteStore({ filename: file });
      expect(second.migrations.map((m) => m.status)).toEqual(
        SQLITE_MIGRATIONS.map(() => 'already-applied'),
      );
      await second.close();
      const raw = new Database(file, { readonly: true });
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file whose schema is newer than this ipurl knows', async () => {
    const { dir, file } = tempFile();
    try {
      await (await createSqliteStore({ filename: file })).close();
      const raw = new Database(file);
      raw
        .prepare(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '2030-01-01')",
        )
        .run();
      raw.close();
      await expect(createSqliteStore({ filename: file })).rejects.toMatchObject({
        code: 'ERR_STORAGE',
        message: /schema version 999/,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wraps an unopenable file as ERR_STORAGE naming the file', async () => {
    await expect(
      createSqliteStore({ filename: '/nonexistent-dir/ipurl.db' }),
    ).rejects.toMatchObject({
      code: 'ERR_STORAGE',
      message: /\/nonexistent-dir\/ipurl\.db/,
    });
  });

  it('sees a version appended by another process through revision() and listVersions()', async () => {
    const { dir, file } = tempFile();
    const store = await createSqliteStore({ filename: file });
    try {
      const before = await store.revision();
      const script = `
        import { createSqliteStore } from './src/store/sqlite/sqlite-store.ts';
        const s = await createSqliteStore({ filename: process.argv[1] });
        await s.appendVersion({ instance: 'Worldwide', version: '2026112800', expectedLatest: null, sets: [], changes: [] });
        await s.close();
      `;
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script, file],
        {
          cwd: process.cwd(),
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(await store.revision()).not.toBe(before);
      expect((await store.listVersions('Worldwide')).map((v) => v.version)).toEqual(['2026112800']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two processes appending on one expectedLatest: exactly one wins, the other gets ERR_CONFLICT', async () => {
    const { dir, file } = tempFile();
    const store = await createSqliteStore({ filename: file });
    try {
      await store.appendVersion(FIRST_EMPTY_VERSION);
      // Each child builds a 5,000-set version first, then appends it: the writes overlap in time.
      const script = (version: string) => `
        import { createSqliteStore } from './src/store/sqlite/sqlite-store.ts';
        const s = await createSqliteStore({ filename: process.argv[1] });
        const sets = Array.from({ length: 5000 }, (_, i) => ({ id: i + 1, serviceArea: 'Common',
          serviceAreaDisplayName: 'Common', ips: ['10.0.0.' + (i % 250) + '/32'], expressRoute: false,
          category: 'Default', required: true }));
        try {
          await s.appendVersion({ instance: 'Worldwide', version: '${version}', expectedLatest: '2026112800', sets, changes: [] });
          process.stdout.write('won');
        } catch (e) {
          process.stdout.write(e.code);
        }
        await s.close();
      `;
      const run = (version: string) =>
        new Promise<string>((resolve) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', '--input-type=module', '-e', script(version), file],
            {
              cwd: process.cwd(),
            },
          );
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.on('exit', () => resolve(out));
        });
      const outcomes = await Promise.all([run('2026112801'), run('2026112802')]);
      expect(outcomes.sort()).toEqual(['ERR_CONFLICT', 'won']);
      const versions = (await store.listVersions('Worldwide')).map((v) => v.version);
      expect(versions).toHaveLength(2);
      expect((await store.listVersions('Worldwide'))[0]?.setCount).toBe(5000);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns a write lock held past busy_timeout into ERR_CONFLICT that says to retry', async () => {
    const { dir, file } = tempFile();
    const store = await createSqliteStore({ filename: file, busyTimeoutMs: 50 });
    const raw = new Database(file);
    try {
      raw.exec('BEGIN IMMEDIATE');
      await expect(store.appendVersion(FIRST_EMPTY_VERSION)).rejects.toMatchObject({
        code: 'ERR_CONFLICT',
        message: /retry/i,
      });
      raw.exec('ROLLBACK');
      await store.appendVersion(FIRST_EMPTY_VERSION);
    } finally {
      raw.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
