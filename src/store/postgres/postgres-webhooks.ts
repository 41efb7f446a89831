/**
 * The webhook outbox on PostgreSQL: webhooks and their deliveries. A delivery is enqueued by the
 * append transaction (postgres-versions.ts) or a held notice; the worker takes due ones and
 * records each attempt; a removed webhook's pending deliveries are closed so nothing retries.
 */
import { IpurlError } from '../../core/errors.js';
import type { DeliveryAttempt, Store } from '../../core/store.js';
import { isoTimestamp } from '../append-input.js';
import {
  DELIVERY_COLUMNS,
  importedDeliveryValues,
  attemptColumns,
  isoDate,
  toDelivery,
  toWebhook,
  type DeliveryRow,
  type WebhookRow,
} from '../store-rows.js';
import type { PgExecute, PgQuery, PgTransaction } from './postgres-deps.js';

export type PostgresWebhooks = Pick<
  Store,
  | 'addWebhook'
  | 'listWebhooks'
  | 'removeWebhook'
  | 'dueDeliveries'
  | 'recordDeliveryAttempt'
  | 'listDeliveries'
  | 'importDelivery'
>;

export function createPostgresWebhooks(deps: {
  readonly query: PgQuery;
  readonly execute: PgExecute;
  readonly transaction: PgTransaction;
}): PostgresWebhooks {
  const { query, execute, transaction } = deps;
  return {
    async addWebhook(input) {
      const createdAt = isoTimestamp(input.createdAt ?? new Date().toISOString(), 'createdAt');
      if (input.id === undefined) {
        const rows = await query<WebhookRow<Date>>(
          'addWebhook',
          'INSERT INTO webhooks (instance, url, secret, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
          [input.instance, input.url, input.secret, createdAt],
        );
        return toWebhook(rows[0]!, isoDate);
      }
      const id = input.id;
      return transaction('addWebhook', async (client) => {
        const { rows } = await client.query<WebhookRow<Date>>(
          'INSERT INTO webhooks (id, instance, url, secret, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
          [id, input.instance, input.url, input.secret, createdAt],
        );
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
          ? await query<WebhookRow<Date>>('listWebhooks', 'SELECT * FROM webhooks ORDER BY id')
          : await query<WebhookRow<Date>>(
              'listWebhooks',
              'SELECT * FROM webhooks WHERE instance = $1 ORDER BY id',
              [instance],
            );
      return rows.map((row) => toWebhook(row, isoDate));
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
      const rows = await query<DeliveryRow<Date>>(
        'dueDeliveries',
        `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1
          ORDER BY next_attempt_at, seq LIMIT $2`,
        [isoTimestamp(now, 'now'), limit],
      );
      return rows.map((row) => toDelivery(row, isoDate));
    },

    async recordDeliveryAttempt(id, attempt: DeliveryAttempt) {
      const { at, next, status } = attemptColumns(attempt);
      const changed = await execute(
        'recordDeliveryAttempt',
        `UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = $1, last_status_code = $2, last_error = $3,
           status = $4, next_attempt_at = $5 WHERE id = $6`,
        [at, attempt.statusCode, attempt.error, status, next, id],
      );
      if (changed === 0) throw new IpurlError('ERR_NOT_FOUND', `no webhook delivery with id ${id}`);
    },

    async listDeliveries(filter = {}) {
      const limit = filter.limit ?? null;
      const rows =
        filter.status === undefined
          ? await query<DeliveryRow<Date>>(
              'listDeliveries',
              `SELECT ${DELIVERY_COLUMNS} FROM deliveries ORDER BY seq DESC LIMIT $1`,
              [limit],
            )
          : await query<DeliveryRow<Date>>(
              'listDeliveries',
              `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE status = $1 ORDER BY seq DESC LIMIT $2`,
              [filter.status, limit],
            );
      return rows.map((row) => toDelivery(row, isoDate));
    },

    async importDelivery(delivery) {
      await query(
        'importDelivery',
        `INSERT INTO deliveries (${DELIVERY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        importedDeliveryValues(delivery),
      );
    },
  };
}
