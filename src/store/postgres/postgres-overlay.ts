/**
 * The local overlay in PostgreSQL (migration 5, table `overlay_changes`): the Store's
 * recordOverlayChange / listOverlayChanges. A change, its webhook deliveries and the revision
 * bump (with the NOTIFY replicas listen to) are one transaction; the table lock serialises ids.
 */
import type { Store } from '../../core/store.js';
import {
  OVERLAY_EVENT,
  checkRemoval,
  overlayColumns,
  toOverlayChange,
  type OverlayRow,
} from '../overlay-input.js';
import type { PostgresObservationDeps } from './postgres-observations.js';

type OverlayMethods = Pick<Store, 'recordOverlayChange' | 'listOverlayChanges'>;

interface PgRow extends Omit<OverlayRow, 'at' | 'id'> {
  id: string | number;
  at: Date;
}

const fromPg = (row: PgRow): OverlayRow => ({
  ...row,
  id: Number(row.id),
  at: row.at.toISOString(),
});

export function createPostgresOverlay(
  deps: PostgresObservationDeps & { readonly channel: string },
): OverlayMethods {
  const { query, transaction, channel } = deps;
  return {
    async recordOverlayChange(input) {
      const columns = overlayColumns(input);
      return transaction('recordOverlayChange', async (client) => {
        await client.query('LOCK TABLE overlay_changes IN EXCLUSIVE MODE');
        if (input.entry.action === 'remove') {
          const target = await client.query<PgRow>('SELECT * FROM overlay_changes WHERE id = $1', [
            input.entry.target,
          ]);
          const removedBy = await client.query<{ id: string }>(
            "SELECT id FROM overlay_changes WHERE action = 'remove' AND (entry::jsonb ->> 'target')::bigint = $1",
            [input.entry.target],
          );
          const row = target.rows[0];
          checkRemoval(
            input,
            row === undefined ? undefined : fromPg(row),
            removedBy.rows[0] === undefined ? undefined : Number(removedBy.rows[0].id),
          );
        }
        const next = await client.query<{ id: string }>(
          'SELECT COALESCE(MAX(id), 0) + 1 AS id FROM overlay_changes',
        );
        const id = input.id ?? Number(next.rows[0]!.id);
        const deliveries = [...(input.deliveries ?? [])];
        const latest = await client.query<{ latest: string | null }>(
          'SELECT MAX(version) AS latest FROM versions WHERE instance = $1',
          [input.instance],
        );
        const version = latest.rows[0]?.latest ?? null;
        if (input.notify !== false && version !== null) {
          const hooks = await client.query<{ id: number }>(
            'SELECT id FROM webhooks WHERE instance = $1 ORDER BY id',
            [input.instance],
          );
          const now = new Date().toISOString();
          for (const { id: hook } of hooks.rows) {
            const delivery = globalThis.crypto.randomUUID();
            await client.query(
              `INSERT INTO deliveries (id, webhook_id, instance, version, event, status, attempts, next_attempt_at, created_at)
               VALUES ($1, $2, $3, $4, '${OVERLAY_EVENT}', 'pending', 0, $5, $5)`,
              [delivery, hook, input.instance, version, now],
            );
            deliveries.push(delivery);
          }
        }
        await client.query(
          `INSERT INTO overlay_changes (id, instance, action, entry, by_user, note, at, relaxed_rules, warnings, deliveries)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            id,
            input.instance,
            input.entry.action,
            columns.entry,
            input.by,
            input.note,
            columns.at,
            columns.relaxed,
            columns.warnings,
            JSON.stringify(deliveries),
          ],
        );
        await client.query(
          `WITH bumped AS (
             UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'revision' RETURNING value
           )
           SELECT pg_notify($1, value) FROM bumped`,
          [channel],
        );
        return toOverlayChange({
          id,
          instance: input.instance,
          entry: columns.entry,
          by_user: input.by,
          note: input.note,
          at: columns.at,
          relaxed_rules: columns.relaxed,
          warnings: columns.warnings,
          deliveries: JSON.stringify(deliveries),
        });
      });
    },
    async listOverlayChanges(instance) {
      const rows =
        instance === undefined
          ? await query<PgRow>('listOverlayChanges', 'SELECT * FROM overlay_changes ORDER BY id')
          : await query<PgRow>(
              'listOverlayChanges',
              'SELECT * FROM overlay_changes WHERE instance = $1 ORDER BY id',
              [instance],
            );
      return rows.map((row) => toOverlayChange(fromPg(row)));
    },
  };
}
