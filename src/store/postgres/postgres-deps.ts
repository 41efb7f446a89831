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

/** What every part of the adapter is built from. */
export interface PgDeps {
  /** The schema holding the tables (part of the append lock's key). */
  readonly schema: string;
  /** Where revision bumps are NOTIFYed. */
  readonly channel: string;
  readonly query: PgQuery;
  readonly execute: PgExecute;
  readonly transaction: PgTransaction;
}

/**
 * Serialise appends (and what must not interleave with one: holding, accepting) per instance
 * across every replica. Transaction-scoped: released at COMMIT/ROLLBACK, re-entrant within one.
 */
export async function lockAppends(
  client: pg.PoolClient,
  schema: string,
  instance: string,
): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `ipurl-append:${schema}:${instance}`,
  ]);
}

/**
 * Bump the revision and NOTIFY replicas; the notification is delivered at COMMIT, never for a
 * rolled-back write.
 */
export async function bumpRevision(client: pg.PoolClient, channel: string): Promise<void> {
  await client.query(
    `WITH bumped AS (
       UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'revision' RETURNING value
     )
     SELECT pg_notify($1, value) FROM bumped`,
    [channel],
  );
}

/** The SQLSTATE of a driver error, if any. */
export function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
