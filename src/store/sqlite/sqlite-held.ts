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
  HeldStep,
  HeldVersion,
  HoldVersionInput,
  Store,
} from '../../core/store.js';
import type { VersionId } from '../../core/version-id.js';
import { isoTimestamp, validateAppendInput } from '../append-input.js';
import {
  checkAcceptLatest,
  checkHeldStatusFilter,
  checkHoldLatest,
  heldNotFound,
  stepInputs,
  toHeldVersion,
  validateHoldInput,
  type HeldRow,
} from '../held-input.js';

const HELD_COLUMNS = 'instance, version, based_on, status, held_at, decided_at, versions, report';

type HeldMethods = Pick<
  Store,
  'holdVersion' | 'listHeldVersions' | 'getHeldSteps' | 'acceptHeldVersion' | 'closeHeldVersion'
>;

export function createSqliteHeld(
  db: Database.Database,
  append: (input: AppendVersionInput) => AppendVersionResult,
  guard: <T>(what: string, work: () => T) => T,
): HeldMethods {
  const stmt = {
    latest: db.prepare('SELECT MAX(version) AS latest FROM versions WHERE instance = ?'),
    supersede: db.prepare(
      "UPDATE held_versions SET status = 'superseded', decided_at = ?, steps = '[]' WHERE instance = ? AND status = 'held' AND version <> ?",
    ),
    upsert: db.prepare(
      `INSERT INTO held_versions (${HELD_COLUMNS}, steps) VALUES (?, ?, ?, 'held', ?, NULL, ?, ?, ?)
       ON CONFLICT (instance, version) DO UPDATE SET based_on = excluded.based_on, status = 'held', held_at = excluded.held_at,
         decided_at = NULL, versions = excluded.versions, report = excluded.report, steps = excluded.steps`,
    ),
    one: db.prepare(`SELECT ${HELD_COLUMNS} FROM held_versions WHERE instance = ? AND version = ?`),
    ofInstance: db.prepare(
      `SELECT ${HELD_COLUMNS} FROM held_versions WHERE instance = ? ORDER BY held_at DESC, version DESC`,
    ),
    all: db.prepare(
      `SELECT ${HELD_COLUMNS} FROM held_versions ORDER BY held_at DESC, instance, version DESC`,
    ),
    steps: db.prepare(
      "SELECT steps FROM held_versions WHERE instance = ? AND version = ? AND status = 'held'",
    ),
    decide: db.prepare(
      "UPDATE held_versions SET status = ?, decided_at = ?, steps = '[]' WHERE instance = ? AND version = ? AND status = 'held'",
    ),
    webhookIdsOf: db.prepare('SELECT id FROM webhooks WHERE instance = ? ORDER BY id'),
    insertDelivery: db.prepare(
      `INSERT INTO deliveries (id, webhook_id, instance, version, event, status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, 'version.held', 'pending', 0, ?, ?)`,
    ),
  };

  const latestOf = (instance: string): VersionId | null =>
    (stmt.latest.get(instance) as { latest: string | null }).latest;
  const rowsOf = (instance: string): HeldVersion[] =>
    (stmt.ofInstance.all(instance) as HeldRow[]).map((row) => toHeldVersion(row));
  const heldRow = (instance: string, version: string): HeldVersion => {
    const row = stmt.one.get(instance, version) as HeldRow | undefined;
    if (row === undefined || row.status !== 'held')
      throw heldNotFound(instance, version, rowsOf(instance));
    return toHeldVersion(row);
  };

  const hold = db.transaction((input: HoldVersionInput): HeldVersion => {
    checkHoldLatest(input, latestOf(input.instance));
    const heldAt = isoTimestamp(input.heldAt ?? new Date().toISOString(), 'heldAt');
    stmt.supersede.run(heldAt, input.instance, input.version);
    stmt.upsert.run(
      input.instance,
      input.version,
      input.basedOn,
      heldAt,
      JSON.stringify(input.steps.map((step) => step.version)),
      JSON.stringify(input.report),
      JSON.stringify(input.steps),
    );
    const deliveries: string[] = [];
    if (input.notify !== false) {
      for (const { id: webhookId } of stmt.webhookIdsOf.all(input.instance) as Array<{
        id: number;
      }>) {
        const id = globalThis.crypto.randomUUID();
        stmt.insertDelivery.run(id, webhookId, input.instance, input.version, heldAt, heldAt);
        deliveries.push(id);
      }
    }
    return toHeldVersion(stmt.one.get(input.instance, input.version) as HeldRow, deliveries);
  });

  const accept = db.transaction(
    (instance: string, version: string, at: string): AcceptHeldResult => {
      const held = heldRow(instance, version);
      checkAcceptLatest(held, latestOf(instance));
      const text = (stmt.steps.get(instance, version) as { steps: string }).steps;
      const inputs = stepInputs(instance, held.basedOn, JSON.parse(text) as HeldStep[], at);
      for (const input of inputs) validateAppendInput(input);
      const appended = inputs.map((input) => append(input));
      stmt.decide.run('accepted', at, instance, version);
      return { held: toHeldVersion(stmt.one.get(instance, version) as HeldRow), appended };
    },
  );

  const close = db.transaction(
    (instance: string, version: string, status: string, at: string): HeldVersion => {
      heldRow(instance, version);
      stmt.decide.run(status, at, instance, version);
      return toHeldVersion(stmt.one.get(instance, version) as HeldRow);
    },
  );

  return {
    async holdVersion(input) {
      validateHoldInput(input);
      return guard(`holdVersion ${input.instance} ${input.version}`, () => hold.immediate(input));
    },
    async listHeldVersions(filter = {}) {
      checkHeldStatusFilter(filter.status);
      return guard('listHeldVersions', () => {
        const rows = (
          filter.instance === undefined ? stmt.all.all() : stmt.ofInstance.all(filter.instance)
        ) as HeldRow[];
        return rows
          .filter((row) => filter.status === undefined || row.status === filter.status)
          .map((row) => toHeldVersion(row));
      });
    },
    async getHeldSteps(instance, version) {
      return guard('getHeldSteps', () => {
        const row = stmt.steps.get(instance, version) as { steps: string } | undefined;
        return row === undefined ? undefined : (JSON.parse(row.steps) as HeldStep[]);
      });
    },
    async acceptHeldVersion(instance, version, at) {
      const when = isoTimestamp(at ?? new Date().toISOString(), 'at');
      return guard(`acceptHeldVersion ${instance} ${version}`, () =>
        accept.immediate(instance, version, when),
      );
    },
    async closeHeldVersion(instance, version, status, at) {
      const when = isoTimestamp(at ?? new Date().toISOString(), 'at');
      return guard(`closeHeldVersion ${instance} ${version}`, () =>
        close.immediate(instance, version, status, when),
      );
    },
  };
}
