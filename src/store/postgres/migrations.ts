/**
 * PostgreSQL schema migrations (`ipurl migrate`, and on every open): an ordered list applied in
 * one transaction under an advisory lock, so replicas starting together on a new database
 * migrate it once. Recorded in `schema_migrations` inside the store's schema. Never edit a
 * released migration: add the next one.
 */
import type pg from 'pg';
import { IpurlError } from '../../core/errors.js';

export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** What happened to one migration on this open. */
export interface MigrationStep {
  readonly version: number;
  readonly name: string;
  readonly status: 'applied' | 'already-applied';
  readonly appliedAt: string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial schema: versions, endpoint sets, change records, state, webhooks, deliveries',
    sql: `
      -- store_id and a revision counter bumped in every append transaction (replicas poll it).
      CREATE TABLE meta (
        key   text PRIMARY KEY,
        value text NOT NULL
      );

      CREATE TABLE versions (
        instance     text NOT NULL,
        version      text NOT NULL,
        published_at timestamptz NOT NULL,
        set_count    integer NOT NULL,
        PRIMARY KEY (instance, version)
      );

      -- body: the set's JSON text exactly as published (text, not jsonb: jsonb reorders keys).
      CREATE TABLE endpoint_sets (
        instance     text NOT NULL,
        version      text NOT NULL,
        id           integer NOT NULL,
        service_area text NOT NULL,
        body         text NOT NULL,
        PRIMARY KEY (instance, version, id),
        FOREIGN KEY (instance, version) REFERENCES versions (instance, version)
      );

      CREATE TABLE set_ids (
        instance     text NOT NULL,
        id           integer NOT NULL,
        service_area text NOT NULL,
        PRIMARY KEY (instance, id)
      );

      CREATE TABLE change_records (
        instance        text NOT NULL,
        id              bigint NOT NULL,
        version         text NOT NULL,
        endpoint_set_id integer NOT NULL,
        body            text NOT NULL,
        PRIMARY KEY (instance, id),
        FOREIGN KEY (instance, version) REFERENCES versions (instance, version)
      );
      CREATE INDEX change_records_by_version ON change_records (instance, version, id);

      CREATE TABLE state (
        key   text PRIMARY KEY,
        value text NOT NULL
      );

      -- An explicit sequence: a removed webhook's id is never handed out again, and an imported
      -- id (ipurl copy) moves it forward.
      CREATE SEQUENCE webhook_ids;
      CREATE TABLE webhooks (
        id         integer PRIMARY KEY DEFAULT nextval('webhook_ids'),
        instance   text NOT NULL,
        url        text NOT NULL,
        secret     text NOT NULL,
        created_at timestamptz NOT NULL
      );
      ALTER SEQUENCE webhook_ids OWNED BY webhooks.id;
      CREATE INDEX webhooks_by_instance ON webhooks (instance, id);

      -- The outbox. No foreign key to webhooks: a removed webhook keeps its delivery history.
      CREATE TABLE deliveries (
        seq              bigserial PRIMARY KEY,
        id               text NOT NULL UNIQUE,
        webhook_id       integer NOT NULL,
        instance         text NOT NULL,
        version          text NOT NULL,
        status           text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz,
        last_attempt_at  timestamptz,
        last_status_code integer,
        last_error       text,
        created_at       timestamptz NOT NULL
      );
      CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at, seq);
    `,
  },
  {
    version: 2,
    name: 'held versions (the change guard) and the event of a webhook delivery',
    sql: `
      -- A version the change guard held, kept apart from the served ones until a person accepts
      -- (appended as normal versions) or rejects it. steps: the JSON text of the versions to
      -- append, '[]' once decided. report: the guard's figures (core/change-guard.ts GuardReport).
      CREATE TABLE held_versions (
        instance   text NOT NULL,
        version    text NOT NULL,
        based_on   text NOT NULL,
        status     text NOT NULL CHECK (status IN ('held', 'accepted', 'rejected', 'superseded')),
        held_at    timestamptz NOT NULL,
        decided_at timestamptz,
        versions   text NOT NULL,
        report     text NOT NULL,
        steps      text NOT NULL,
        PRIMARY KEY (instance, version)
      );
      CREATE INDEX held_versions_by_status ON held_versions (instance, status);

      ALTER TABLE deliveries ADD COLUMN event text NOT NULL DEFAULT 'version.published';
    `,
  },
  {
    version: 3,
    name: 'versions.relaxed_rules: the sanity-policy rules a publisher relaxed for a version',
    sql: `
      -- Comma-separated rule names (core/sanity-policy.ts), '' when none was relaxed.
      ALTER TABLE versions ADD COLUMN relaxed_rules text NOT NULL DEFAULT '';
    `,
  },
  {
    version: 4,
    name: 'observations: addresses a resolver answered for names of URL-only sets (ipurl observe)',
    sql: `
      -- One row per (instance, set, name, address): first and last time a run saw it and the
      -- TTL of the last answer. Kept apart from published data; expired by last_seen.
      CREATE TABLE observations (
        instance   text NOT NULL,
        set_id     integer NOT NULL,
        name       text NOT NULL,
        address    text NOT NULL,
        family     integer NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen  timestamptz NOT NULL,
        ttl        integer NOT NULL,
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
        id            bigint PRIMARY KEY,
        instance      text NOT NULL,
        action        text NOT NULL CHECK (action IN ('add', 'exclude', 'remove')),
        entry         text NOT NULL,
        by_user       text NOT NULL,
        note          text NOT NULL,
        at            timestamptz NOT NULL,
        relaxed_rules text NOT NULL DEFAULT '',
        warnings      text NOT NULL DEFAULT '[]',
        deliveries    text NOT NULL DEFAULT '[]'
      );
      CREATE INDEX overlay_changes_by_instance ON overlay_changes (instance, id);
    `,
  },
];

/** Quote an identifier for SQL text. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Apply every pending migration in `schema` (created when missing). */
export async function migratePostgres(
  client: pg.ClientBase,
  schema: string,
): Promise<MigrationStep[]> {
  const known = Math.max(0, ...POSTGRES_MIGRATIONS.map((m) => m.version));
  await client.query('BEGIN');
  try {
    // One migrator per schema at a time, across every process on this database.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `ipurl-migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL
    )`);
    const applied = await client.query<{ version: number; applied_at: Date }>(
      'SELECT version, applied_at FROM schema_migrations ORDER BY version',
    );
    const newest = applied.rows.at(-1)?.version ?? 0;
    if (newest > known) {
      throw new IpurlError(
        'ERR_STORAGE',
        `schema ${schema} has schema version ${newest}, newer than this ipurl knows (${known}); upgrade ipurl to open it`,
      );
    }
    const steps: MigrationStep[] = [];
    for (const migration of POSTGRES_MIGRATIONS) {
      const row = applied.rows.find((r) => r.version === migration.version);
      if (row) {
        steps.push({
          ...pick(migration),
          status: 'already-applied',
          appliedAt: row.applied_at.toISOString(),
        });
        continue;
      }
      const appliedAt = new Date().toISOString();
      await client.query(migration.sql);
      if (migration.version === 1) {
        await client.query(
          "INSERT INTO meta (key, value) VALUES ('store_id', $1), ('revision', '0')",
          [globalThis.crypto.randomUUID()],
        );
      }
      await client.query(
        'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
        [migration.version, migration.name, appliedAt],
      );
      steps.push({ ...pick(migration), status: 'applied', appliedAt });
    }
    await client.query('COMMIT');
    return steps;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function pick(migration: PostgresMigration): { version: number; name: string } {
  return { version: migration.version, name: migration.name };
}
