/**
 * The embedded default Store: one SQLite file (better-sqlite3 12), WAL so readers never wait for
 * the publisher, busy_timeout so concurrent writers queue instead of failing at once, foreign keys.
 * `appendVersion` is one IMMEDIATE transaction: a `kill -9` at any moment leaves the old or the
 * new version (SQLite's rollback of an uncommitted WAL frame), never a mixture.
 */
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { IpurlError } from '../../core/errors.js';
import type { Store } from '../../core/store.js';
import type { MigrationStep } from '../migrations.js';
import { checkSqliteSchema, migrateSqlite } from './migrations.js';
import { sqliteCode, sqliteFailure } from './sqlite-errors.js';
import { createSqliteHeld } from './sqlite-held.js';
import { createSqliteObservations } from './sqlite-observations.js';
import { createSqliteOverlay } from './sqlite-overlay.js';
import { createSqliteState } from './sqlite-state.js';
import { createSqliteVersions } from './sqlite-versions.js';
import { createSqliteWebhooks } from './sqlite-webhooks.js';

export interface SqliteStoreConfig {
  /** Path of the database file (created when missing), or `:memory:`. */
  readonly filename: string;
  /** How long a writer waits for another process's write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * Open an existing file for reading only: never creates, migrates or writes it (read commands).
   * A read-only file is readable; so is one in a read-only folder (then read as a snapshot).
   */
  readonly readonly?: boolean;
}

export interface SqliteStore extends Store {
  /** The migration steps of this open (applied now, or already applied earlier). */
  readonly migrations: readonly MigrationStep[];
}

/**
 * Open an existing file read-only. A WAL file in a folder the process cannot write cannot be
 * opened in place (SQLite needs its -shm file), so when the folder refuses and no -wal file holds
 * unmerged writes, the file is read as a snapshot into memory instead.
 */
function openReadOnly(filename: string): Database.Database {
  if (!existsSync(filename)) {
    throw new IpurlError('ERR_NOT_FOUND', `no store at ${filename}: the file does not exist`);
  }
  const db = new Database(filename, { readonly: true, fileMustExist: true });
  try {
    db.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
    return db;
  } catch (error) {
    db.close();
    if (sqliteCode(error) !== 'SQLITE_READONLY_DIRECTORY' || existsSync(`${filename}-wal`))
      throw error;
  }
  const image = readFileSync(filename);
  // Bytes 18 and 19 say "WAL"; an in-memory copy reads it as a rollback-journal file (1).
  if (image.length >= 20) image.fill(1, 18, 20);
  return new Database(image, { readonly: true });
}

export async function createSqliteStore(config: SqliteStoreConfig): Promise<SqliteStore> {
  const { filename } = config;
  const { fail, guard } = sqliteFailure(filename);

  let db: Database.Database;
  let migrations: MigrationStep[];
  try {
    db = config.readonly === true ? openReadOnly(filename) : new Database(filename);
  } catch (error) {
    throw fail(config.readonly === true ? 'open for reading' : 'open', error);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(config.busyTimeoutMs ?? 5000))}`);
    if (config.readonly === true) {
      migrations = checkSqliteSchema(db, filename);
    } else {
      db.pragma('journal_mode = WAL');
      // FULL: a committed publish survives power loss, not only a process crash.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrations = migrateSqlite(db, filename);
    }
  } catch (error) {
    db.close();
    throw fail(config.readonly === true ? 'open for reading' : 'open for writing', error);
  }

  const versions = createSqliteVersions(db, guard);
  const ping = db.prepare('SELECT 1');

  let closed = false;

  const store: SqliteStore = {
    kind: 'sqlite',
    migrations,
    ...versions.methods,
    ...createSqliteState(db, guard),
    ...createSqliteWebhooks(db, guard),
    ...createSqliteHeld(db, versions.append, guard),
    ...createSqliteObservations(db, guard),
    ...createSqliteOverlay(db, guard),

    async ping() {
      guard('ping', () => ping.get());
    },

    async close() {
      if (closed) return;
      closed = true;
      guard('close', () => db.close());
    },
  };
  return store;
}
