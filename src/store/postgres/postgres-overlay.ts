/**
 * The local overlay in PostgreSQL (migration 5, table `overlay_changes`): the Store's
 * recordOverlayChange / listOverlayChanges. A change, its webhook deliveries and the revision
 * bump (with the NOTIFY replicas listen to) are one transaction; the table lock serialises ids.
 */
import * as rules from '../overlay-input.js';
import { COMMON_SQL, OVERLAY_SQL } from '../statements.js';
import type { OverlayMethods } from '../store-parts.js';
import { newDeliveries } from '../store-rows.js';
import { bumpRevision, type PgDeps } from './postgres-deps.js';
import { numbered, numberedAll } from './postgres-placeholders.js';

const SQL = numberedAll(OVERLAY_SQL);
const LATEST = numbered(COMMON_SQL.latest);
const WEBHOOK_IDS_OF = numbered(COMMON_SQL.webhookIdsOf);
const QUEUE_DELIVERY = numbered(COMMON_SQL.queueDelivery);

interface PgRow extends Omit<rules.OverlayRow, 'at' | 'id'> {
  id: string | number;
  at: Date;
}

const fromPg = (row: PgRow): rules.OverlayRow => ({
  ...row,
  id: Number(row.id),
  at: row.at.toISOString(),
});

export function createPostgresOverlay(deps: PgDeps): OverlayMethods {
  const { query, transaction, channel } = deps;
  return {
    async recordOverlayChange(input) {
      const columns = rules.overlayColumns(input);
      return transaction('recordOverlayChange', async (client) => {
        await client.query('LOCK TABLE overlay_changes IN EXCLUSIVE MODE');
        if (input.entry.action === 'remove') {
          const target = await client.query<PgRow>(SQL.byId, [input.entry.target]);
          const removedBy = await client.query<{ id: string }>(
            "SELECT id FROM overlay_changes WHERE action = 'remove' AND (entry::jsonb ->> 'target')::bigint = $1",
            [input.entry.target],
          );
          const row = target.rows[0];
          rules.checkRemoval(
            input,
            row === undefined ? undefined : fromPg(row),
            removedBy.rows[0] === undefined ? undefined : Number(removedBy.rows[0].id),
          );
        }
        const next = await client.query<{ id: string }>(SQL.nextId);
        const id = input.id ?? Number(next.rows[0]!.id);
        const latest = await client.query<{ latest: string | null }>(LATEST, [input.instance]);
        const version = latest.rows[0]?.latest ?? null;
        // Nothing published yet: no webhook is told (there is no version to name).
        const hooks =
          input.notify === false || version === null
            ? []
            : (await client.query<{ id: number }>(WEBHOOK_IDS_OF, [input.instance])).rows;
        const queued = newDeliveries(
          hooks,
          input.instance,
          version ?? '',
          rules.OVERLAY_EVENT,
          new Date().toISOString(),
        );
        for (const values of queued.rows) await client.query(QUEUE_DELIVERY, values);
        const row = rules.newOverlayRow(input, id, columns, [
          ...(input.deliveries ?? []),
          ...queued.ids,
        ]);
        await client.query(SQL.insert, rules.overlayValues(row, input.entry.action));
        await bumpRevision(client, channel);
        return rules.toOverlayChange(row);
      });
    },
    async listOverlayChanges(instance) {
      const rows =
        instance === undefined
          ? await query<PgRow>('listOverlayChanges', SQL.all)
          : await query<PgRow>('listOverlayChanges', SQL.of, [instance]);
      return rows.map((row) => rules.toOverlayChange(fromPg(row)));
    },
  };
}
