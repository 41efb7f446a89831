/** Consumer state on PostgreSQL: small key → value texts (sync state, ClientRequestId, watch progress). */
import type { Store } from '../../core/store.js';
import type { PgQuery } from './postgres-deps.js';

export function createPostgresState(
  query: PgQuery,
): Pick<Store, 'getState' | 'setState' | 'listState'> {
  return {
    async getState(key) {
      const rows = await query<{ value: string }>(
        'getState',
        'SELECT value FROM state WHERE key = $1',
        [key],
      );
      return rows[0]?.value;
    },

    async setState(key, value) {
      await query(
        'setState',
        'INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
    },

    async listState() {
      // COLLATE "C": the same byte order as SQLite's, whatever the database's locale.
      return query<{ key: string; value: string }>(
        'listState',
        'SELECT key, value FROM state ORDER BY key COLLATE "C"',
      );
    },
  };
}
