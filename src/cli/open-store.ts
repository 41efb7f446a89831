/**
 * The one place that picks a Store adapter: a `postgres://` URL selects PostgreSQL (loaded
 * lazily, so SQLite users never load `pg`), anything else is a SQLite file path.
 *
 * The empty-store rule, for every command that reads data (`openCommandStore`):
 * - the default store (no --db, no IPURL_DB / DATABASE_URL) is created and seeded from the
 *   bundled data/ on first use, as `ipurl serve` does (and a first seed that stopped half-way is
 *   finished: service/seed.ts);
 * - a store given explicitly that is missing or empty is never created or filled behind the
 *   user's back: the command stops with one line saying what to run;
 * - read commands open an existing SQLite file read-only (a read-only file or folder is readable).
 */
import { existsSync, statSync } from 'node:fs';
import { IpurlError } from '../core/errors.js';
import type { Store } from '../core/store.js';
import { loadBundledDataset } from '../service/bundle.js';
import { needsFirstSeed, seedStore } from '../service/seed.js';
import { DEFAULT_DB, resolveDb, settingFromEnv } from './config.js';

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

export async function openStore(db: string, options: { readonly?: boolean } = {}): Promise<Store> {
  if (isPostgresUrl(db)) {
    const { createPostgresStore } = await import('../store/postgres/postgres-store.js');
    return createPostgresStore({ connectionString: db });
  }
  const { createSqliteStore } = await import('../store/sqlite/sqlite-store.js');
  return createSqliteStore({
    filename: db,
    ...(options.readonly === true ? { readonly: true } : {}),
  });
}

/**
 * Run `work` on a store as it opens, and close the store afterwards whatever happens: the shape of
 * every command that reads or writes the store once.
 */
export async function withStore<T>(
  opening: Promise<Store>,
  work: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await opening;
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** A store location for messages: never print a password from a URL. */
export function describeDb(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const url = new URL(db);
    url.password = url.password === '' ? '' : '***';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Was the store named by the user (flag or environment), rather than the default ipurl.db? */
export function isExplicitDb(flag: string | undefined): boolean {
  return flag !== undefined || settingFromEnv('db') !== undefined;
}

/** The one line an empty, explicitly given store gets. */
export function emptyStoreError(db: string, missing: boolean): IpurlError {
  const where = describeDb(db);
  const arg = /\s/.test(where) ? `'${where}'` : where;
  return new IpurlError(
    'ERR_NOT_FOUND',
    `${missing ? `no store at ${where}` : `the store ${where} holds no version yet`}: run "ipurl seed --db ${arg}" to fill it from the bundled data, or "ipurl sync --db ${arg} --upstream https://endpoints.office.com"`,
  );
}

/** Seed an empty store from data/, saying so on stderr. */
export async function seedFromBundle(store: Store, db: string): Promise<void> {
  const result = await seedStore(store, await loadBundledDataset());
  process.stderr.write(
    `ipurl: filled ${describeDb(db)} from the bundled data (${result.appended} versions, ${result.changes} change records)\n`,
  );
}

export interface CommandStoreOptions {
  /** `read`: never writes (SQLite opened read-only); `write`: the command stores something. */
  readonly access: 'read' | 'write';
  /**
   * An explicitly given store may start empty (publish creating a first instance, sync, copy).
   * Default false: an empty explicit store is an error that says what to run.
   */
  readonly mayStartEmpty?: boolean;
}

/** Open the store of a command per the empty-store rule above. */
export async function openCommandStore(
  flag: string | undefined,
  options: CommandStoreOptions,
): Promise<Store> {
  const db = resolveDb(flag);
  const explicit = isExplicitDb(flag);
  const sqliteFile = !isPostgresUrl(db) && db !== ':memory:';
  if (!explicit && db === DEFAULT_DB && (!existsSync(db) || (await needsSeedFile(db)))) {
    let store: Store;
    try {
      store = await openStore(db);
    } catch (error) {
      throw new IpurlError(
        'ERR_STORAGE',
        `the default store ${db} is ${existsSync(db) ? 'empty' : 'missing'} and could not be created to fill it from the bundled data (${error instanceof Error ? error.message : String(error)}); run ipurl in a folder you can write, or give --db PATH`,
        { cause: error },
      );
    }
    try {
      if (await needsFirstSeed(store)) await seedFromBundle(store, db);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  if (sqliteFile && existsSync(db) && statSync(db).size === 0 && options.mayStartEmpty !== true) {
    throw emptyStoreError(db, false);
  }
  if (sqliteFile && !existsSync(db)) {
    if (options.access === 'read' || options.mayStartEmpty !== true)
      throw emptyStoreError(db, true);
    return openStore(db);
  }
  const store = await openStore(db, { readonly: options.access === 'read' && sqliteFile });
  if (options.mayStartEmpty !== true && (await store.isEmpty())) {
    await store.close();
    throw emptyStoreError(db, false);
  }
  return store;
}

/**
 * An existing default file holding no version (an earlier command created it empty), or one whose
 * first seed stopped half-way.
 */
async function needsSeedFile(db: string): Promise<boolean> {
  if (statSync(db).size === 0) return true;
  const store = await openStore(db, { readonly: true }).catch(() => undefined);
  if (store === undefined) return false;
  try {
    return await needsFirstSeed(store);
  } finally {
    await store.close();
  }
}
