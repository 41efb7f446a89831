/**
 * The Store contract against the PostgreSQL adapter (a fresh schema per test, dropped after),
 * plus what only PostgreSQL has: migrations under an advisory lock, LISTEN/NOTIFY revisions with
 * a listener that reconnects after its connection is killed.
 */
import { afterAll, expect, it } from 'vitest';
import type { Store } from '../src/core/store.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { defineStoreContract } from './store-contract.js';
import {
  POSTGRES_URL,
  adminQuery,
  dropSchema,
  postgresReachable,
  uniqueSchemaName,
} from './helpers/postgres.js';
import { describeWith } from './helpers/system.js';

const reachable = await postgresReachable();

describeWith('PostgreSQL at 127.0.0.1:5432', reachable)('PostgreSQL store', () => {
  defineStoreContract('postgres', async () => {
    const schema = uniqueSchemaName();
    const store = await createPostgresStore({ connectionString: POSTGRES_URL, schema });
    const others: Store[] = [];
    return {
      store,
      async openAnother() {
        const other = await createPostgresStore({ connectionString: POSTGRES_URL, schema });
        others.push(other);
        return other;
      },
      async destroy() {
        for (const s of [store, ...others]) await s.close();
        await dropSchema(schema);
      },
    };
  });

  const schemas: string[] = [];
  const fresh = () => {
    const schema = uniqueSchemaName();
    schemas.push(schema);
    return schema;
  };
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it('migrates a new schema once even when several processes open it together', async () => {
    const schema = fresh();
    const stores = await Promise.all(
      [1, 2, 3].map(() => createPostgresStore({ connectionString: POSTGRES_URL, schema })),
    );
    try {
      const statuses = stores.map((s) => s.migrations.map((m) => m.status).join(','));
      expect(
        statuses.filter((s) => s === POSTGRES_MIGRATIONS.map(() => 'applied').join(',')),
      ).toHaveLength(1);
      expect(
        statuses.filter((s) => s === POSTGRES_MIGRATIONS.map(() => 'already-applied').join(',')),
      ).toHaveLength(2);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('refuses a bad schema name and an unreachable server with clear errors', async () => {
    await expect(
      createPostgresStore({ connectionString: POSTGRES_URL, schema: 'x; DROP TABLE y' }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_PARAMETER',
    });
    await expect(
      createPostgresStore({
        connectionString: 'postgres://postgres@127.0.0.1:1/test',
        schema: fresh(),
      }),
    ).rejects.toMatchObject({ code: 'ERR_STORAGE', message: /127\.0\.0\.1:1/ });
  });

  it('notifies onRevision listeners of an append from another process, and keeps listening after its connection dies', async () => {
    const schema = fresh();
    const reader = await createPostgresStore({ connectionString: POSTGRES_URL, schema });
    const writer = await createPostgresStore({ connectionString: POSTGRES_URL, schema });
    // Only this test's listener: other suites may be listening on their own schemas.
    const listenQuery = `LISTEN "ipurl_revision_${schema}"`;
    try {
      let heard = 0;
      let wake: (() => void) | undefined;
      const next = () => new Promise<void>((resolve) => (wake = resolve));
      const off = reader.onRevision!(() => {
        heard++;
        wake?.();
      });
      // Wait until the LISTEN connection is up before publishing.
      for (let i = 0; i < 100; i++) {
        const rows = await adminQuery<{ n: string }>(
          "SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = 'ipurl' AND query = $1",
          [listenQuery],
        );
        if (Number(rows[0]?.n) > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      let got = next();
      await writer.appendVersion({
        instance: 'Worldwide',
        version: '2026112800',
        expectedLatest: null,
        sets: [],
        changes: [],
      });
      await got;
      expect(heard).toBe(1);

      // Kill the listening connection: the store reconnects and fires once (news may be lost).
      got = next();
      await adminQuery(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ipurl' AND query = $1",
        [listenQuery],
      );
      await got;
      expect(heard).toBe(2);
      got = next();
      await writer.appendVersion({
        instance: 'Worldwide',
        version: '2026112801',
        expectedLatest: '2026112800',
        sets: [],
        changes: [],
      });
      await got;
      expect(heard).toBe(3);
      off();
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
