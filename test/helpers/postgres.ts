/**
 * PostgreSQL for tests: the machine's server (127.0.0.1:5432, trust auth, database `test`), or
 * IPURL_TEST_POSTGRES_URL. Each test gets its own schema and drops it afterwards, so runs never
 * see each other's data. Use with describeWith('PostgreSQL at 127.0.0.1:5432', reachable).
 */
import pg from 'pg';

export const POSTGRES_URL =
  process.env.IPURL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when a connection and `SELECT 1` succeed within two seconds. */
export async function postgresReachable(url: string = POSTGRES_URL): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh schema name; the store's migrations create it. */
export function uniqueSchemaName(prefix = 'ipurl_test'): string {
  return `${prefix}_${process.pid}_${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

/** Drop a test schema and everything in it. */
export async function dropSchema(schema: string, url: string = POSTGRES_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Run one SQL statement as a superuser-ish side channel (e.g. to terminate a connection). */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values: unknown[] = [],
  url: string = POSTGRES_URL,
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
