/**
 * `ipurl copy` (issue 6): SQLite → PostgreSQL → SQLite through the real CLI, then every Store
 * answer compared before and after: instances, versions, every version's sets, every change
 * record with its id, set ids, state, webhooks (ids intact, gaps included), the outbox and the
 * observed addresses (first seen, last seen, TTL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../src/core/store.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import {
  POSTGRES_URL,
  dropSchema,
  postgresReachable,
  uniqueSchemaName,
} from './helpers/postgres.js';
import { describeWith } from './helpers/system.js';
import { runIpurl } from './cli/run-cli.js';
import { createSeededStoreFile } from './helpers/seeded-store.js';
import { INTERNAL_PROXY_ADDITION, YAMMER_EXCLUSION } from './helpers/store-overlay-changes.js';
import { addUnreachableWebhooks } from './helpers/store-webhooks.js';

/** Every answer a Store gives, as one JSON string (revision aside: it names the store). */
async function snapshot(store: Store): Promise<string> {
  const instances = await store.listInstances();
  const perInstance = [];
  for (const { instance } of instances) {
    const versions = await store.listVersions(instance);
    const sets = [];
    for (const v of versions)
      sets.push([v.version, await store.getEndpointSets(instance, v.version)]);
    perInstance.push({
      instance,
      versions,
      sets,
      changes: await store.getChanges(instance, { after: '0000000000' }),
      knownSetIds: [...(await store.knownSetIds(instance))],
      observations: await store.listObservations(instance),
    });
  }
  return JSON.stringify({
    instances,
    perInstance,
    state: await store.listState(),
    webhooks: await store.listWebhooks(),
    deliveries: await store.listDeliveries(),
    overlay: await store.listOverlayChanges(),
  });
}

const reachable = await postgresReachable();

describeWith('PostgreSQL at 127.0.0.1:5432', reachable)(
  'ipurl copy between SQLite and PostgreSQL',
  () => {
    let dir: string;
    const schema = uniqueSchemaName('ipurl_copy');
    const pgUrl = `${POSTGRES_URL}?schema=${schema}`;
    let source: string;
    let before: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ipurl-copy-'));
      source = join(dir, 'source.db');
      await createSeededStoreFile(source);
      const store = await createSqliteStore({ filename: source });
      const [w1, w2] = await addUnreachableWebhooks(store);
      await store.removeWebhook(w2.id);
      const latest = (await store.listVersions('Worldwide'))[0]!;
      const sets = (await store.getEndpointSets('Worldwide', latest.version))!;
      const published = await store.appendVersion({
        instance: 'Worldwide',
        version: '2026112800',
        expectedLatest: latest.version,
        sets: sets.slice(1),
        changes: [
          {
            endpointSetId: sets[0]!.id,
            disposition: 'Remove',
            version: '2026112800',
            impact: 'RemovedIpOrUrl',
            remove: { ...(sets[0]!.urls ? { urls: sets[0]!.urls } : {}) },
          },
        ],
      });
      expect(published.deliveries).toHaveLength(1);
      await store.recordDeliveryAttempt(published.deliveries[0]!, {
        at: '2026-11-28T01:00:00.000Z',
        statusCode: 500,
        error: 'HTTP 500',
        delivered: false,
        nextAttemptAt: '2026-11-28T01:05:00.000Z',
      });
      // The local overlay: an addition with a relaxed rule, an exclusion, its removal.
      const added = await store.recordOverlayChange({
        ...INTERNAL_PROXY_ADDITION,
        at: '2026-11-28T02:00:00.000Z',
        notify: false,
      });
      const excluded = await store.recordOverlayChange({
        ...YAMMER_EXCLUSION,
        instance: 'Worldwide',
        notify: false,
      });
      await store.recordOverlayChange({
        instance: 'Worldwide',
        entry: { action: 'remove', target: excluded.id },
        by: 'bob',
        note: 'undo',
        notify: false,
      });
      expect(added.id).toBe(1);
      await store.setState('sync:Worldwide', '2026112800');
      await store.setState('clientRequestId', 'b10c5ed1-bad1-445f-b386-b919946339a7');
      // Observed addresses: one seen twice (first and last seen differ, TTL updated), one once.
      await store.recordObservations('Worldwide', '2026-11-01T10:00:00.000Z', [
        { setId: 17, name: 'aka.ms', address: '20.70.246.20', family: 4, ttl: 300 },
        { setId: 35, name: 'admin.onedrive.com', address: '2620:1ec:42::12', family: 6, ttl: 60 },
      ]);
      await store.recordObservations('Worldwide', '2026-11-02T10:00:00.000Z', [
        { setId: 17, name: 'aka.ms', address: '20.70.246.20', family: 4, ttl: 600 },
      ]);
      expect(w1.id).toBe(1);
      before = await snapshot(store);
      await store.close();
    });

    afterAll(async () => {
      rmSync(dir, { recursive: true, force: true });
      await dropSchema(schema);
    });

    it('copies SQLite → PostgreSQL → SQLite with every answer unchanged', async () => {
      const toPg = await runIpurl(['copy', '--from', source, '--to', pgUrl, '--json']);
      expect(toPg.stderr).toBe('');
      expect(toPg.code).toBe(0);
      const summary = JSON.parse(toPg.stdout);
      // State: sync progress, the ClientRequestId and the record of the bundled seed.
      expect(summary).toMatchObject({
        webhooks: 2,
        deliveries: 1,
        overlay: 3,
        state: 3,
        observations: 2,
      });
      expect(summary.instances.map((i: { instance: string }) => i.instance)).toEqual([
        'Worldwide',
        'USGovDoD',
        'USGovGCCHigh',
        'China',
        'Germany',
      ]);

      const { createPostgresStore } = await import('../src/store/postgres/postgres-store.js');
      const pgStore = await createPostgresStore({ connectionString: POSTGRES_URL, schema });
      try {
        expect(await snapshot(pgStore)).toBe(before);
        // Ids continue after the copied ones, never reusing a removed webhook's id.
        expect(
          (
            await pgStore.addWebhook({
              instance: 'China',
              url: 'http://127.0.0.1:9/d',
              secret: 'sd',
            })
          ).id,
        ).toBe(4);
        await pgStore.removeWebhook(4);
      } finally {
        await pgStore.close();
      }

      const back = join(dir, 'back.db');
      const toSqlite = await runIpurl(['copy', '--from', pgUrl, '--to', back]);
      expect(toSqlite.code).toBe(0);
      expect(toSqlite.stdout).toMatch(/^copied .* \(postgres\) → .*back\.db \(sqlite\)/);
      expect(toSqlite.stdout).toMatch(/Worldwide\s+38 versions/);
      const backStore = await createSqliteStore({ filename: back });
      try {
        // The webhook added and removed on PostgreSQL above had no delivery and is gone: every
        // answer is the original's.
        expect(await snapshot(backStore)).toBe(before);
      } finally {
        await backStore.close();
      }
    });

    it('refuses a non-empty target, the same store twice, and an empty source, changing nothing', async () => {
      const again = await runIpurl(['copy', '--from', source, '--to', pgUrl]);
      expect(again.code).toBe(4);
      expect(again.stderr).toMatch(
        /is not empty \(it holds 134 version\(s\) of Worldwide, USGovDoD, USGovGCCHigh, China, Germany, 2 webhook\(s\), webhook deliveries, 3 overlay change\(s\), 3 state key\(s\), 2 observed address\(es\)\)/,
      );
      expect(again.stderr).toContain('[ERR_CONFLICT]');

      const same = await runIpurl(['copy', '--from', source, '--to', source]);
      expect(same.code).toBe(2);
      expect(same.stderr).toMatch(/same store/);

      const empty = join(dir, 'empty.db');
      const none = await runIpurl(['copy', '--from', empty, '--to', join(dir, 'other.db')]);
      expect(none.code).toBe(3);
      expect(none.stderr).toMatch(/holds no version: nothing to copy/);

      const sourceStore = await createSqliteStore({ filename: source });
      try {
        expect(await snapshot(sourceStore)).toBe(before);
      } finally {
        await sourceStore.close();
      }
    });
  },
);
