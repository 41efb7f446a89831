/**
 * The scale-out Store: PostgreSQL (pg 8) shared by any number of replicas. Same behaviour as the
 * SQLite adapter (test/store-contract.ts runs against both):
 * - `appendVersion` is one transaction serialised per instance by a transaction-scoped advisory
 *   lock, re-reading the latest version under the lock (optimistic concurrency, ERR_CONFLICT);
 *   sets and records go in with `unnest` bulk inserts so a 20,000-set version is a few statements.
 * - `revision()` reads a counter row bumped in the append transaction; the same transaction
 *   NOTIFYs a channel, and `onRevision` LISTENs on a dedicated connection that reconnects (and
 *   fires once after reconnecting, because notifications sent meanwhile are lost).
 * - Every table lives in `schema` (default `public`), so tests and tenants can have their own.
 */
import pg from 'pg';
import { IpurlError, isIpurlError } from '../../core/errors.js';
import type { Store } from '../../core/store.js';
import type { MigrationStep } from '../migrations.js';
import { migratePostgres, quoteIdent } from './migrations.js';
import { pgCode, type PgDeps } from './postgres-deps.js';
import { createPostgresHeld } from './postgres-held.js';
import { createPostgresObservations } from './postgres-observations.js';
import { createPostgresOverlay } from './postgres-overlay.js';
import { createRevisionListener } from './postgres-revision.js';
import { createPostgresState } from './postgres-state.js';
import { createPostgresVersions } from './postgres-versions.js';
import { createPostgresWebhooks } from './postgres-webhooks.js';

export interface PostgresStoreConfig {
  /** `postgres://user@host:port/db`, optionally with `?schema=name`. */
  readonly connectionString: string;
  /** Schema holding ipurl's tables (created by the migrations); default `public`. */
  readonly schema?: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
}

export interface PostgresStore extends Store {
  readonly schema: string;
  /** The migration steps of this open. */
  readonly migrations: readonly MigrationStep[];
}

const SCHEMA_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/** PostgreSQL SQLSTATEs that mean "someone else got there first: retry". */
const RETRYABLE = new Set(['40001', '40P01', '55P03']);

function describeTarget(connectionString: string, schema: string): string {
  try {
    const url = new URL(connectionString);
    return `postgres://${url.host}${url.pathname} schema ${schema}`;
  } catch {
    return `PostgreSQL schema ${schema}`;
  }
}

/**
 * `postgres://…/db?schema=name` selects a schema from the URL alone (what `--db` can carry); the
 * parameter is removed before the URL reaches pg, which would otherwise ignore it.
 */
export function splitSchemaParam(connectionString: string): {
  connectionString: string;
  schema?: string;
} {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return { connectionString };
  }
  const schema = url.searchParams.get('schema');
  if (schema === null) return { connectionString };
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

export async function createPostgresStore(config: PostgresStoreConfig): Promise<PostgresStore> {
  const fromUrl = splitSchemaParam(config.connectionString);
  config = { ...config, connectionString: fromUrl.connectionString };
  const schema = config.schema ?? fromUrl.schema ?? 'public';
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `schema must be a letter or "_" followed by up to 40 letters, digits or "_"; received "${schema}"`,
    );
  }
  const target = describeTarget(config.connectionString, schema);
  const channel = `ipurl_revision_${schema}`;

  const fail = (what: string, error: unknown): IpurlError => {
    if (isIpurlError(error)) return error;
    const code = pgCode(error);
    if (code !== undefined && RETRYABLE.has(code)) {
      return new IpurlError(
        'ERR_CONFLICT',
        `${what} collided with a concurrent write on ${target}; nothing was written. Retry.`,
        {
          cause: error,
        },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return new IpurlError('ERR_STORAGE', `PostgreSQL ${what} failed on ${target}: ${message}`, {
      cause: error,
    });
  };
  const guard = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw fail(what, error);
    }
  };

  const clientConfig: pg.ClientConfig = {
    connectionString: config.connectionString,
    options: `-c search_path=${quoteIdent(schema)}`,
    application_name: 'ipurl',
    // A server that does not answer must not hang /ready or a request forever.
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  };
  const pool = new pg.Pool({ ...clientConfig, max: config.maxConnections ?? 10 });
  // An idle pooled connection that dies (server restart) must not crash the process; the next
  // query gets a fresh connection or a clear ERR_STORAGE.
  pool.on('error', () => undefined);

  let migrations: MigrationStep[];
  try {
    const client = await pool.connect();
    try {
      migrations = await migratePostgres(client, schema);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw fail('open', error);
  }

  const query = async <R extends pg.QueryResultRow>(
    what: string,
    text: string,
    values: unknown[] = [],
  ) => guard(what, async () => (await pool.query<R>(text, values)).rows);

  const execute = async (what: string, text: string, values: unknown[] = []) =>
    guard(what, async () => (await pool.query(text, values)).rowCount ?? 0);

  /** Run `work` in one transaction on one pooled connection. */
  const transaction = async <T>(
    what: string,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> =>
    guard(what, async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });

  const revisions = createRevisionListener(clientConfig, channel);
  const deps: PgDeps = { schema, channel, query, execute, transaction };
  const versions = createPostgresVersions(deps);
  const { appendInTransaction } = versions;
  let closed = false;

  const store: PostgresStore = {
    kind: 'postgres',
    schema,
    migrations,
    ...versions.methods,
    onRevision: (fn) => revisions.onRevision(fn),
    ...createPostgresState(query),
    ...createPostgresWebhooks(deps),
    ...createPostgresHeld(deps, appendInTransaction),
    ...createPostgresObservations(deps),
    ...createPostgresOverlay(deps),

    async ping() {
      await query('ping', 'SELECT 1');
    },

    async close() {
      if (closed) return;
      closed = true;
      await revisions.close();
      await guard('close', () => pool.end());
    },
  };
  return store;
}
