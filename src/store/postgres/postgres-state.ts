/** Consumer state on PostgreSQL: small key → value texts (sync state, ClientRequestId, watch progress). */
import { STATE_SQL } from '../statements.js';
import type { StateMethods } from '../store-parts.js';
import type { PgQuery } from './postgres-deps.js';
import { numberedAll } from './postgres-placeholders.js';

const SQL = numberedAll(STATE_SQL);

export function createPostgresState(query: PgQuery): StateMethods {
  return {
    async getState(key) {
      const rows = await query<{ value: string }>('getState', SQL.get, [key]);
      return rows[0]?.value;
    },

    async setState(key, value) {
      await query('setState', SQL.set, [key, value]);
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
