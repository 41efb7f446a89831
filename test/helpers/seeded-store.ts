/**
 * A SQLite store holding the whole bundled history, as `ipurl seed` leaves it: a copy of the one
 * the run's globalSetup seeded (test/helpers/global-setup.ts), or seeded here when the file runs
 * without it.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { inject } from 'vitest';
import { loadBundledDataset } from '../../src/service/bundle.js';
import { seedStore } from '../../src/service/seed.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** Write a seeded SQLite store at `file` (which must not exist yet). */
export async function createSeededStoreFile(file: string): Promise<void> {
  if (existsSync(file)) throw new Error(`createSeededStoreFile: ${file} exists already`);
  const template = inject('seededStoreTemplate') as string | undefined;
  if (template !== undefined && existsSync(template)) {
    copyFileSync(template, file);
    return;
  }
  const store = await createSqliteStore({ filename: file });
  try {
    await seedStore(store, await loadBundledDataset());
  } finally {
    await store.close();
  }
}
