/**
 * Held versions on PostgreSQL (the change guard): kept in `held_versions`, apart from the served
 * tables. Holding and accepting take the instance's append advisory lock, so they serialise with
 * appends on every replica; accepting appends the batch with the adapter's own append code in the
 * same transaction as the status change (one commit, one NOTIFY per appended version).
 */
import type pg from 'pg';
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

export interface PostgresHeldDeps {
  readonly schema: string;
  readonly query: <R extends pg.QueryResultRow>(
    what: string,
    text: string,
    values?: unknown[],
  ) => Promise<R[]>;
  readonly transaction: <T>(
    what: string,
    work: (client: pg.PoolClient) => Promise<T>,
  ) => Promise<T>;
  readonly appendInTransaction: (
    client: pg.PoolClient,
    input: AppendVersionInput,
  ) => Promise<AppendVersionResult>;
}

export function createPostgresHeld(deps: PostgresHeldDeps): HeldMethods {
  const { schema, query, transaction, appendInTransaction } = deps;

  const lock = async (client: pg.PoolClient, instance: string): Promise<VersionId | null> => {
    // The append lock of the instance (re-entrant within one transaction).
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `ipurl-append:${schema}:${instance}`,
    ]);
    const { rows } = await client.query<{ latest: string | null }>(
      'SELECT MAX(version) AS latest FROM versions WHERE instance = $1',
      [instance],
    );
    return rows[0]?.latest ?? null;
  };
  const rowsOf = async (client: pg.PoolClient, instance: string): Promise<HeldVersion[]> =>
    (
      await client.query<HeldRow>(
        `SELECT ${HELD_COLUMNS} FROM held_versions WHERE instance = $1 ORDER BY held_at DESC, version DESC`,
        [instance],
      )
    ).rows.map((row) => toHeldVersion(row));
  const heldRow = async (
    client: pg.PoolClient,
    instance: string,
    version: string,
  ): Promise<HeldVersion> => {
    const { rows } = await client.query<HeldRow>(
      `SELECT ${HELD_COLUMNS} FROM held_versions WHERE instance = $1 AND version = $2 FOR UPDATE`,
      [instance, version],
    );
    const row = rows[0];
    if (row === undefined || row.status !== 'held')
      throw heldNotFound(instance, version, await rowsOf(client, instance));
    return toHeldVersion(row);
  };
  const reread = async (
    client: pg.PoolClient,
    instance: string,
    version: string,
    deliveries?: string[],
  ): Promise<HeldVersion> => {
    const { rows } = await client.query<HeldRow>(
      `SELECT ${HELD_COLUMNS} FROM held_versions WHERE instance = $1 AND version = $2`,
      [instance, version],
    );
    return toHeldVersion(rows[0]!, deliveries);
  };
  const decide = (
    client: pg.PoolClient,
    status: string,
    at: string,
    instance: string,
    version: string,
  ) =>
    client.query(
      "UPDATE held_versions SET status = $1, decided_at = $2, steps = '[]' WHERE instance = $3 AND version = $4 AND status = 'held'",
      [status, at, instance, version],
    );

  return {
    async holdVersion(input: HoldVersionInput) {
      validateHoldInput(input);
      const heldAt = isoTimestamp(input.heldAt ?? new Date().toISOString(), 'heldAt');
      return transaction(`holdVersion ${input.instance} ${input.version}`, async (client) => {
        checkHoldLatest(input, await lock(client, input.instance));
        await client.query(
          "UPDATE held_versions SET status = 'superseded', decided_at = $1, steps = '[]' WHERE instance = $2 AND status = 'held' AND version <> $3",
          [heldAt, input.instance, input.version],
        );
        await client.query(
          `INSERT INTO held_versions (${HELD_COLUMNS}, steps) VALUES ($1, $2, $3, 'held', $4, NULL, $5, $6, $7)
           ON CONFLICT (instance, version) DO UPDATE SET based_on = excluded.based_on, status = 'held', held_at = excluded.held_at,
             decided_at = NULL, versions = excluded.versions, report = excluded.report, steps = excluded.steps`,
          [
            input.instance,
            input.version,
            input.basedOn,
            heldAt,
            JSON.stringify(input.steps.map((step) => step.version)),
            JSON.stringify(input.report),
            JSON.stringify(input.steps),
          ],
        );
        const deliveries: string[] = [];
        if (input.notify !== false) {
          const hooks = await client.query<{ id: number }>(
            'SELECT id FROM webhooks WHERE instance = $1 ORDER BY id',
            [input.instance],
          );
          for (const { id: webhookId } of hooks.rows) {
            const id = globalThis.crypto.randomUUID();
            await client.query(
              `INSERT INTO deliveries (id, webhook_id, instance, version, event, status, attempts, next_attempt_at, created_at)
               VALUES ($1, $2, $3, $4, 'version.held', 'pending', 0, $5, $5)`,
              [id, webhookId, input.instance, input.version, heldAt],
            );
            deliveries.push(id);
          }
        }
        return reread(client, input.instance, input.version, deliveries);
      });
    },

    async listHeldVersions(filter = {}) {
      checkHeldStatusFilter(filter.status);
      const rows = await query<HeldRow>(
        'listHeldVersions',
        `SELECT ${HELD_COLUMNS} FROM held_versions
          WHERE ($1::text IS NULL OR instance = $1) AND ($2::text IS NULL OR status = $2)
          ORDER BY held_at DESC, instance COLLATE "C", version DESC`,
        [filter.instance ?? null, filter.status ?? null],
      );
      return rows.map((row) => toHeldVersion(row));
    },

    async getHeldSteps(instance, version) {
      const rows = await query<{ steps: string }>(
        'getHeldSteps',
        "SELECT steps FROM held_versions WHERE instance = $1 AND version = $2 AND status = 'held'",
        [instance, version],
      );
      return rows[0] === undefined ? undefined : (JSON.parse(rows[0].steps) as HeldStep[]);
    },

    async acceptHeldVersion(instance, version, at): Promise<AcceptHeldResult> {
      const when = isoTimestamp(at ?? new Date().toISOString(), 'at');
      return transaction(`acceptHeldVersion ${instance} ${version}`, async (client) => {
        const latest = await lock(client, instance);
        const held = await heldRow(client, instance, version);
        checkAcceptLatest(held, latest);
        const { rows } = await client.query<{ steps: string }>(
          'SELECT steps FROM held_versions WHERE instance = $1 AND version = $2',
          [instance, version],
        );
        const inputs = stepInputs(
          instance,
          held.basedOn,
          JSON.parse(rows[0]!.steps) as HeldStep[],
          when,
        );
        for (const input of inputs) validateAppendInput(input);
        const appended: AppendVersionResult[] = [];
        for (const input of inputs) appended.push(await appendInTransaction(client, input));
        await decide(client, 'accepted', when, instance, version);
        return { held: await reread(client, instance, version), appended };
      });
    },

    async closeHeldVersion(instance, version, status, at) {
      const when = isoTimestamp(at ?? new Date().toISOString(), 'at');
      return transaction(`closeHeldVersion ${instance} ${version}`, async (client) => {
        await heldRow(client, instance, version);
        await decide(client, status, when, instance, version);
        return reread(client, instance, version);
      });
    },
  };
}
