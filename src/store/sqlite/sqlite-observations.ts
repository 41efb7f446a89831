/**
 * Observed addresses in SQLite (migration 4, table `observations`): the Store's
 * recordObservations / listObservations / expireObservations.
 */
import type Database from 'better-sqlite3';
import type { Observation, ObservationInput } from '../../core/observation.js';
import type { Store } from '../../core/store.js';

type ObservationMethods = Pick<
  Store,
  'recordObservations' | 'listObservations' | 'expireObservations'
>;

interface Row {
  instance: string;
  set_id: number;
  name: string;
  address: string;
  family: number;
  first_seen: string;
  last_seen: string;
  ttl: number;
}

export function createSqliteObservations(
  db: Database.Database,
  guard: <T>(what: string, work: () => T) => T,
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
    list: db.prepare(
      'SELECT * FROM observations WHERE instance = ? ORDER BY set_id, name, family, address',
    ),
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
      const rows = guard('listObservations', () => stmt.list.all(instance) as Row[]);
      return rows.map((row): Observation => ({
        instance: row.instance,
        setId: row.set_id,
        name: row.name,
        address: row.address,
        family: row.family === 6 ? 6 : 4,
        firstSeen: row.first_seen,
        lastSeen: row.last_seen,
        ttl: row.ttl,
      }));
    },
    async expireObservations(instance, before) {
      return guard('expireObservations', () => stmt.expire.run(instance, before).changes);
    },
  };
}
