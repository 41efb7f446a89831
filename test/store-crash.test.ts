/**
 * kill -9 during appends (issue 3, "Atomic publish"): a child process appends 2,000-set versions
 * in a loop; it is killed with SIGKILL at arbitrary moments, several times. After each kill the
 * store must hold only whole versions: every listed version has all its sets and its change
 * records, no records or sets of unlisted versions, and the next append works.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/core/store.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { LOOP_CHANGES, LOOP_SETS, loopInput } from './helpers/append-loop.js';
import {
  POSTGRES_URL,
  dropSchema,
  postgresReachable,
  uniqueSchemaName,
} from './helpers/postgres.js';
import { processScript } from './helpers/process-bundles.js';
import { describeWith } from './helpers/system.js';

const KILLS = 4;

/** Start the loop, let it commit at least `minCommits` versions, then SIGKILL it mid-flight. */
async function runAndKill(
  args: string[],
  minCommits: number,
  extraDelayMs: number,
): Promise<string[]> {
  const child = spawn(process.execPath, [processScript('append-loop'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const committed: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      committed.push(...chunk.toString().split('\n').filter(Boolean));
      if (committed.length >= minCommits) resolve();
    });
    child.on('exit', (code) => reject(new Error(`append loop exited early (${code}): ${stderr}`)));
  });
  // Land the kill somewhere inside a later append, not at a commit boundary we chose.
  await new Promise((r) => setTimeout(r, extraDelayMs));
  child.kill('SIGKILL');
  await exited;
  return committed;
}

async function checkWhole(store: Store, committed: readonly string[]): Promise<number> {
  const versions = await store.listVersions('Crash');
  const listed = versions.map((v) => v.version);
  // Everything the child reported as committed is there (a kill after COMMIT may add one more).
  for (const v of committed) expect(listed).toContain(v);
  for (const v of versions) {
    expect(v.setCount).toBe(LOOP_SETS);
    expect((await store.getEndpointSets('Crash', v.version))?.length).toBe(LOOP_SETS);
    expect((await store.getChanges('Crash', { version: v.version })).length).toBe(LOOP_CHANGES);
  }
  const all = await store.getChanges('Crash', { after: '0000000000' });
  expect(all).toHaveLength(versions.length * LOOP_CHANGES);
  expect(new Set(all.map((c) => c.version))).toEqual(new Set(listed));
  expect(all.map((c) => c.id)).toEqual(all.map((_, i) => i + 1));
  return versions.length;
}

describe('SQLite survives kill -9 during appends', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`holds only whole versions after ${KILLS} kills`, async () => {
    const file = join(dir, 'crash.db');
    let count = 0;
    for (let round = 0; round < KILLS; round++) {
      const committed = await runAndKill([file], 1, 37 + round * 53);
      const store = await createSqliteStore({ filename: file });
      try {
        const now = await checkWhole(store, committed);
        expect(now).toBeGreaterThan(count);
        count = now;
      } finally {
        await store.close();
      }
    }
  }, 120_000);
});

const reachable = await postgresReachable();

describeWith('PostgreSQL at 127.0.0.1:5432', reachable)(
  'PostgreSQL survives kill -9 of the publishing client',
  () => {
    const schema = uniqueSchemaName('ipurl_crash');
    afterAll(() => dropSchema(schema));

    it(`holds only whole versions after ${KILLS} kills`, async () => {
      const { createPostgresStore } = await import('../src/store/postgres/postgres-store.js');
      let count = 0;
      for (let round = 0; round < KILLS; round++) {
        const committed = await runAndKill([POSTGRES_URL, schema], 1, 37 + round * 53);
        const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema });
        try {
          const now = await checkWhole(store, committed);
          expect(now).toBeGreaterThan(count);
          count = now;
          // The killed client's transaction is gone: the next append is not blocked by its lock.
          await store.appendVersion(
            loopInput(1000 + round, (await store.listVersions('Crash'))[0]!.version),
          );
          count++;
        } finally {
          await store.close();
        }
      }
    }, 120_000);
  },
);
