/**
 * The schema migrations of both adapters: one ordered list, applied once each and recorded in
 * `schema_migrations`. The SQL is written once; where SQLite and PostgreSQL spell a column
 * differently (a point in time, a 64-bit id, a key that counts up and never hands a value out
 * twice), it names a SchemaTypes field, spelled below for each engine (side by side, so a reader
 * sees what every migration creates in both).
 * Never edit a released migration: add the next one. Its SQL, in either engine's types, must
 * keep creating exactly the schema it created when it was released.
 */
import { IpurlError } from '../core/errors.js';

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

/** The column spellings that differ between the two engines. */
interface SchemaTypes {
  /** A point in time: ISO text in SQLite (text order is time order), timestamptz in PostgreSQL. */
  readonly timestamp: string;
  /** A 64-bit integer (SQLite's INTEGER already is one). */
  readonly bigint: string;
  /** The key of a table whose rows are numbered in insertion order, never reusing a number. */
  readonly serialKey: string;
  /** After `CREATE TABLE set_ids (...)`: SQLite stores this small lookup table without rowids. */
  readonly withoutRowid: string;
  /**
   * The webhook id: never handed out again after a removal, and moved forward by an imported id
   * (ipurl copy). `before`/`after` run around `CREATE TABLE webhooks` (PostgreSQL's sequence).
   */
  readonly webhookId: { readonly before: string; readonly key: string; readonly after: string };
}

const SQLITE_TYPES: SchemaTypes = {
  timestamp: 'TEXT',
  bigint: 'INTEGER',
  // AUTOINCREMENT: a number is never handed out again, even after its row is deleted.
  serialKey: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  withoutRowid: ' WITHOUT ROWID',
  webhookId: { before: '', key: 'INTEGER PRIMARY KEY AUTOINCREMENT', after: '' },
};

const POSTGRES_TYPES: SchemaTypes = {
  timestamp: 'timestamptz',
  bigint: 'bigint',
  serialKey: 'bigserial PRIMARY KEY',
  withoutRowid: '',
  // An explicit sequence: ipurl copy moves it past an imported id (postgres-webhooks.ts).
  webhookId: {
    before: 'CREATE SEQUENCE webhook_ids;',
    key: "integer PRIMARY KEY DEFAULT nextval('webhook_ids')",
    after: 'ALTER SEQUENCE webhook_ids OWNED BY webhooks.id;',
  },
};

/** The schema of one engine: its migrations, and the table that records them. */
export interface EngineSchema {
  readonly migrations: readonly Migration[];
  /** Created before anything else. */
  readonly migrationsTable: string;
  /** The newest schema version this ipurl knows. */
  readonly known: number;
}

function engineSchema(t: SchemaTypes): EngineSchema {
  const migrations = schemaMigrations(t);
  return {
    migrations,
    migrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at ${t.timestamp} NOT NULL
  )`,
    known: Math.max(0, ...migrations.map((m) => m.version)),
  };
}

/** The ordered migrations, in the types of one engine. */
function schemaMigrations(t: SchemaTypes): readonly Migration[] {
  return [
    {
      version: 1,
      name: 'initial schema: versions, endpoint sets, change records, state, webhooks, deliveries',
      sql: `
      -- One row per store: its identity and a revision counter bumped in every append
      -- transaction, so any process (or replica) sees a new version with one indexed read.
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE versions (
        instance     TEXT NOT NULL,
        version      TEXT NOT NULL,
        published_at ${t.timestamp} NOT NULL,
        set_count    INTEGER NOT NULL,
        PRIMARY KEY (instance, version)
      );

      -- body: the set's JSON text exactly as published (key order, notes: "" kept; text, not
      -- jsonb, which reorders keys).
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
      )${t.withoutRowid};

      CREATE TABLE change_records (
        instance        TEXT NOT NULL,
        id              ${t.bigint} NOT NULL,
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

      ${t.webhookId.before}
      CREATE TABLE webhooks (
        id         ${t.webhookId.key},
        instance   TEXT NOT NULL,
        url        TEXT NOT NULL,
        secret     TEXT NOT NULL,
        created_at ${t.timestamp} NOT NULL
      );
      ${t.webhookId.after}
      CREATE INDEX webhooks_by_instance ON webhooks (instance, id);

      -- The outbox. No foreign key to webhooks: a removed webhook keeps its delivery history.
      -- seq orders deliveries in insertion order (ids are random UUIDs).
      CREATE TABLE deliveries (
        seq              ${t.serialKey},
        id               TEXT NOT NULL UNIQUE,
        webhook_id       INTEGER NOT NULL,
        instance         TEXT NOT NULL,
        version          TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  ${t.timestamp},
        last_attempt_at  ${t.timestamp},
        last_status_code INTEGER,
        last_error       TEXT,
        created_at       ${t.timestamp} NOT NULL
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
        held_at    ${t.timestamp} NOT NULL,
        decided_at ${t.timestamp},
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
        first_seen ${t.timestamp} NOT NULL,
        last_seen  ${t.timestamp} NOT NULL,
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
        id            ${t.bigint} PRIMARY KEY,
        instance      TEXT NOT NULL,
        action        TEXT NOT NULL CHECK (action IN ('add', 'exclude', 'remove')),
        entry         TEXT NOT NULL,
        by_user       TEXT NOT NULL,
        note          TEXT NOT NULL,
        at            ${t.timestamp} NOT NULL,
        relaxed_rules TEXT NOT NULL DEFAULT '',
        warnings      TEXT NOT NULL DEFAULT '[]',
        deliveries    TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX overlay_changes_by_instance ON overlay_changes (instance, id);
    `,
    },
  ];
}

/**
 * What runs after a migration's own SQL, in its transaction, in order: migration 1 gives the
 * store its identity and revision counter; every migration is recorded as applied.
 * Placeholders are `?` (the PostgreSQL adapter numbers them).
 */
export function afterMigration(
  migration: Migration,
  appliedAt: string,
): Array<{ readonly sql: string; readonly values: unknown[] }> {
  return [
    ...(migration.version === 1
      ? [
          {
            sql: "INSERT INTO meta (key, value) VALUES ('store_id', ?), ('revision', '0')",
            values: [globalThis.crypto.randomUUID()],
          },
        ]
      : []),
    {
      sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
      values: [migration.version, migration.name, appliedAt],
    },
  ];
}

export const SQLITE_SCHEMA = engineSchema(SQLITE_TYPES);
export const POSTGRES_SCHEMA = engineSchema(POSTGRES_TYPES);

export function migrationStep(
  migration: Pick<Migration, 'version' | 'name'>,
  status: MigrationStep['status'],
  appliedAt: string,
): MigrationStep {
  return { version: migration.version, name: migration.name, status, appliedAt };
}

/** A store written by a newer ipurl: refuse it rather than guess at its schema. */
export function checkNotNewer(where: string, newest: number, known: number): void {
  if (newest > known) {
    throw new IpurlError(
      'ERR_STORAGE',
      `${where} has schema version ${newest}, newer than this ipurl knows (${known}); upgrade ipurl to open it`,
    );
  }
}
