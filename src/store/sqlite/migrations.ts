/**
 * SQLite schema migrations: an ordered list, each applied once in its own IMMEDIATE transaction
 * and recorded in `schema_migrations`. Applied on every open; `ipurl migrate` shows the steps.
 * Never edit a released migration: add the next one.
 */
import type Database from 'better-sqlite3';
import { IpurlError } from '../../core/errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** What happened to one migration on this open. */
export interface MigrationStep {
  readonly version: number;
  readonly name: string;
  readonly status: 'applied' | 'already-applied';
  /** When it was applied (now for `applied`). */
  readonly appliedAt: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema: versions, endpoint sets, change records, state, webhooks, deliveries',
    sql: `
      -- One row per store: its identity and a revision counter bumped in every append
      -- transaction, so any process on the file sees a new version with one indexed read.
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE versions (
        instance     TEXT NOT NULL,
        version      TEXT NOT NULL,
        published_at TEXT NOT NULL,
        set_count    INTEGER NOT NULL,
        PRIMARY KEY (instance, version)
      );

      -- body: the set's JSON exactly as published (key order, notes: "" kept).
      CREATE TABLE endpoint_sets (
        instance     TEXT NOT NULL,
        version      TEXT NOT NULL,
        id           INTEGER NOT NULL,
        service_area TEXT NOT NULL,
        body         TEXT NOT NULL,
        PRIMARY KEY (instance, version, id),
        FOREIGN KEY (instance, version) REFERENCES versions (instance, version)
      );

      -- Every set id ever published per instance (ids are never reused).
      CREATE TABLE set_ids (
        instance     TEXT NOT NULL,
        id           INTEGER NOT NULL,
        service_area TEXT NOT NULL,
        PRIMARY KEY (instance, id)
      ) WITHOUT ROWID;

      CREATE TABLE change_records (
        instance        TEXT NOT NULL,
        id              INTEGER NOT NULL,
        version         TEXT NOT NULL,
        endpoint_set_id INTEGER NOT NULL,
        body            TEXT NOT NULL,
        PRIMARY KEY (instance, id),
        FOREIGN KEY (instance, version) REFERENCES versions (instance, version)
      );
      CREATE INDEX change_records_by_version ON change_records (instance, version, id);

      CREATE TABLE state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      -- AUTOINCREMENT: a removed webhook's id is never handed out again.
      CREATE TABLE webhooks (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        instance   TEXT NOT NULL,
        url        TEXT NOT NULL,
        secret     TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX webhooks_by_instance ON webhooks (instance, id);

      -- The outbox. No foreign key to webhooks: a removed webhook keeps its delivery history.
      -- seq orders deliveries in insertion order (ids are random UUIDs).
      CREATE TABLE deliveries (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT NOT NULL UNIQUE,
        webhook_id       INTEGER NOT NULL,
        instance         TEXT NOT NULL,
        version          TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  TEXT,
        last_attempt_at  TEXT,
        last_status_code INTEGER,
        last_error       TEXT,
        created_at       TEXT NOT NULL
      );
      CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at, seq);
    `,
  },
  {
    version: 2,
    name: 'held versions (the change guard) and the event of a webhook delivery',
    sql: `
      -- A version the change guard held, kept apart from the served ones until a person accepts
      -- (appended as normal versions) or rejects it. steps: the JSON array of versions to append,
      -- '[]' once decided. report: the guard's figures (core/change-guard.ts GuardReport).
      CREATE TABLE held_versions (
        instance   TEXT NOT NULL,
        version    TEXT NOT NULL,
        based_on   TEXT NOT NULL,
        status     TEXT NOT NULL CHECK (status IN ('held', 'accepted', 'rejected', 'superseded')),
        held_at    TEXT NOT NULL,
        decided_at TEXT,
        versions   TEXT NOT NULL,
        report     TEXT NOT NULL,
        steps      TEXT NOT NULL,
        PRIMARY KEY (instance, version)
      );
      CREATE INDEX held_versions_by_status ON held_versions (instance, status);

      ALTER TABLE deliveries ADD COLUMN event TEXT NOT NULL DEFAULT 'version.published';
    `,
  },
  {
    version: 3,
    name: 'versions.relaxed_rules: the sanity-policy rules a publisher relaxed for a version',
    sql: `
      -- Comma-separated rule names (core/sanity-policy.ts), '' when none was relaxed.
      ALTER TABLE versions ADD COLUMN relaxed_rules TEXT NOT NULL DEFAULT '';
    `,
  },
  {
    version: 4,
    name: 'observations: addresses a resolver answered for names of URL-only sets (ipurl observe)',
    sql: `
      -- One row per (instance, set, name, address): first and last time a run saw it and the
      -- TTL of the last answer. Kept apart from published data; expired by last_seen.
      CREATE TABLE observations (
        instance   TEXT NOT NULL,
        set_id     INTEGER NOT NULL,
        name       TEXT NOT NULL,
        address    TEXT NOT NULL,
        family     INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen  TEXT NOT NULL,
        ttl        INTEGER NOT NULL,
        PRIMARY KEY (instance, set_id, name, address)
      );
      CREATE INDEX observations_by_last_seen ON observations (instance, last_seen);
    `,
  },
  {
    version: 5,
    name: 'overlay_changes: the local overlay of each instance, one row per change (ipurl overlay)',
    sql: `
      -- Append-only history: an addition, an exclusion, or the removal of an earlier change
      -- (entry: the JSON of core/overlay.ts OverlayEntry). Ids are unique across instances, so
      -- "ipurl overlay remove <id>" needs no instance. deliveries: the JSON array of the
      -- overlay.changed webhook deliveries queued with the change.
      CREATE TABLE overlay_changes (
        id            INTEGER PRIMARY KEY,
        instance      TEXT NOT NULL,
        action        TEXT NOT NULL CHECK (action IN ('add', 'exclude', 'remove')),
        entry         TEXT NOT NULL,
        by_user       TEXT NOT NULL,
        note          TEXT NOT NULL,
        at            TEXT NOT NULL,
        relaxed_rules TEXT NOT NULL DEFAULT '',
        warnings      TEXT NOT NULL DEFAULT '[]',
        deliveries    TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX overlay_changes_by_instance ON overlay_changes (instance, id);
    `,
  },
];

interface AppliedRow {
  version: number;
  applied_at: string;
}

/** Apply every pending migration; safe when several processes open the same new file at once. */
export function migrateSqlite(db: Database.Database, filename: string): MigrationStep[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const known = Math.max(0, ...SQLITE_MIGRATIONS.map((m) => m.version));
  const steps: MigrationStep[] = [];
  const applyOne = db.transaction((migration: Migration): MigrationStep => {
    // Re-read inside the write lock: another process may have applied it meanwhile.
    const row = db
      .prepare('SELECT version, applied_at FROM schema_migrations WHERE version = ?')
      .get(migration.version) as AppliedRow | undefined;
    if (row)
      return {
        version: migration.version,
        name: migration.name,
        status: 'already-applied',
        appliedAt: row.applied_at,
      };
    const appliedAt = new Date().toISOString();
    db.exec(migration.sql);
    if (migration.version === 1) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('store_id', ?), ('revision', '0')").run(
        globalThis.crypto.randomUUID(),
      );
    }
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      migration.version,
      migration.name,
      appliedAt,
    );
    return { version: migration.version, name: migration.name, status: 'applied', appliedAt };
  });
  const newest = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
    v: number | null;
  };
  if (newest.v !== null && newest.v > known) {
    throw new IpurlError(
      'ERR_STORAGE',
      `${filename} has schema version ${newest.v}, newer than this ipurl knows (${known}); upgrade ipurl to open it`,
    );
  }
  for (const migration of SQLITE_MIGRATIONS) steps.push(applyOne.immediate(migration));
  return steps;
}

/**
 * For a read-only open: the steps already applied, or ERR_STORAGE when the file needs a migration
 * (a reader never migrates) or is newer than this ipurl.
 */
export function checkSqliteSchema(db: Database.Database, filename: string): MigrationStep[] {
  const known = Math.max(0, ...SQLITE_MIGRATIONS.map((m) => m.version));
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  const rows = hasTable
    ? (db
        .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
        .all() as Array<AppliedRow & { name: string }>)
    : [];
  const newest = Math.max(0, ...rows.map((r) => r.version));
  if (newest > known) {
    throw new IpurlError(
      'ERR_STORAGE',
      `${filename} has schema version ${newest}, newer than this ipurl knows (${known}); upgrade ipurl to open it`,
    );
  }
  if (newest < known) {
    throw new IpurlError(
      'ERR_STORAGE',
      `${filename} has schema version ${newest}; this ipurl needs ${known}. Reading does not change the file: run "ipurl migrate --db ${filename}" first`,
    );
  }
  return rows.map((r) => ({
    version: r.version,
    name: r.name,
    status: 'already-applied' as const,
    appliedAt: r.applied_at,
  }));
}
