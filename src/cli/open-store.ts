/**
 * The one place that picks a Store adapter: a `postgres://` URL selects PostgreSQL (loaded
 * lazily, so SQLite users never load `pg`), anything else is a SQLite file path.
 */
import type { Store } from '../core/store.js';

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

export async function openStore(db: string): Promise<Store> {
  if (isPostgresUrl(db)) {
    const { createPostgresStore } = await import('../store/postgres/postgres-store.js');
    return createPostgresStore({ connectionString: db });
  }
  const { createSqliteStore } = await import('../store/sqlite/sqlite-store.js');
  return createSqliteStore({ filename: db });
}
