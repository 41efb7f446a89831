/**
 * SQLite schema migrations (the list: ../migrations.ts): each applied once in its own IMMEDIATE
 * transaction. Applied on every open; `ipurl migrate` shows the steps.
 */
import type Database from 'better-sqlite3';
import { IpurlError } from '../../core/errors.js';
import {
  afterMigration,
  checkNotNewer,
  migrationStep,
  SQLITE_SCHEMA,
  type Migration,
  type MigrationStep,
} from '../migrations.js';

export const SQLITE_MIGRATIONS = SQLITE_SCHEMA.migrations;

interface AppliedRow {
  version: number;
  applied_at: string;
}

/** Apply every pending migration; safe when several processes open the same new file at once. */
export function migrateSqlite(db: Database.Database, filename: string): MigrationStep[] {
  db.exec(SQLITE_SCHEMA.migrationsTable);
  const applyOne = db.transaction((migration: Migration): MigrationStep => {
    // Re-read inside the write lock: another process may have applied it meanwhile.
    const row = db
      .prepare('SELECT version, applied_at FROM schema_migrations WHERE version = ?')
      .get(migration.version) as AppliedRow | undefined;
    if (row) return migrationStep(migration, 'already-applied', row.applied_at);
    const appliedAt = new Date().toISOString();
    db.exec(migration.sql);
    for (const { sql, values } of afterMigration(migration, appliedAt))
      db.prepare(sql).run(...values);
    return migrationStep(migration, 'applied', appliedAt);
  });
  const newest = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
    v: number | null;
  };
  checkNotNewer(filename, newest.v ?? 0, SQLITE_SCHEMA.known);
  return SQLITE_MIGRATIONS.map((migration) => applyOne.immediate(migration));
}

/**
 * For a read-only open: the steps already applied, or ERR_STORAGE when the file needs a migration
 * (a reader never migrates) or is newer than this ipurl.
 */
export function checkSqliteSchema(db: Database.Database, filename: string): MigrationStep[] {
  const known = SQLITE_SCHEMA.known;
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  const rows = hasTable
    ? (db
        .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
        .all() as Array<AppliedRow & { name: string }>)
    : [];
  const newest = Math.max(0, ...rows.map((r) => r.version));
  checkNotNewer(filename, newest, known);
  if (newest < known) {
    throw new IpurlError(
      'ERR_STORAGE',
      `${filename} has schema version ${newest}; this ipurl needs ${known}. Reading does not change the file: run "ipurl migrate --db ${filename}" first`,
    );
  }
  return rows.map((r) => migrationStep(r, 'already-applied', r.applied_at));
}
