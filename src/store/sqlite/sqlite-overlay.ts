/**
 * The local overlay in SQLite (migration 5, table `overlay_changes`): the Store's
 * recordOverlayChange / listOverlayChanges. A change, its webhook deliveries and the revision
 * bump are one IMMEDIATE transaction.
 */
import type Database from 'better-sqlite3';
import type { Store } from '../../core/store.js';
import {
  OVERLAY_EVENT,
  checkRemoval,
  overlayColumns,
  toOverlayChange,
  type OverlayRow,
} from '../overlay-input.js';

type OverlayMethods = Pick<Store, 'recordOverlayChange' | 'listOverlayChanges'>;

export function createSqliteOverlay(
  db: Database.Database,
  guard: <T>(what: string, work: () => T) => T,
): OverlayMethods {
  const stmt = {
    nextId: db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS id FROM overlay_changes'),
    byId: db.prepare('SELECT * FROM overlay_changes WHERE id = ?'),
    removedBy: db.prepare(
      "SELECT id FROM overlay_changes WHERE action = 'remove' AND json_extract(entry, '$.target') = ?",
    ),
    insert: db.prepare(
      `INSERT INTO overlay_changes (id, instance, action, entry, by_user, note, at, relaxed_rules, warnings, deliveries)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    latest: db.prepare('SELECT MAX(version) AS latest FROM versions WHERE instance = ?'),
    webhookIdsOf: db.prepare('SELECT id FROM webhooks WHERE instance = ? ORDER BY id'),
    insertDelivery: db.prepare(
      `INSERT INTO deliveries (id, webhook_id, instance, version, status, attempts, next_attempt_at, created_at, event)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, '${OVERLAY_EVENT}')`,
    ),
    bumpRevision: db.prepare(
      "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'",
    ),
    all: db.prepare('SELECT * FROM overlay_changes ORDER BY id'),
    of: db.prepare('SELECT * FROM overlay_changes WHERE instance = ? ORDER BY id'),
  };
  const record = db.transaction((input: Parameters<OverlayMethods['recordOverlayChange']>[0]) => {
    const columns = overlayColumns(input);
    if (input.entry.action === 'remove') {
      const target = stmt.byId.get(input.entry.target) as OverlayRow | undefined;
      const removedBy = stmt.removedBy.get(input.entry.target) as { id: number } | undefined;
      checkRemoval(input, target, removedBy?.id);
    }
    const id = input.id ?? (stmt.nextId.get() as { id: number }).id;
    const deliveries = [...(input.deliveries ?? [])];
    const latest = (stmt.latest.get(input.instance) as { latest: string | null }).latest;
    if (input.notify !== false && latest !== null) {
      const now = new Date().toISOString();
      for (const { id: hook } of stmt.webhookIdsOf.all(input.instance) as Array<{ id: number }>) {
        const delivery = globalThis.crypto.randomUUID();
        stmt.insertDelivery.run(delivery, hook, input.instance, latest, now, now);
        deliveries.push(delivery);
      }
    }
    const row: OverlayRow = {
      id,
      instance: input.instance,
      entry: columns.entry,
      by_user: input.by,
      note: input.note,
      at: columns.at,
      relaxed_rules: columns.relaxed,
      warnings: columns.warnings,
      deliveries: JSON.stringify(deliveries),
    };
    stmt.insert.run(
      row.id,
      row.instance,
      input.entry.action,
      row.entry,
      row.by_user,
      row.note,
      row.at,
      row.relaxed_rules,
      row.warnings,
      row.deliveries,
    );
    stmt.bumpRevision.run();
    return toOverlayChange(row);
  });
  return {
    async recordOverlayChange(input) {
      return guard('recordOverlayChange', () => record.immediate(input));
    },
    async listOverlayChanges(instance) {
      return guard('listOverlayChanges', () => {
        const rows = (
          instance === undefined ? stmt.all.all() : stmt.of.all(instance)
        ) as OverlayRow[];
        return rows.map(toOverlayChange);
      });
    },
  };
}
