/**
 * Versions on SQLite: the instances and their versions, endpoint sets, change records, set ids
 * and the store revision. `append` is the one transaction that publishes a version: its sets,
 * its records, the webhook deliveries it enqueues (the outbox, sqlite-webhooks.ts) and the
 * revision bump commit together or not at all.
 */
import type Database from 'better-sqlite3';
import type { ChangeRecord } from '../../core/change-record.js';
import type { EndpointSet } from '../../core/endpoint-set.js';
import type { AppendVersionInput, AppendVersionResult } from '../../core/store.js';
import { duplicateChangeIdError, validateAppendInput } from '../append-input.js';
import { planAppend } from '../append-plan.js';
import { COMMON_SQL, VERSION_SQL } from '../statements.js';
import type { VersionMethods } from '../store-parts.js';
import {
  isoText,
  newDeliveries,
  toInstanceSummaries,
  toRevision,
  toVersionRecord,
  type VersionRow,
} from '../store-rows.js';
import { sqliteCode, type SqliteGuard } from './sqlite-errors.js';
import { BUMP_REVISION } from './sqlite-revision.js';

/** Parse stored JSON bodies (already valid JSON text) as one array: one parser call, not n. */
function parseBodies<T>(rows: ReadonlyArray<{ body: string }>): T[] {
  if (rows.length === 0) return [];
  return JSON.parse(`[${rows.map((row) => row.body).join(',')}]`) as T[];
}

/** The statements of the versions tables, prepared once per open. */
function prepareVersionStatements(db: Database.Database) {
  return {
    allVersions: db.prepare(VERSION_SQL.allVersions),
    versions: db.prepare(VERSION_SQL.versions),
    latest: db.prepare(COMMON_SQL.latest),
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
    knownSetIds: db.prepare(VERSION_SQL.knownSetIds),
    maxChangeId: db.prepare(
      'SELECT COALESCE(MAX(id), 0) AS max FROM change_records WHERE instance = ?',
    ),
    insertVersion: db.prepare(VERSION_SQL.insertVersion),
    insertSet: db.prepare(
      'INSERT INTO endpoint_sets (instance, version, id, service_area, body) VALUES (?, ?, ?, ?, ?)',
    ),
    upsertSetId: db.prepare(
      'INSERT INTO set_ids (instance, id, service_area) VALUES (?, ?, ?) ON CONFLICT (instance, id) DO UPDATE SET service_area = excluded.service_area WHERE set_ids.service_area <> excluded.service_area',
    ),
    insertChange: db.prepare(
      'INSERT INTO change_records (instance, id, version, endpoint_set_id, body) VALUES (?, ?, ?, ?, ?)',
    ),
    webhookIdsOf: db.prepare(COMMON_SQL.webhookIdsOf),
    queueDelivery: db.prepare(COMMON_SQL.queueDelivery),
    bumpRevision: db.prepare(BUMP_REVISION),
    revision: db.prepare(COMMON_SQL.revision),
    anyVersion: db.prepare(VERSION_SQL.anyVersion),
  };
}

export function createSqliteVersions(
  db: Database.Database,
  guard: SqliteGuard,
): {
  readonly methods: VersionMethods;
  /** The append transaction (held.ts accepts a held batch through it, nested). */
  readonly append: (input: AppendVersionInput) => AppendVersionResult;
} {
  const stmt = prepareVersionStatements(db);

  const append = db.transaction((input: AppendVersionInput): AppendVersionResult => {
    const { instance, version } = input;
    const latest = (stmt.latest.get(instance) as { latest: string | null }).latest;
    const { max } = stmt.maxChangeId.get(instance) as { max: number };
    const plan = planAppend(input, latest, max);
    stmt.insertVersion.run(...plan.versionValues);
    for (const set of input.sets) {
      stmt.insertSet.run(instance, version, set.id, set.serviceArea, JSON.stringify(set));
      stmt.upsertSetId.run(instance, set.id, set.serviceArea);
    }
    for (const record of plan.changes) {
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
    const queued = newDeliveries(
      input.notify === false ? [] : (stmt.webhookIdsOf.all(instance) as Array<{ id: number }>),
      instance,
      version,
      'version.published',
      new Date().toISOString(),
    );
    for (const values of queued.rows) stmt.queueDelivery.run(...values);
    stmt.bumpRevision.run();
    return { version: plan.version, changes: plan.changes, deliveries: queued.ids };
  });

  const methods: VersionMethods = {
    async listInstances() {
      const rows = guard(
        'listInstances',
        () => stmt.allVersions.all() as Array<{ instance: string; version: string }>,
      );
      return toInstanceSummaries(rows);
    },

    async listVersions(instance) {
      return guard('listVersions', () =>
        (stmt.versions.all(instance) as VersionRow<string>[]).map((row) =>
          toVersionRecord(row, isoText),
        ),
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

    async getChanges(instance, query) {
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
      return guard('revision', () =>
        toRevision(stmt.revision.all() as Array<{ key: string; value: string }>),
      );
    },

    async isEmpty() {
      return guard('isEmpty', () => stmt.anyVersion.get() === undefined);
    },
  };
  return { methods, append };
}
