/** Consumer state on SQLite: small key → value texts (sync state, ClientRequestId, watch progress). */
import type Database from 'better-sqlite3';
import type { Store } from '../../core/store.js';
import type { SqliteGuard } from './sqlite-errors.js';

export function createSqliteState(
  db: Database.Database,
  guard: SqliteGuard,
): Pick<Store, 'getState' | 'setState' | 'listState'> {
  const stmt = {
    getState: db.prepare('SELECT value FROM state WHERE key = ?'),
    setState: db.prepare(
      'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
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
