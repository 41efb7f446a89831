/**
 * The webhook outbox on PostgreSQL: webhooks and their deliveries. A delivery is enqueued by the
 * append transaction (postgres-versions.ts) or a held notice; the worker takes due ones and
 * records each attempt; a removed webhook's pending deliveries are closed so nothing retries.
 */
import { IpurlError } from '../../core/errors.js';
import { isoTimestamp } from '../append-input.js';
import { WEBHOOK_SQL } from '../statements.js';
import type { WebhookMethods } from '../store-parts.js';
import {
  attemptColumns,
  importedDeliveryValues,
  isoDate,
  toDelivery,
  toWebhook,
  type DeliveryRow,
  type WebhookRow,
} from '../store-rows.js';
import type { PgDeps } from './postgres-deps.js';
import { numberedAll } from './postgres-placeholders.js';

const SQL = numberedAll(WEBHOOK_SQL);

export function createPostgresWebhooks(deps: PgDeps): WebhookMethods {
  const { query, execute, transaction } = deps;
  return {
    async addWebhook(input) {
      const createdAt = isoTimestamp(input.createdAt ?? new Date().toISOString(), 'createdAt');
      if (input.id === undefined) {
        const rows = await query<WebhookRow<Date>>('addWebhook', SQL.insert, [
          input.instance,
          input.url,
          input.secret,
          createdAt,
        ]);
        return toWebhook(rows[0]!, isoDate);
      }
      const id = input.id;
      return transaction('addWebhook', async (client) => {
        const { rows } = await client.query<WebhookRow<Date>>(SQL.insertWithId, [
          id,
          input.instance,
          input.url,
          input.secret,
          createdAt,
        ]);
        // Later ids continue after the imported one (never below what was handed out).
        await client.query(
          "SELECT setval('webhook_ids', GREATEST((SELECT last_value FROM webhook_ids), $1))",
          [id],
        );
        return toWebhook(rows[0]!, isoDate);
      });
    },

    async listWebhooks(instance) {
      const rows =
        instance === undefined
          ? await query<WebhookRow<Date>>('listWebhooks', SQL.all)
          : await query<WebhookRow<Date>>('listWebhooks', SQL.of, [instance]);
      return rows.map((row) => toWebhook(row, isoDate));
    },

    async removeWebhook(id) {
      return transaction('removeWebhook', async (client) => {
        const removed = ((await client.query(SQL.remove, [id])).rowCount ?? 0) > 0;
        if (removed) await client.query(SQL.abandonDeliveries, [id]);
        return removed;
      });
    },

    async dueDeliveries(now, limit) {
      const rows = await query<DeliveryRow<Date>>('dueDeliveries', SQL.dueDeliveries, [
        isoTimestamp(now, 'now'),
        limit,
      ]);
      return rows.map((row) => toDelivery(row, isoDate));
    },

    async recordDeliveryAttempt(id, attempt) {
      const { at, next, status } = attemptColumns(attempt);
      const changed = await execute('recordDeliveryAttempt', SQL.recordAttempt, [
        at,
        attempt.statusCode,
        attempt.error,
        status,
        next,
        id,
      ]);
      if (changed === 0) throw new IpurlError('ERR_NOT_FOUND', `no webhook delivery with id ${id}`);
    },

    async listDeliveries(filter = {}) {
      // LIMIT NULL: no limit.
      const limit = filter.limit ?? null;
      const rows =
        filter.status === undefined
          ? await query<DeliveryRow<Date>>('listDeliveries', SQL.deliveries, [limit])
          : await query<DeliveryRow<Date>>('listDeliveries', SQL.deliveriesBy, [
              filter.status,
              limit,
            ]);
      return rows.map((row) => toDelivery(row, isoDate));
    },

    async importDelivery(delivery) {
      await query('importDelivery', SQL.importDelivery, importedDeliveryValues(delivery));
    },
  };
}
