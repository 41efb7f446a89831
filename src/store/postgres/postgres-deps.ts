/** The adapter's query helpers, shared by every part (postgres-store.ts makes them). */
import type pg from 'pg';

export type PgQuery = <R extends pg.QueryResultRow>(
  what: string,
  text: string,
  values?: unknown[],
) => Promise<R[]>;

export type PgTransaction = <T>(
  what: string,
  work: (client: pg.PoolClient) => Promise<T>,
) => Promise<T>;

/** A statement run for its effect: the number of rows it touched. */
export type PgExecute = (what: string, text: string, values?: unknown[]) => Promise<number>;

/** The SQLSTATE of a driver error, if any. */
export function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Where the server is, for messages (never the password). */
