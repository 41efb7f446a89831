/**
 * The webhook outbox on SQLite: webhooks and their deliveries. A delivery is enqueued by the
 * append transaction (sqlite-versions.ts) or a held notice; the worker takes due ones, records
 * each attempt, and a removed webhook's pending deliveries are closed so nothing retries forever.
 */
import type Database from 'better-sqlite3';
import { IpurlError } from '../../core/errors.js';
import type { DeliveryAttempt, Store } from '../../core/store.js';
import { isoTimestamp } from '../append-input.js';
import {
  DELIVERY_COLUMNS,
  importedDeliveryValues,
  attemptColumns,
  isoText,
  toDelivery,
  toWebhook,
  type DeliveryRow,
  type WebhookRow,
} from '../store-rows.js';
import type { SqliteGuard } from './sqlite-errors.js';

export type SqliteWebhooks = Pick<
  Store,
  | 'addWebhook'
  | 'listWebhooks'
  | 'removeWebhook'
  | 'dueDeliveries'
  | 'recordDeliveryAttempt'
  | 'listDeliveries'
  | 'importDelivery'
>;

export function createSqliteWebhooks(db: Database.Database, guard: SqliteGuard): SqliteWebhooks {
  const stmt = {
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
  };

  const removeWebhook = db.transaction((id: number): boolean => {
    const removed = stmt.deleteWebhook.run(id).changes > 0;
    // Its pending deliveries can never be sent: close them so the outbox does not retry forever.
    if (removed) stmt.abandonDeliveries.run(id);
    return removed;
  });

  return {
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
        return toWebhook(row as WebhookRow<string>, isoText);
      });
    },

    async listWebhooks(instance) {
      return guard('listWebhooks', () =>
        (
          (instance === undefined
            ? stmt.webhooks.all()
            : stmt.webhooksOf.all(instance)) as WebhookRow<string>[]
        ).map((row) => toWebhook(row, isoText)),
      );
    },

    async removeWebhook(id) {
      return guard('removeWebhook', () => removeWebhook.immediate(id));
    },

    async dueDeliveries(now, limit) {
      const at = isoTimestamp(now, 'now');
      return guard('dueDeliveries', () =>
        (stmt.dueDeliveries.all(at, limit) as DeliveryRow<string>[]).map((row) =>
          toDelivery(row, isoText),
        ),
      );
    },

    async recordDeliveryAttempt(id, attempt: DeliveryAttempt) {
      const { at, next, status } = attemptColumns(attempt);
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
            : stmt.listDeliveriesBy.all(filter.status, limit)) as DeliveryRow<string>[]
        ).map((row) => toDelivery(row, isoText)),
      );
    },

    async importDelivery(delivery) {
      const values = importedDeliveryValues(delivery);
      guard('importDelivery', () => stmt.importDelivery.run(...values));
    },
  };
}
