/**
 * The scale-out Store: PostgreSQL (pg 8) shared by any number of replicas. Same behaviour as the
 * SQLite adapter (test/store-contract.ts runs against both):
 * - `appendVersion` is one transaction serialised per instance by a transaction-scoped advisory
 *   lock, re-reading the latest version under the lock (optimistic concurrency, ERR_CONFLICT);
 *   sets and records go in with `unnest` bulk inserts so a 20,000-set version is a few statements.
 * - `revision()` reads a counter row bumped in the append transaction; the same transaction
 *   NOTIFYs a channel, and `onRevision` LISTENs on a dedicated connection that reconnects (and
 *   fires once after reconnecting, because notifications sent meanwhile are lost).
 * - Every table lives in `schema` (default `public`), so tests and tenants can have their own.
 */
import pg from 'pg';
import type { ChangeRecord } from '../../core/change-record.js';
import type { EndpointSet } from '../../core/endpoint-set.js';
import { IpurlError, isIpurlError } from '../../core/errors.js';
import { relaxedRulesColumn } from '../../core/sanity-policy.js';
import { compareInstances } from '../../core/instance.js';
import type {
  AppendVersionInput,
  AppendVersionResult,
  ChangesQuery,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  InstanceSummary,
  Store,
  VersionRecord,
  Webhook,
} from '../../core/store.js';
import type { VersionId } from '../../core/version-id.js';
import {
  DELIVERY_STATUSES,
  assignChangeIds,
  checkLatest,
  duplicateChangeIdError,
  isoTimestamp,
  validateAppendInput,
} from '../append-input.js';
import { migratePostgres, quoteIdent, type MigrationStep } from './migrations.js';
import { createPostgresHeld } from './postgres-held.js';
import { createPostgresObservations } from './postgres-observations.js';
import { createPostgresOverlay } from './postgres-overlay.js';
import { checkDeliveryEvent } from '../held-input.js';

export interface PostgresStoreConfig {
  /** `postgres://user@host:port/db`, optionally with `?schema=name`. */
  readonly connectionString: string;
  /** Schema holding ipurl's tables (created by the migrations); default `public`. */
  readonly schema?: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
}

export interface PostgresStore extends Store {
  readonly schema: string;
  /** The migration steps of this open. */
  readonly migrations: readonly MigrationStep[];
}

const SCHEMA_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/** PostgreSQL SQLSTATEs that mean "someone else got there first: retry". */
const RETRYABLE = new Set(['40001', '40P01', '55P03']);

interface VersionRow {
  instance: string;
  version: string;
  published_at: Date;
  set_count: number;
  relaxed_rules: string;
}

interface WebhookRow {
  id: number;
  instance: string;
  url: string;
  secret: string;
  created_at: Date;
}

interface DeliveryRow {
  id: string;
  webhook_id: number;
  instance: string;
  version: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  event: string;
}

const DELIVERY_COLUMNS =
  'id, webhook_id, instance, version, status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error, created_at, event';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function toVersionRecord(row: VersionRow): VersionRecord {
  return {
    instance: row.instance,
    version: row.version,
    publishedAt: row.published_at.toISOString(),
    setCount: row.set_count,
    ...(row.relaxed_rules === '' ? {} : { relaxedRules: row.relaxed_rules.split(',') }),
  };
}

function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    instance: row.instance,
    url: row.url,
    secret: row.secret,
    createdAt: row.created_at.toISOString(),
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    instance: row.instance,
    version: row.version,
    ...(row.event === 'version.held' || row.event === 'overlay.changed'
      ? { event: row.event }
      : {}),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: iso(row.next_attempt_at),
    lastAttemptAt: iso(row.last_attempt_at),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
  };
}

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Where the server is, for messages (never the password). */
function describeTarget(connectionString: string, schema: string): string {
  try {
    const url = new URL(connectionString);
    return `postgres://${url.host}${url.pathname} schema ${schema}`;
  } catch {
    return `PostgreSQL schema ${schema}`;
  }
}

/**
 * `postgres://…/db?schema=name` selects a schema from the URL alone (what `--db` can carry); the
 * parameter is removed before the URL reaches pg, which would otherwise ignore it.
 */
export function splitSchemaParam(connectionString: string): {
  connectionString: string;
  schema?: string;
} {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return { connectionString };
  }
  const schema = url.searchParams.get('schema');
  if (schema === null) return { connectionString };
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

export async function createPostgresStore(config: PostgresStoreConfig): Promise<PostgresStore> {
  const fromUrl = splitSchemaParam(config.connectionString);
  config = { ...config, connectionString: fromUrl.connectionString };
  const schema = config.schema ?? fromUrl.schema ?? 'public';
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `schema must be a letter or "_" followed by up to 40 letters, digits or "_"; received "${schema}"`,
    );
  }
  const target = describeTarget(config.connectionString, schema);
  const channel = `ipurl_revision_${schema}`;

  const fail = (what: string, error: unknown): IpurlError => {
    if (isIpurlError(error)) return error;
    const code = pgCode(error);
    if (code !== undefined && RETRYABLE.has(code)) {
      return new IpurlError(
        'ERR_CONFLICT',
        `${what} collided with a concurrent write on ${target}; nothing was written. Retry.`,
        {
          cause: error,
        },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return new IpurlError('ERR_STORAGE', `PostgreSQL ${what} failed on ${target}: ${message}`, {
      cause: error,
    });
  };
  const guard = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw fail(what, error);
    }
  };

  const clientConfig: pg.ClientConfig = {
    connectionString: config.connectionString,
    options: `-c search_path=${quoteIdent(schema)}`,
    application_name: 'ipurl',
    // A server that does not answer must not hang /ready or a request forever.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  };
  const pool = new pg.Pool({ ...clientConfig, max: config.maxConnections ?? 10 });
  // An idle pooled connection that dies (server restart) must not crash the process; the next
  // query gets a fresh connection or a clear ERR_STORAGE.
  pool.on('error', () => undefined);

  let migrations: MigrationStep[];
  try {
    const client = await pool.connect();
    try {
      migrations = await migratePostgres(client, schema);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw fail('open', error);
  }

  const query = async <R extends pg.QueryResultRow>(
    what: string,
    text: string,
    values: unknown[] = [],
  ) => guard(what, async () => (await pool.query<R>(text, values)).rows);

  /** Run `work` in one transaction on one pooled connection. */
  const transaction = async <T>(
    what: string,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> =>
    guard(what, async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });

  // LISTEN/NOTIFY for onRevision: one dedicated connection, opened on the first subscription.
  const listeners = new Set<() => void>();
  let listener: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = () => {
    for (const fn of [...listeners]) {
      try {
        fn();
      } catch {
        // A listener's failure is its own; the others still hear the news.
      }
    }
  };
  const connectListener = async (attempt: number): Promise<void> => {
    if (closed || listeners.size === 0 || listener) return;
    const client = new pg.Client(clientConfig);
    const retry = () => {
      if (listener === client) listener = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (closed || listeners.size === 0) return;
      clearTimeout(reconnectTimer);
      reconnectTimer = setTimeout(
        () => void connectListener(attempt + 1),
        Math.min(5000, 100 * 2 ** Math.min(attempt, 6)),
      );
      reconnectTimer.unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => {
      if (message.channel === channel) fire();
    });
    listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
      // Anything published while we were not listening is unknown: tell the listeners to re-check.
      if (attempt > 0) fire();
    } catch {
      retry();
    }
  };

  const appendInTransaction = async (
    client: pg.PoolClient,
    input: AppendVersionInput,
  ): Promise<AppendVersionResult> => {
    const { instance, version } = input;
    // Serialise appends per instance across every replica; released at COMMIT/ROLLBACK.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `ipurl-append:${schema}:${instance}`,
    ]);
    // Everything the append needs to know, read after the lock (a fresh READ COMMITTED snapshot).
    const known = await client.query<{ latest: string | null; max_id: string; hooks: number[] }>(
      `SELECT (SELECT MAX(version) FROM versions WHERE instance = $1) AS latest,
              (SELECT COALESCE(MAX(id), 0) FROM change_records WHERE instance = $1)::text AS max_id,
              (SELECT COALESCE(array_agg(id ORDER BY id), '{}') FROM webhooks WHERE instance = $1) AS hooks`,
      [instance],
    );
    const row = known.rows[0];
    checkLatest(input, row?.latest ?? null);
    const publishedAt = isoTimestamp(input.publishedAt ?? new Date().toISOString(), 'publishedAt');
    const relaxed = relaxedRulesColumn(input.relaxedRules);
    await client.query(
      'INSERT INTO versions (instance, version, published_at, set_count, relaxed_rules) VALUES ($1, $2, $3, $4, $5)',
      [instance, version, publishedAt, input.sets.length, relaxed],
    );
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
    const changes = assignChangeIds(input.changes, Number(row?.max_id ?? 0));
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
    // Bump the revision and NOTIFY replicas; the notification is delivered at COMMIT, never for
    // a rolled-back append.
    await client.query(
      `WITH bumped AS (
         UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'revision' RETURNING value
       )
       SELECT pg_notify($1, value) FROM bumped`,
      [channel],
    );
    return {
      version: {
        instance,
        version,
        publishedAt,
        setCount: input.sets.length,
        ...(relaxed === '' ? {} : { relaxedRules: relaxed.split(',') }),
      },
      changes,
      deliveries,
    };
  };

  const store: PostgresStore = {
    kind: 'postgres',
    schema,
    migrations,
    ...createPostgresHeld({ schema, query, transaction, appendInTransaction }),
    ...createPostgresObservations({ query, transaction }),
    ...createPostgresOverlay({ query, transaction, channel }),

    async listInstances(): Promise<InstanceSummary[]> {
      const rows = await query<{ instance: string; version: string }>(
        'listInstances',
        'SELECT instance, version FROM versions ORDER BY instance, version DESC',
      );
      const byInstance = new Map<string, VersionId[]>();
      for (const row of rows) {
        const list = byInstance.get(row.instance);
        if (list) list.push(row.version);
        else byInstance.set(row.instance, [row.version]);
      }
      return [...byInstance.keys()].sort(compareInstances).map((instance) => {
        const versions = byInstance.get(instance) ?? [];
        return { instance, latest: versions[0] ?? '', versions };
      });
    },

    async listVersions(instance) {
      const rows = await query<VersionRow>(
        'listVersions',
        'SELECT instance, version, published_at, set_count, relaxed_rules FROM versions WHERE instance = $1 ORDER BY version DESC',
        [instance],
      );
      return rows.map(toVersionRecord);
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

    async getChanges(instance, q: ChangesQuery) {
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
        'SELECT id, service_area FROM set_ids WHERE instance = $1 ORDER BY id',
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
      const rows = await query<{ key: string; value: string }>(
        'revision',
        "SELECT key, value FROM meta WHERE key IN ('store_id', 'revision')",
      );
      const get = (key: string) => rows.find((row) => row.key === key)?.value ?? '';
      return `${get('store_id')}:${get('revision')}`;
    },

    onRevision(fn) {
      listeners.add(fn);
      void connectListener(0);
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0 && listener) {
          const client = listener;
          listener = undefined;
          client.removeAllListeners();
          client.on('error', () => undefined);
          void client.end().catch(() => undefined);
        }
      };
    },

    async getState(key) {
      const rows = await query<{ value: string }>(
        'getState',
        'SELECT value FROM state WHERE key = $1',
        [key],
      );
      return rows[0]?.value;
    },

    async setState(key, value) {
      await query(
        'setState',
        'INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
    },

    async listState() {
      // COLLATE "C": the same byte order as SQLite's, whatever the database's locale.
      return query<{ key: string; value: string }>(
        'listState',
        'SELECT key, value FROM state ORDER BY key COLLATE "C"',
      );
    },

    async addWebhook(input) {
      const createdAt = isoTimestamp(input.createdAt ?? new Date().toISOString(), 'createdAt');
      if (input.id === undefined) {
        const rows = await query<WebhookRow>(
          'addWebhook',
          'INSERT INTO webhooks (instance, url, secret, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
          [input.instance, input.url, input.secret, createdAt],
        );
        return toWebhook(rows[0]!);
      }
      const id = input.id;
      return transaction('addWebhook', async (client) => {
        const { rows } = await client.query<WebhookRow>(
          'INSERT INTO webhooks (id, instance, url, secret, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
          [id, input.instance, input.url, input.secret, createdAt],
        );
        // Later ids continue after the imported one (never below what was handed out).
        await client.query(
          "SELECT setval('webhook_ids', GREATEST((SELECT last_value FROM webhook_ids), $1))",
          [id],
        );
        return toWebhook(rows[0]!);
      });
    },

    async listWebhooks(instance) {
      const rows =
        instance === undefined
          ? await query<WebhookRow>('listWebhooks', 'SELECT * FROM webhooks ORDER BY id')
          : await query<WebhookRow>(
              'listWebhooks',
              'SELECT * FROM webhooks WHERE instance = $1 ORDER BY id',
              [instance],
            );
      return rows.map(toWebhook);
    },

    async removeWebhook(id) {
      return transaction('removeWebhook', async (client) => {
        const removed =
          (await client.query('DELETE FROM webhooks WHERE id = $1', [id])).rowCount ?? 0;
        if (removed > 0) {
          // Its pending deliveries can never be sent: close them so the outbox does not retry forever.
          await client.query(
            "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, last_error = 'webhook removed' WHERE webhook_id = $1 AND status = 'pending'",
            [id],
          );
        }
        return removed > 0;
      });
    },

    async dueDeliveries(now, limit) {
      const rows = await query<DeliveryRow>(
        'dueDeliveries',
        `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1
          ORDER BY next_attempt_at, seq LIMIT $2`,
        [isoTimestamp(now, 'now'), limit],
      );
      return rows.map(toDelivery);
    },

    async recordDeliveryAttempt(id, attempt: DeliveryAttempt) {
      const at = isoTimestamp(attempt.at, 'attempt.at');
      const next =
        attempt.delivered || attempt.nextAttemptAt === null
          ? null
          : isoTimestamp(attempt.nextAttemptAt, 'nextAttemptAt');
      const status: DeliveryStatus = attempt.delivered
        ? 'delivered'
        : next === null
          ? 'failed'
          : 'pending';
      const changed = await guard('recordDeliveryAttempt', async () =>
        pool.query(
          `UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = $1, last_status_code = $2, last_error = $3,
             status = $4, next_attempt_at = $5 WHERE id = $6`,
          [at, attempt.statusCode, attempt.error, status, next, id],
        ),
      );
      if ((changed.rowCount ?? 0) === 0)
        throw new IpurlError('ERR_NOT_FOUND', `no webhook delivery with id ${id}`);
    },

    async listDeliveries(filter = {}) {
      const limit = filter.limit ?? null;
      const rows =
        filter.status === undefined
          ? await query<DeliveryRow>(
              'listDeliveries',
              `SELECT ${DELIVERY_COLUMNS} FROM deliveries ORDER BY seq DESC LIMIT $1`,
              [limit],
            )
          : await query<DeliveryRow>(
              'listDeliveries',
              `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE status = $1 ORDER BY seq DESC LIMIT $2`,
              [filter.status, limit],
            );
      return rows.map(toDelivery);
    },

    async importDelivery(delivery) {
      if (!DELIVERY_STATUSES.includes(delivery.status)) {
        throw new IpurlError(
          'ERR_INVALID_PARAMETER',
          `delivery status must be pending, delivered or failed; received ${delivery.status}`,
        );
      }
      checkDeliveryEvent(delivery.event);
      const optional = (value: string | null, field: string) =>
        value === null ? null : isoTimestamp(value, field);
      await query(
        'importDelivery',
        `INSERT INTO deliveries (${DELIVERY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          delivery.id,
          delivery.webhookId,
          delivery.instance,
          delivery.version,
          delivery.status,
          delivery.attempts,
          optional(delivery.nextAttemptAt, 'nextAttemptAt'),
          optional(delivery.lastAttemptAt, 'lastAttemptAt'),
          delivery.lastStatusCode,
          delivery.lastError,
          isoTimestamp(delivery.createdAt, 'createdAt'),
          delivery.event ?? 'version.published',
        ],
      );
    },

    async isEmpty() {
      const rows = await query('isEmpty', 'SELECT 1 FROM versions LIMIT 1');
      return rows.length === 0;
    },

    async ping() {
      await query('ping', 'SELECT 1');
    },

    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(reconnectTimer);
      listeners.clear();
      if (listener) {
        const client = listener;
        listener = undefined;
        client.removeAllListeners();
        client.on('error', () => undefined);
        await client.end().catch(() => undefined);
      }
      await guard('close', () => pool.end());
    },
  };
  return store;
}
