/**
 * Once per test run (vitest globalSetup):
 * - a SQLite store seeded from the bundled data/, which test files copy
 *   (test/helpers/seeded-store.ts) instead of each seeding its own — seeding the whole history is
 *   seconds of CPU, a file copy is milliseconds, and the bytes are the same;
 * - the programs tests start as real processes, compiled once (test/helpers/process-bundles.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadBundledDataset } from '../../src/service/bundle.js';
import { seedStore } from '../../src/service/seed.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { buildProcessBundles, removeProcessBundles } from './process-bundles.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A closed SQLite file holding the whole bundled history; copy it, never open it. */
    seededStoreTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const bundles = buildProcessBundles();
  project.provide('processBundles', bundles);
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-seeded-template-'));
  const file = join(dir, 'seeded.db');
  const store = await createSqliteStore({ filename: file });
  try {
    await seedStore(store, await loadBundledDataset());
  } finally {
    await store.close();
  }
  project.provide('seededStoreTemplate', file);
  return () => {
    rmSync(dir, { recursive: true, force: true });
    removeProcessBundles(bundles);
  };
}
