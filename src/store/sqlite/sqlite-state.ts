/** Consumer state on SQLite: small key → value texts (sync state, ClientRequestId, watch progress). */
import type Database from 'better-sqlite3';
import { STATE_SQL } from '../statements.js';
import type { StateMethods } from '../store-parts.js';
import type { SqliteGuard } from './sqlite-errors.js';

export function createSqliteState(db: Database.Database, guard: SqliteGuard): StateMethods {
  const stmt = {
    getState: db.prepare(STATE_SQL.get),
    setState: db.prepare(STATE_SQL.set),
    listState: db.prepare('SELECT key, value FROM state ORDER BY key'),
  };

  return {
    async getState(key) {
      return guard(
        'getState',
        () => (stmt.getState.get(key) as { value: string } | undefined)?.value,
      );
    },

    async setState(key, value) {
      guard('setState', () => stmt.setState.run(key, value));
    },

    async listState() {
      return guard(
        'listState',
        () => stmt.listState.all() as Array<{ key: string; value: string }>,
      );
    },
  };
}
