/**
 * Observed addresses in SQLite (migration 4, table `observations`): the Store's
 * recordObservations / listObservations / expireObservations.
 */
import type Database from 'better-sqlite3';
import type { ObservationInput } from '../../core/observation.js';
import { OBSERVATION_SQL } from '../statements.js';
import type { ObservationMethods } from '../store-parts.js';
import { isoText, toObservation, type ObservationRow } from '../store-rows.js';
import type { SqliteGuard } from './sqlite-errors.js';

export function createSqliteObservations(
  db: Database.Database,
  guard: SqliteGuard,
): ObservationMethods {
  const stmt = {
    exists: db.prepare(
      'SELECT 1 FROM observations WHERE instance = ? AND set_id = ? AND name = ? AND address = ?',
    ),
    upsert: db.prepare(
      `INSERT INTO observations (instance, set_id, name, address, family, first_seen, last_seen, ttl)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (instance, set_id, name, address)
       DO UPDATE SET last_seen = excluded.last_seen, ttl = excluded.ttl`,
    ),
    list: db.prepare(OBSERVATION_SQL.list),
    expire: db.prepare('DELETE FROM observations WHERE instance = ? AND last_seen < ?'),
  };
  const record = db.transaction(
    (instance: string, at: string, answers: readonly ObservationInput[]): number => {
      let added = 0;
      for (const a of answers) {
        if (stmt.exists.get(instance, a.setId, a.name, a.address) === undefined) added += 1;
        stmt.upsert.run(instance, a.setId, a.name, a.address, a.family, at, at, a.ttl);
      }
      return added;
    },
  );
  return {
    async recordObservations(instance, at, answers) {
      return guard('recordObservations', () => record(instance, at, answers));
    },
    async listObservations(instance) {
      const rows = guard(
        'listObservations',
        () => stmt.list.all(instance) as ObservationRow<string>[],
      );
      return rows.map((row) => toObservation(row, isoText));
    },
    async expireObservations(instance, before) {
      return guard('expireObservations', () => stmt.expire.run(instance, before).changes);
    },
  };
}
