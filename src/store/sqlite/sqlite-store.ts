/**
 * The embedded default Store: one SQLite file (better-sqlite3 12), WAL so readers never wait for
 * the publisher, busy_timeout so concurrent writers queue instead of failing at once, foreign keys.
 * `appendVersion` is one IMMEDIATE transaction: a `kill -9` at any moment leaves the old or the
 * new version (SQLite's rollback of an uncommitted WAL frame), never a mixture.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ChangeRecord } from '../../core/change-record.js';
import type { EndpointSet } from '../../core/endpoint-set.js';
import { IpurlError, isIpurlError } from '../../core/errors.js';
import { compareInstances } from '../../core/instance.js';
import { relaxedRulesColumn } from '../../core/sanity-policy.js';
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
import { checkSqliteSchema, migrateSqlite, type MigrationStep } from './migrations.js';
import { createSqliteHeld } from './sqlite-held.js';
import { createSqliteObservations } from './sqlite-observations.js';
import { createSqliteOverlay } from './sqlite-overlay.js';
import { checkDeliveryEvent } from '../held-input.js';

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

interface VersionRow {
  instance: string;
  version: string;
  published_at: string;
  set_count: number;
  relaxed_rules: string;
}

interface WebhookRow {
  id: number;
  instance: string;
  url: string;
  secret: string;
  created_at: string;
}

interface DeliveryRow {
  id: string;
  webhook_id: number;
  instance: string;
  version: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  event: string;
}

const DELIVERY_COLUMNS =
  'id, webhook_id, instance, version, status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error, created_at, event';

function toVersionRecord(row: VersionRow): VersionRecord {
  return {
    instance: row.instance,
    version: row.version,
    publishedAt: row.published_at,
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
    createdAt: row.created_at,
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
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
  };
}

/** Parse stored JSON bodies (already valid JSON text) as one array: one parser call, not n. */
function parseBodies<T>(rows: ReadonlyArray<{ body: string }>): T[] {
  if (rows.length === 0) return [];
  return JSON.parse(`[${rows.map((row) => row.body).join(',')}]`) as T[];
}

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
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
  const fail = (what: string, error: unknown): IpurlError => {
    if (isIpurlError(error)) return error;
    const code = sqliteCode(error);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT') {
      return new IpurlError(
        'ERR_CONFLICT',
        `${filename} is locked by another writer (${what}); nothing was written. Retry in a moment.`,
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    if (code?.startsWith('SQLITE_READONLY') === true) {
      return new IpurlError(
        'ERR_STORAGE',
        `cannot write ${filename} (${what}): ${code === 'SQLITE_READONLY_DIRECTORY' ? `its folder ${dirname(filename)} is read-only` : 'the file is read-only'}; nothing was written`,
        { cause: error },
      );
    }
    if (code === 'SQLITE_CANTOPEN') {
      return new IpurlError(
        'ERR_STORAGE',
        `cannot open ${filename} (${what}): ${existsSync(dirname(filename)) ? `the folder ${dirname(filename)} does not let ipurl create or open the file (read-only or no permission)` : `the folder ${dirname(filename)} does not exist`}`,
        { cause: error },
      );
    }
    return new IpurlError('ERR_STORAGE', `SQLite ${what} failed on ${filename}: ${message}`, {
      cause: error,
    });
  };
  /** Run synchronous driver work; every driver error leaves as an IpurlError. */
  const guard = <T>(what: string, work: () => T): T => {
    try {
      return work();
    } catch (error) {
      throw fail(what, error);
    }
  };

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

  const stmt = {
    allVersions: db.prepare(
      'SELECT instance, version FROM versions ORDER BY instance, version DESC',
    ),
    versions: db.prepare(
      'SELECT instance, version, published_at, set_count, relaxed_rules FROM versions WHERE instance = ? ORDER BY version DESC',
    ),
    latest: db.prepare('SELECT MAX(version) AS latest FROM versions WHERE instance = ?'),
    versionExists: db.prepare('SELECT 1 FROM versions WHERE instance = ? AND version = ?'),
    sets: db.prepare(
      'SELECT body FROM endpoint_sets WHERE instance = ? AND version = ? ORDER BY id',
    ),
    changesAfter: db.prepare(
      'SELECT body FROM change_records WHERE instance = ? AND version > ? ORDER BY version, id',
    ),
    changesOf: db.prepare(
      'SELECT body FROM change_records WHERE instance = ? AND version = ? ORDER BY id',
    ),
    knownSetIds: db.prepare('SELECT id, service_area FROM set_ids WHERE instance = ? ORDER BY id'),
    maxChangeId: db.prepare(
      'SELECT COALESCE(MAX(id), 0) AS max FROM change_records WHERE instance = ?',
    ),
    insertVersion: db.prepare(
      'INSERT INTO versions (instance, version, published_at, set_count, relaxed_rules) VALUES (?, ?, ?, ?, ?)',
    ),
    insertSet: db.prepare(
      'INSERT INTO endpoint_sets (instance, version, id, service_area, body) VALUES (?, ?, ?, ?, ?)',
    ),
    upsertSetId: db.prepare(
      'INSERT INTO set_ids (instance, id, service_area) VALUES (?, ?, ?) ON CONFLICT (instance, id) DO UPDATE SET service_area = excluded.service_area WHERE set_ids.service_area <> excluded.service_area',
    ),
    insertChange: db.prepare(
      'INSERT INTO change_records (instance, id, version, endpoint_set_id, body) VALUES (?, ?, ?, ?, ?)',
    ),
    webhookIdsOf: db.prepare('SELECT id FROM webhooks WHERE instance = ? ORDER BY id'),
    insertDelivery: db.prepare(
      `INSERT INTO deliveries (${DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, NULL, ?, 'version.published')`,
    ),
    bumpRevision: db.prepare(
      "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'",
    ),
    revision: db.prepare("SELECT key, value FROM meta WHERE key IN ('store_id', 'revision')"),
    getState: db.prepare('SELECT value FROM state WHERE key = ?'),
    setState: db.prepare(
      'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    listState: db.prepare('SELECT key, value FROM state ORDER BY key'),
    insertWebhook: db.prepare(
      'INSERT INTO webhooks (instance, url, secret, created_at) VALUES (?, ?, ?, ?) RETURNING *',
    ),
    insertWebhookWithId: db.prepare(
      'INSERT INTO webhooks (id, instance, url, secret, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
    ),
    webhooks: db.prepare('SELECT * FROM webhooks ORDER BY id'),
    webhooksOf: db.prepare('SELECT * FROM webhooks WHERE instance = ? ORDER BY id'),
    deleteWebhook: db.prepare('DELETE FROM webhooks WHERE id = ?'),
    abandonDeliveries: db.prepare(
      "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, last_error = 'webhook removed' WHERE webhook_id = ? AND status = 'pending'",
    ),
    dueDeliveries: db.prepare(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?`,
    ),
    recordAttempt: db.prepare(
      `UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = ?, last_status_code = ?, last_error = ?,
         status = ?, next_attempt_at = ? WHERE id = ?`,
    ),
    listDeliveries: db.prepare(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries ORDER BY seq DESC LIMIT ?`,
    ),
    listDeliveriesBy: db.prepare(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE status = ? ORDER BY seq DESC LIMIT ?`,
    ),
    importDelivery: db.prepare(
      `INSERT INTO deliveries (${DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    anyVersion: db.prepare('SELECT 1 FROM versions LIMIT 1'),
    ping: db.prepare('SELECT 1'),
  };

  const append = db.transaction((input: AppendVersionInput): AppendVersionResult => {
    const { instance, version } = input;
    const latest = (stmt.latest.get(instance) as { latest: string | null }).latest;
    checkLatest(input, latest);
    const publishedAt = isoTimestamp(input.publishedAt ?? new Date().toISOString(), 'publishedAt');
    const relaxed = relaxedRulesColumn(input.relaxedRules);
    stmt.insertVersion.run(instance, version, publishedAt, input.sets.length, relaxed);
    for (const set of input.sets) {
      stmt.insertSet.run(instance, version, set.id, set.serviceArea, JSON.stringify(set));
      stmt.upsertSetId.run(instance, set.id, set.serviceArea);
    }
    const { max } = stmt.maxChangeId.get(instance) as { max: number };
    const changes = assignChangeIds(input.changes, max);
    for (const record of changes) {
      try {
        stmt.insertChange.run(
          instance,
          record.id,
          version,
          record.endpointSetId,
          JSON.stringify(record),
        );
      } catch (error) {
        if (sqliteCode(error)?.startsWith('SQLITE_CONSTRAINT'))
          throw duplicateChangeIdError(instance, error);
        throw error;
      }
    }
    const deliveries: string[] = [];
    if (input.notify !== false) {
      const now = new Date().toISOString();
      for (const { id: webhookId } of stmt.webhookIdsOf.all(instance) as Array<{ id: number }>) {
        const id = globalThis.crypto.randomUUID();
        stmt.insertDelivery.run(id, webhookId, instance, version, now, now);
        deliveries.push(id);
      }
    }
    stmt.bumpRevision.run();
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
  });

  const removeWebhook = db.transaction((id: number): boolean => {
    const removed = stmt.deleteWebhook.run(id).changes > 0;
    // Its pending deliveries can never be sent: close them so the outbox does not retry forever.
    if (removed) stmt.abandonDeliveries.run(id);
    return removed;
  });

  let closed = false;

  const store: SqliteStore = {
    kind: 'sqlite',
    migrations,
    ...createSqliteHeld(db, append, guard),
    ...createSqliteObservations(db, guard),
    ...createSqliteOverlay(db, guard),

    async listInstances(): Promise<InstanceSummary[]> {
      const rows = guard(
        'listInstances',
        () => stmt.allVersions.all() as Array<{ instance: string; version: string }>,
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
      return guard('listVersions', () =>
        (stmt.versions.all(instance) as VersionRow[]).map(toVersionRecord),
      );
    },

    async getEndpointSets(instance, version) {
      return guard('getEndpointSets', () => {
        // One read transaction, so the existence check and the rows come from one snapshot.
        return db.transaction(() => {
          if (!stmt.versionExists.get(instance, version)) return undefined;
          return parseBodies<EndpointSet>(
            stmt.sets.all(instance, version) as Array<{ body: string }>,
          );
        })();
      });
    },

    async getChanges(instance, query: ChangesQuery) {
      return guard('getChanges', () => {
        const rows =
          'after' in query
            ? stmt.changesAfter.all(instance, query.after)
            : stmt.changesOf.all(instance, query.version);
        return parseBodies<ChangeRecord>(rows as Array<{ body: string }>);
      });
    },

    async knownSetIds(instance) {
      return guard('knownSetIds', () => {
        const rows = stmt.knownSetIds.all(instance) as Array<{ id: number; service_area: string }>;
        return new Map(rows.map((row) => [row.id, row.service_area]));
      });
    },

    async appendVersion(input) {
      validateAppendInput(input);
      return guard(`appendVersion ${input.instance} ${input.version}`, () =>
        append.immediate(input),
      );
    },

    async revision() {
      return guard('revision', () => {
        const rows = stmt.revision.all() as Array<{ key: string; value: string }>;
        const get = (key: string) => rows.find((row) => row.key === key)?.value ?? '';
        return `${get('store_id')}:${get('revision')}`;
      });
    },

    async getState(key) {
      return guard(
        'getState',
        () => (stmt.getState.get(key) as { value: string } | undefined)?.value,
      );
    },

    async setState(key, value) {
      guard('setState', () => stmt.setState.run(key, value));
    },

    async listState() {
      return guard(
        'listState',
        () => stmt.listState.all() as Array<{ key: string; value: string }>,
      );
    },

    async addWebhook(input) {
      const createdAt = isoTimestamp(input.createdAt ?? new Date().toISOString(), 'createdAt');
      return guard('addWebhook', () => {
        const row =
          input.id === undefined
            ? stmt.insertWebhook.get(input.instance, input.url, input.secret, createdAt)
            : stmt.insertWebhookWithId.get(
                input.id,
                input.instance,
                input.url,
                input.secret,
                createdAt,
              );
        return toWebhook(row as WebhookRow);
      });
    },

    async listWebhooks(instance) {
      return guard('listWebhooks', () =>
        (
          (instance === undefined
            ? stmt.webhooks.all()
            : stmt.webhooksOf.all(instance)) as WebhookRow[]
        ).map(toWebhook),
      );
    },

    async removeWebhook(id) {
      return guard('removeWebhook', () => removeWebhook.immediate(id));
    },

    async dueDeliveries(now, limit) {
      const at = isoTimestamp(now, 'now');
      return guard('dueDeliveries', () =>
        (stmt.dueDeliveries.all(at, limit) as DeliveryRow[]).map(toDelivery),
      );
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
      const changed = guard(
        'recordDeliveryAttempt',
        () =>
          stmt.recordAttempt.run(at, attempt.statusCode, attempt.error, status, next, id).changes,
      );
      if (changed === 0) throw new IpurlError('ERR_NOT_FOUND', `no webhook delivery with id ${id}`);
    },

    async listDeliveries(filter = {}) {
      const limit = filter.limit ?? -1;
      return guard('listDeliveries', () =>
        (
          (filter.status === undefined
            ? stmt.listDeliveries.all(limit)
            : stmt.listDeliveriesBy.all(filter.status, limit)) as DeliveryRow[]
        ).map(toDelivery),
      );
    },

    async importDelivery(delivery) {
      if (!DELIVERY_STATUSES.includes(delivery.status)) {
        throw new IpurlError(
          'ERR_INVALID_PARAMETER',
          `delivery status must be pending, delivered or failed; received ${delivery.status}`,
        );
      }
      checkDeliveryEvent(delivery.event);
      const iso = (value: string | null, field: string) =>
        value === null ? null : isoTimestamp(value, field);
      guard('importDelivery', () =>
        stmt.importDelivery.run(
          delivery.id,
          delivery.webhookId,
          delivery.instance,
          delivery.version,
          delivery.status,
          delivery.attempts,
          iso(delivery.nextAttemptAt, 'nextAttemptAt'),
          iso(delivery.lastAttemptAt, 'lastAttemptAt'),
          delivery.lastStatusCode,
          delivery.lastError,
          isoTimestamp(delivery.createdAt, 'createdAt'),
          delivery.event ?? 'version.published',
        ),
      );
    },

    async isEmpty() {
      return guard('isEmpty', () => stmt.anyVersion.get() === undefined);
    },

    async ping() {
      guard('ping', () => stmt.ping.get());
    },

    async close() {
      if (closed) return;
      closed = true;
      guard('close', () => db.close());
    },
  };
  return store;
}
