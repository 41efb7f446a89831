/**
 * Observed addresses in PostgreSQL (migration 4, table `observations`): the Store's
 * recordObservations / listObservations / expireObservations.
 */
import type pg from 'pg';
import type { Observation } from '../../core/observation.js';
import type { Store } from '../../core/store.js';

type ObservationMethods = Pick<
  Store,
  'recordObservations' | 'listObservations' | 'expireObservations'
>;

export interface PostgresObservationDeps {
  readonly query: <R extends pg.QueryResultRow>(
    what: string,
    text: string,
    values?: unknown[],
  ) => Promise<R[]>;
  readonly transaction: <T>(
    what: string,
    work: (client: pg.PoolClient) => Promise<T>,
  ) => Promise<T>;
}

interface Row {
  instance: string;
  set_id: number;
  name: string;
  address: string;
  family: number;
  first_seen: Date;
  last_seen: Date;
  ttl: number;
}

export function createPostgresObservations(deps: PostgresObservationDeps): ObservationMethods {
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
      const rows = await query<Row>(
        'listObservations',
        'SELECT * FROM observations WHERE instance = $1 ORDER BY set_id, name, family, address',
        [instance],
      );
      return rows.map((row): Observation => ({
        instance: row.instance,
        setId: row.set_id,
        name: row.name,
        address: row.address,
        family: row.family === 6 ? 6 : 4,
        firstSeen: row.first_seen.toISOString(),
        lastSeen: row.last_seen.toISOString(),
        ttl: row.ttl,
      }));
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
