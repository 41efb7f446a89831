/**
 * The webhook outbox on SQLite: webhooks and their deliveries. A delivery is enqueued by the
 * append transaction (sqlite-versions.ts) or a held notice; the worker takes due ones, records
 * each attempt, and a removed webhook's pending deliveries are closed so nothing retries forever.
 */
import type Database from 'better-sqlite3';
import { IpurlError } from '../../core/errors.js';
import { isoTimestamp } from '../append-input.js';
import { WEBHOOK_SQL } from '../statements.js';
import type { WebhookMethods } from '../store-parts.js';
import {
  attemptColumns,
  importedDeliveryValues,
  isoText,
  toDelivery,
  toWebhook,
  type DeliveryRow,
  type WebhookRow,
} from '../store-rows.js';
import type { SqliteGuard } from './sqlite-errors.js';

export function createSqliteWebhooks(db: Database.Database, guard: SqliteGuard): WebhookMethods {
  const stmt = {
    insertWebhook: db.prepare(WEBHOOK_SQL.insert),
    insertWebhookWithId: db.prepare(WEBHOOK_SQL.insertWithId),
    webhooks: db.prepare(WEBHOOK_SQL.all),
    webhooksOf: db.prepare(WEBHOOK_SQL.of),
    deleteWebhook: db.prepare(WEBHOOK_SQL.remove),
    abandonDeliveries: db.prepare(WEBHOOK_SQL.abandonDeliveries),
    dueDeliveries: db.prepare(WEBHOOK_SQL.dueDeliveries),
    recordAttempt: db.prepare(WEBHOOK_SQL.recordAttempt),
    listDeliveries: db.prepare(WEBHOOK_SQL.deliveries),
    listDeliveriesBy: db.prepare(WEBHOOK_SQL.deliveriesBy),
    importDelivery: db.prepare(WEBHOOK_SQL.importDelivery),
  };

  const removeWebhook = db.transaction((id: number): boolean => {
    const removed = stmt.deleteWebhook.run(id).changes > 0;
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

    async recordDeliveryAttempt(id, attempt) {
      const { at, next, status } = attemptColumns(attempt);
      const changed = guard(
        'recordDeliveryAttempt',
        () =>
          stmt.recordAttempt.run(at, attempt.statusCode, attempt.error, status, next, id).changes,
      );
      if (changed === 0) throw new IpurlError('ERR_NOT_FOUND', `no webhook delivery with id ${id}`);
    },

    async listDeliveries(filter = {}) {
      // LIMIT -1: no limit.
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
