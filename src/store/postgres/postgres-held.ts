/**
 * Held versions on PostgreSQL (the change guard): kept in `held_versions`, apart from the served
 * tables. Holding and accepting take the instance's append advisory lock, so they serialise with
 * appends on every replica; accepting appends the batch with the adapter's own append code in the
 * same transaction as the status change (one commit, one NOTIFY per appended version).
 */
import type pg from 'pg';
import type { AppendVersionInput, AppendVersionResult, HeldVersion } from '../../core/store.js';
import type { VersionId } from '../../core/version-id.js';
import * as rules from '../held-input.js';
import { COMMON_SQL, HELD_SQL } from '../statements.js';
import type { HeldMethods } from '../store-parts.js';
import { newDeliveries } from '../store-rows.js';
import { lockAppends, type PgDeps } from './postgres-deps.js';
import { numbered, numberedAll } from './postgres-placeholders.js';

const SQL = numberedAll(HELD_SQL);
const LATEST = numbered(COMMON_SQL.latest);
const WEBHOOK_IDS_OF = numbered(COMMON_SQL.webhookIdsOf);
const QUEUE_DELIVERY = numbered(COMMON_SQL.queueDelivery);

/** `appendInTransaction`: the adapter's append, inside the accepting transaction. */
export function createPostgresHeld(
  deps: PgDeps,
  appendInTransaction: (
    client: pg.PoolClient,
    input: AppendVersionInput,
  ) => Promise<AppendVersionResult>,
): HeldMethods {
  const { schema, query, transaction } = deps;

  /** The instance's latest version, read under its append lock. */
  const lock = async (client: pg.PoolClient, instance: string): Promise<VersionId | null> => {
    await lockAppends(client, schema, instance);
    const { rows } = await client.query<{ latest: string | null }>(LATEST, [instance]);
    return rows[0]?.latest ?? null;
  };
  const rowsOf = async (client: pg.PoolClient, instance: string): Promise<HeldVersion[]> =>
    (await client.query<rules.HeldRow>(SQL.ofInstance, [instance])).rows.map((row) =>
      rules.toHeldVersion(row),
    );
  const heldRow = async (
    client: pg.PoolClient,
    instance: string,
    version: string,
  ): Promise<HeldVersion> => {
    const { rows } = await client.query<rules.HeldRow>(`${SQL.one} FOR UPDATE`, [
      instance,
      version,
    ]);
    const row = rows[0];
    if (row === undefined || row.status !== 'held')
      throw rules.heldNotFound(instance, version, await rowsOf(client, instance));
    return rules.toHeldVersion(row);
  };
  const reread = async (
    client: pg.PoolClient,
    instance: string,
    version: string,
    deliveries?: string[],
  ): Promise<HeldVersion> => {
    const { rows } = await client.query<rules.HeldRow>(SQL.one, [instance, version]);
    return rules.toHeldVersion(rows[0]!, deliveries);
  };
  const decide = (
    client: pg.PoolClient,
    status: string,
    at: string,
    instance: string,
    version: string,
  ) => client.query(SQL.decide, [status, at, instance, version]);

  return {
    async holdVersion(input) {
      rules.validateHoldInput(input);
      const heldAt = rules.holdTime(input);
      return transaction(`holdVersion ${input.instance} ${input.version}`, async (client) => {
        rules.checkHoldLatest(input, await lock(client, input.instance));
        await client.query(SQL.supersede, [heldAt, input.instance, input.version]);
        await client.query(SQL.upsert, rules.heldValues(input, heldAt));
        const hooks =
          input.notify === false
            ? []
            : (await client.query<{ id: number }>(WEBHOOK_IDS_OF, [input.instance])).rows;
        const queued = newDeliveries(hooks, input.instance, input.version, 'version.held', heldAt);
        for (const values of queued.rows) await client.query(QUEUE_DELIVERY, values);
        return reread(client, input.instance, input.version, queued.ids);
      });
    },

    async listHeldVersions(filter = {}) {
      rules.checkHeldStatusFilter(filter.status);
      const rows = await query<rules.HeldRow>(
        'listHeldVersions',
        `SELECT ${rules.HELD_COLUMNS} FROM held_versions
          WHERE ($1::text IS NULL OR instance = $1) AND ($2::text IS NULL OR status = $2)
          ORDER BY held_at DESC, instance COLLATE "C", version DESC`,
        [filter.instance ?? null, filter.status ?? null],
      );
      return rows.map((row) => rules.toHeldVersion(row));
    },

    async getHeldSteps(instance, version) {
      const rows = await query<{ steps: string }>('getHeldSteps', SQL.heldSteps, [
        instance,
        version,
      ]);
      return rules.heldSteps(rows[0]);
    },

    async acceptHeldVersion(instance, version, at) {
      const when = rules.decisionTime(at);
      return transaction(`acceptHeldVersion ${instance} ${version}`, async (client) => {
        const latest = await lock(client, instance);
        const held = await heldRow(client, instance, version);
        // Still held: heldRow locked the row (FOR UPDATE) and found it so.
        const { rows } = await client.query<{ steps: string }>(SQL.heldSteps, [instance, version]);
        const inputs = rules.acceptedInputs(held, latest, rows[0]!.steps, when);
        const appended: AppendVersionResult[] = [];
        for (const input of inputs) appended.push(await appendInTransaction(client, input));
        await decide(client, 'accepted', when, instance, version);
        return { held: await reread(client, instance, version), appended };
      });
    },

    async closeHeldVersion(instance, version, status, at) {
      const when = rules.decisionTime(at);
      return transaction(`closeHeldVersion ${instance} ${version}`, async (client) => {
        await heldRow(client, instance, version);
        await decide(client, status, when, instance, version);
        return reread(client, instance, version);
      });
    },
  };
}
