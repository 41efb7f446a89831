/**
 * Versions on PostgreSQL: instances, versions, endpoint sets, change records, set ids and the
 * revision. `appendInTransaction` publishes a version in one transaction serialised per instance
 * by an advisory lock (re-reading the latest under it: ERR_CONFLICT when it moved), with bulk
 * inserts, the webhook deliveries it enqueues (the outbox, postgres-webhooks.ts) and the revision
 * bump with its NOTIFY, delivered at COMMIT only.
 */
import type pg from 'pg';
import type { ChangeRecord } from '../../core/change-record.js';
import type { EndpointSet } from '../../core/endpoint-set.js';
import type { AppendVersionInput, AppendVersionResult } from '../../core/store.js';
import { duplicateChangeIdError, validateAppendInput } from '../append-input.js';
import { planAppend } from '../append-plan.js';
import { COMMON_SQL, VERSION_SQL } from '../statements.js';
import type { VersionMethods } from '../store-parts.js';
import {
  isoDate,
  toInstanceSummaries,
  toRevision,
  toVersionRecord,
  type VersionRow,
} from '../store-rows.js';
import { bumpRevision, lockAppends, pgCode, type PgDeps } from './postgres-deps.js';
import { numberedAll } from './postgres-placeholders.js';

const SQL = numberedAll(VERSION_SQL);

/** Publish one version inside the caller's transaction (see the module comment). */
async function appendInTransactionOf(
  client: pg.PoolClient,
  input: AppendVersionInput,
  schema: string,
  channel: string,
): Promise<AppendVersionResult> {
  const { instance, version } = input;
  await lockAppends(client, schema, instance);
  // Everything the append needs to know, read after the lock (a fresh READ COMMITTED snapshot).
  const known = await client.query<{ latest: string | null; max_id: string; hooks: number[] }>(
    `SELECT (SELECT MAX(version) FROM versions WHERE instance = $1) AS latest,
              (SELECT COALESCE(MAX(id), 0) FROM change_records WHERE instance = $1)::text AS max_id,
              (SELECT COALESCE(array_agg(id ORDER BY id), '{}') FROM webhooks WHERE instance = $1) AS hooks`,
    [instance],
  );
  const row = known.rows[0];
  const plan = planAppend(input, row?.latest ?? null, Number(row?.max_id ?? 0));
  await client.query(SQL.insertVersion, plan.versionValues);
  if (input.sets.length > 0) {
    // One JSON array text split server-side: json (not jsonb) elements keep their exact text,
    // and it is about twice as fast as a text[] parameter (no array-literal escaping). The set
    // ids feed the never-reused registry in the same statement.
    await client.query(
      `WITH inserted AS (
           INSERT INTO endpoint_sets (instance, version, id, service_area, body)
           SELECT $1, $2, (e ->> 'id')::int, e ->> 'serviceArea', e::text FROM json_array_elements($3::json) AS e
           RETURNING id, service_area
         )
         INSERT INTO set_ids (instance, id, service_area) SELECT $1, id, service_area FROM inserted
         ON CONFLICT (instance, id) DO UPDATE SET service_area = excluded.service_area
           WHERE set_ids.service_area <> excluded.service_area`,
      [instance, version, JSON.stringify(input.sets)],
    );
  }
  const { changes } = plan;
  if (changes.length > 0) {
    try {
      await client.query(
        `INSERT INTO change_records (instance, id, version, endpoint_set_id, body)
           SELECT $1, (e ->> 'id')::bigint, $2, (e ->> 'endpointSetId')::int, e::text
             FROM json_array_elements($3::json) AS e`,
        [instance, version, JSON.stringify(changes)],
      );
    } catch (error) {
      if (pgCode(error) === '23505') throw duplicateChangeIdError(instance, error);
      throw error;
    }
  }
  const deliveries: string[] = [];
  const hooks = input.notify === false ? [] : (row?.hooks ?? []);
  if (hooks.length > 0) {
    const now = new Date().toISOString();
    for (const _ of hooks) deliveries.push(globalThis.crypto.randomUUID());
    await client.query(
      `INSERT INTO deliveries (id, webhook_id, instance, version, status, attempts, next_attempt_at, created_at)
         SELECT t.id, t.webhook_id, $1, $2, 'pending', 0, $3, $3
         FROM unnest($4::text[], $5::int[]) WITH ORDINALITY AS t(id, webhook_id, n) ORDER BY t.n`,
      [instance, version, now, deliveries, hooks],
    );
  }
  await bumpRevision(client, channel);
  return { version: plan.version, changes, deliveries };
}

export function createPostgresVersions(deps: PgDeps): {
  readonly methods: VersionMethods;
  /** The append, inside a caller's transaction (held versions accept through it). */
  readonly appendInTransaction: (
    client: pg.PoolClient,
    input: AppendVersionInput,
  ) => Promise<AppendVersionResult>;
} {
  const { schema, channel, query, transaction } = deps;
  const appendInTransaction = (client: pg.PoolClient, input: AppendVersionInput) =>
    appendInTransactionOf(client, input, schema, channel);

  const methods: VersionMethods = {
    async listInstances() {
      const rows = await query<{ instance: string; version: string }>(
        'listInstances',
        SQL.allVersions,
      );
      return toInstanceSummaries(rows);
    },

    async listVersions(instance) {
      const rows = await query<VersionRow<Date>>('listVersions', SQL.versions, [instance]);
      return rows.map((row) => toVersionRecord(row, isoDate));
    },

    async getEndpointSets(instance, version) {
      // One statement, one snapshot: the version row and its sets, concatenated server-side.
      const rows = await query<{ body: string | null }>(
        'getEndpointSets',
        `SELECT (SELECT '[' || COALESCE(string_agg(s.body, ',' ORDER BY s.id), '') || ']'
                   FROM endpoint_sets s WHERE s.instance = v.instance AND s.version = v.version) AS body
           FROM versions v WHERE v.instance = $1 AND v.version = $2`,
        [instance, version],
      );
      const body = rows[0]?.body;
      return body === undefined || body === null ? undefined : (JSON.parse(body) as EndpointSet[]);
    },

    async getChanges(instance, q) {
      const [op, value] = 'after' in q ? ['>', q.after] : ['=', q.version];
      const rows = await query<{ body: string }>(
        'getChanges',
        `SELECT '[' || COALESCE(string_agg(body, ',' ORDER BY version, id), '') || ']' AS body
           FROM change_records WHERE instance = $1 AND version ${op} $2`,
        [instance, value],
      );
      return JSON.parse(rows[0]?.body ?? '[]') as ChangeRecord[];
    },

    async knownSetIds(instance) {
      const rows = await query<{ id: number; service_area: string }>(
        'knownSetIds',
        SQL.knownSetIds,
        [instance],
      );
      return new Map(rows.map((row) => [row.id, row.service_area]));
    },

    async appendVersion(input) {
      validateAppendInput(input);
      return transaction(`appendVersion ${input.instance} ${input.version}`, (client) =>
        appendInTransaction(client, input),
      );
    },

    async revision() {
      return toRevision(
        await query<{ key: string; value: string }>('revision', COMMON_SQL.revision),
      );
    },

    async isEmpty() {
      const rows = await query('isEmpty', SQL.anyVersion);
      return rows.length === 0;
    },
  };
  return { methods, appendInTransaction };
}
