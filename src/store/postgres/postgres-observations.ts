/**
 * Observed addresses in PostgreSQL (migration 4, table `observations`): the Store's
 * recordObservations / listObservations / expireObservations.
 */
import { OBSERVATION_SQL } from '../statements.js';
import type { ObservationMethods } from '../store-parts.js';
import { isoDate, toObservation, type ObservationRow } from '../store-rows.js';
import type { PgDeps } from './postgres-deps.js';
import { numberedAll } from './postgres-placeholders.js';

const SQL = numberedAll(OBSERVATION_SQL);

export function createPostgresObservations(deps: PgDeps): ObservationMethods {
  const { query, transaction } = deps;
  return {
    async recordObservations(instance, at, answers) {
      if (answers.length === 0) return 0;
      return transaction('recordObservations', async (client) => {
        let added = 0;
        for (const a of answers) {
          // xmax = 0 on the returned row: it was inserted, not updated.
          const result = await client.query<{ inserted: boolean }>(
            `INSERT INTO observations (instance, set_id, name, address, family, first_seen, last_seen, ttl)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
             ON CONFLICT (instance, set_id, name, address)
             DO UPDATE SET last_seen = excluded.last_seen, ttl = excluded.ttl
             RETURNING (xmax = 0) AS inserted`,
            [instance, a.setId, a.name, a.address, a.family, at, a.ttl],
          );
          if (result.rows[0]?.inserted === true) added += 1;
        }
        return added;
      });
    },
    async listObservations(instance) {
      const rows = await query<ObservationRow<Date>>('listObservations', SQL.list, [instance]);
      return rows.map((row) => toObservation(row, isoDate));
    },
    async expireObservations(instance, before) {
      const rows = await query<{ n: string }>(
        'expireObservations',
        'WITH gone AS (DELETE FROM observations WHERE instance = $1 AND last_seen < $2 RETURNING 1) SELECT count(*) AS n FROM gone',
        [instance, before],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}
