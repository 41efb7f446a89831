/**
 * The local overlay in SQLite (migration 5, table `overlay_changes`): the Store's
 * recordOverlayChange / listOverlayChanges. A change, its webhook deliveries and the revision
 * bump are one IMMEDIATE transaction.
 */
import type Database from 'better-sqlite3';
import type { OverlayChangeInput } from '../../core/overlay.js';
import * as rules from '../overlay-input.js';
import { COMMON_SQL, OVERLAY_SQL } from '../statements.js';
import type { OverlayMethods } from '../store-parts.js';
import { newDeliveries } from '../store-rows.js';
import type { SqliteGuard } from './sqlite-errors.js';
import { BUMP_REVISION } from './sqlite-revision.js';

export function createSqliteOverlay(db: Database.Database, guard: SqliteGuard): OverlayMethods {
  const stmt = {
    nextId: db.prepare(OVERLAY_SQL.nextId),
    byId: db.prepare(OVERLAY_SQL.byId),
    removedBy: db.prepare(
      "SELECT id FROM overlay_changes WHERE action = 'remove' AND json_extract(entry, '$.target') = ?",
    ),
    insert: db.prepare(OVERLAY_SQL.insert),
    latest: db.prepare(COMMON_SQL.latest),
    webhookIdsOf: db.prepare(COMMON_SQL.webhookIdsOf),
    queueDelivery: db.prepare(COMMON_SQL.queueDelivery),
    bumpRevision: db.prepare(BUMP_REVISION),
    all: db.prepare(OVERLAY_SQL.all),
    of: db.prepare(OVERLAY_SQL.of),
  };
  const record = db.transaction((input: OverlayChangeInput) => {
    const columns = rules.overlayColumns(input);
    if (input.entry.action === 'remove') {
      const target = stmt.byId.get(input.entry.target) as rules.OverlayRow | undefined;
      const removedBy = stmt.removedBy.get(input.entry.target) as { id: number } | undefined;
      rules.checkRemoval(input, target, removedBy?.id);
    }
    const id = input.id ?? (stmt.nextId.get() as { id: number }).id;
    const latest = (stmt.latest.get(input.instance) as { latest: string | null }).latest;
    // Nothing published yet: no webhook is told (there is no version to name).
    const queued = newDeliveries(
      input.notify === false || latest === null
        ? []
        : (stmt.webhookIdsOf.all(input.instance) as Array<{ id: number }>),
      input.instance,
      latest ?? '',
      rules.OVERLAY_EVENT,
      new Date().toISOString(),
    );
    for (const values of queued.rows) stmt.queueDelivery.run(...values);
    const row = rules.newOverlayRow(input, id, columns, [
      ...(input.deliveries ?? []),
      ...queued.ids,
    ]);
    stmt.insert.run(...rules.overlayValues(row, input.entry.action));
    stmt.bumpRevision.run();
    return rules.toOverlayChange(row);
  });
  return {
    async recordOverlayChange(input) {
      return guard('recordOverlayChange', () => record.immediate(input));
    },
    async listOverlayChanges(instance) {
      return guard('listOverlayChanges', () => {
        const rows = (
          instance === undefined ? stmt.all.all() : stmt.of.all(instance)
        ) as rules.OverlayRow[];
        return rows.map(rules.toOverlayChange);
      });
    },
  };
}
