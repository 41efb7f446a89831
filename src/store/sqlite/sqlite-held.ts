/**
 * Held versions on SQLite (the change guard): kept in `held_versions`, apart from the served
 * tables, so nothing served changes while a version is held. Accepting appends the batch through
 * the adapter's own append transaction (nested: a savepoint), so the batch and the status change
 * commit together or not at all.
 */
import type Database from 'better-sqlite3';
import type {
  AcceptHeldResult,
  AppendVersionInput,
  AppendVersionResult,
  HeldVersion,
  HoldVersionInput,
} from '../../core/store.js';
import type { VersionId } from '../../core/version-id.js';
import * as rules from '../held-input.js';
import { COMMON_SQL, HELD_SQL } from '../statements.js';
import type { HeldMethods } from '../store-parts.js';
import { newDeliveries } from '../store-rows.js';
import type { SqliteGuard } from './sqlite-errors.js';

export function createSqliteHeld(
  db: Database.Database,
  append: (input: AppendVersionInput) => AppendVersionResult,
  guard: SqliteGuard,
): HeldMethods {
  const stmt = {
    latest: db.prepare(COMMON_SQL.latest),
    supersede: db.prepare(HELD_SQL.supersede),
    upsert: db.prepare(HELD_SQL.upsert),
    one: db.prepare(HELD_SQL.one),
    ofInstance: db.prepare(HELD_SQL.ofInstance),
    all: db.prepare(
      `SELECT ${rules.HELD_COLUMNS} FROM held_versions ORDER BY held_at DESC, instance, version DESC`,
    ),
    steps: db.prepare(HELD_SQL.heldSteps),
    decide: db.prepare(HELD_SQL.decide),
    webhookIdsOf: db.prepare(COMMON_SQL.webhookIdsOf),
    queueDelivery: db.prepare(COMMON_SQL.queueDelivery),
  };

  const latestOf = (instance: string): VersionId | null =>
    (stmt.latest.get(instance) as { latest: string | null }).latest;
  const rowsOf = (instance: string): HeldVersion[] =>
    (stmt.ofInstance.all(instance) as rules.HeldRow[]).map((row) => rules.toHeldVersion(row));
  const heldRow = (instance: string, version: string): HeldVersion => {
    const row = stmt.one.get(instance, version) as rules.HeldRow | undefined;
    if (row === undefined || row.status !== 'held')
      throw rules.heldNotFound(instance, version, rowsOf(instance));
    return rules.toHeldVersion(row);
  };

  const hold = db.transaction((input: HoldVersionInput): HeldVersion => {
    rules.checkHoldLatest(input, latestOf(input.instance));
    const heldAt = rules.holdTime(input);
    stmt.supersede.run(heldAt, input.instance, input.version);
    stmt.upsert.run(...rules.heldValues(input, heldAt));
    const queued = newDeliveries(
      input.notify === false
        ? []
        : (stmt.webhookIdsOf.all(input.instance) as Array<{ id: number }>),
      input.instance,
      input.version,
      'version.held',
      heldAt,
    );
    for (const values of queued.rows) stmt.queueDelivery.run(...values);
    return rules.toHeldVersion(
      stmt.one.get(input.instance, input.version) as rules.HeldRow,
      queued.ids,
    );
  });

  const accept = db.transaction(
    (instance: string, version: string, at: string): AcceptHeldResult => {
      const held = heldRow(instance, version);
      const steps = (stmt.steps.get(instance, version) as { steps: string }).steps;
      const inputs = rules.acceptedInputs(held, latestOf(instance), steps, at);
      const appended = inputs.map((input) => append(input));
      stmt.decide.run('accepted', at, instance, version);
      return {
        held: rules.toHeldVersion(stmt.one.get(instance, version) as rules.HeldRow),
        appended,
      };
    },
  );

  const close = db.transaction(
    (instance: string, version: string, status: string, at: string): HeldVersion => {
      heldRow(instance, version);
      stmt.decide.run(status, at, instance, version);
      return rules.toHeldVersion(stmt.one.get(instance, version) as rules.HeldRow);
    },
  );

  return {
    async holdVersion(input) {
      rules.validateHoldInput(input);
      return guard(`holdVersion ${input.instance} ${input.version}`, () => hold.immediate(input));
    },
    async listHeldVersions(filter = {}) {
      rules.checkHeldStatusFilter(filter.status);
      return guard('listHeldVersions', () => {
        const rows = (
          filter.instance === undefined ? stmt.all.all() : stmt.ofInstance.all(filter.instance)
        ) as rules.HeldRow[];
        return rows
          .filter((row) => filter.status === undefined || row.status === filter.status)
          .map((row) => rules.toHeldVersion(row));
      });
    },
    async getHeldSteps(instance, version) {
      return guard('getHeldSteps', () => {
        return rules.heldSteps(stmt.steps.get(instance, version) as { steps: string } | undefined);
      });
    },
    async acceptHeldVersion(instance, version, at) {
      const when = rules.decisionTime(at);
      return guard(`acceptHeldVersion ${instance} ${version}`, () =>
        accept.immediate(instance, version, when),
      );
    },
    async closeHeldVersion(instance, version, status, at) {
      const when = rules.decisionTime(at);
      return guard(`closeHeldVersion ${instance} ${version}`, () =>
        close.immediate(instance, version, status, when),
      );
    },
  };
}
