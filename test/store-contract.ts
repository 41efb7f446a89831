/**
 * The Store contract: one behavioural suite that every adapter (SQLite, PostgreSQL) runs
 * unchanged, so the layers above behave alike on either. It speaks only the Store interface of
 * src/core/store.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ChangeDraft } from '../src/core/change-record.js';
import type { EndpointSet } from '../src/core/endpoint-set.js';
import type { AppendVersionInput, Store } from '../src/core/store.js';
import { defineHeldContract } from './store-contract-held.js';
import { defineObservationContract } from './store-contract-observations.js';
import { defineOverlayContract } from './store-contract-overlay.js';
import { eachFreshStore, errorOf } from './store-contract-support.js';
import { addUnreachableWebhooks } from './helpers/store-webhooks.js';

/** A fresh, empty store plus a way to open a second handle on the same database. */
export interface StoreHandle {
  readonly store: Store;
  /** Another connection/process-like handle on the same data (closed by `destroy`). */
  openAnother(): Promise<Store>;
  /** Close every handle and remove the database. */
  destroy(): Promise<void>;
}

const REAL_SETS = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('./fixtures/wire/endpoints-Worldwide-NoIPv6-real.json', import.meta.url)),
    'utf8',
  ),
) as EndpointSet[];

function set(
  id: number,
  serviceArea: EndpointSet['serviceArea'] = 'Common',
  ips: string[] = [`10.0.${id}.0/24`],
): EndpointSet {
  return {
    id,
    serviceArea,
    serviceAreaDisplayName:
      serviceArea === 'Common' ? 'Microsoft 365 Common and Office Online' : serviceArea,
    ips,
    tcpPorts: '443',
    expressRoute: false,
    category: 'Default',
    required: true,
  };
}

function draft(version: string, endpointSetId: number, id?: number): ChangeDraft {
  const record: ChangeDraft = {
    endpointSetId,
    disposition: 'Add',
    version,
    impact: 'AddedIp',
    current: {
      expressRoute: 'false',
      serviceArea: 'Common',
      category: 'Default',
      required: 'true',
      tcpPorts: '443',
    },
    add: { effectiveDate: '20200227', ips: [`10.0.${endpointSetId}.0/24`] },
  };
  return id === undefined ? record : { id, ...record };
}

function input(
  instance: string,
  version: string,
  expectedLatest: string | null,
  extra: Partial<AppendVersionInput> = {},
): AppendVersionInput {
  return {
    instance,
    version,
    expectedLatest,
    sets: [set(1)],
    changes: [],
    publishedAt: '2020-01-28T00:00:00.000Z',
    ...extra,
  };
}

export function defineStoreContract(name: string, createStore: () => Promise<StoreHandle>): void {
  defineHeldContract(name, createStore);
  defineObservationContract(name, createStore);
  defineOverlayContract(name, createStore);
  describe(`Store contract: ${name}`, () => {
    let handle: StoreHandle;
    let store: Store;
    eachFreshStore(createStore, (opened) => {
      handle = opened;
      store = opened.store;
    });

    it('starts empty and answers every read on an empty store', async () => {
      expect(await store.isEmpty()).toBe(true);
      await store.ping();
      expect(await store.listInstances()).toEqual([]);
      expect(await store.listVersions('Worldwide')).toEqual([]);
      expect(await store.getEndpointSets('Worldwide', '2020012800')).toBeUndefined();
      expect(await store.getChanges('Worldwide', { after: '0000000000' })).toEqual([]);
      expect((await store.knownSetIds('Worldwide')).size).toBe(0);
      expect(await store.listState()).toEqual([]);
      expect(await store.listWebhooks()).toEqual([]);
      expect(await store.listDeliveries()).toEqual([]);
      expect(typeof store.kind).toBe('string');
    });

    it('lists instances Worldwide, USGovDoD, USGovGCCHigh, China, Germany, then by name; versions newest first', async () => {
      for (const instance of [
        'Zeta',
        'Germany',
        'China',
        'Worldwide',
        'Alpha',
        'USGovGCCHigh',
        'USGovDoD',
      ]) {
        await store.appendVersion(input(instance, '2020010200', null));
      }
      await store.appendVersion(input('Worldwide', '2020012800', '2020010200'));
      await store.appendVersion(
        input('Worldwide', '2020012801', '2020012800', { publishedAt: '2020-01-28T10:00:00Z' }),
      );
      const instances = await store.listInstances();
      expect(instances.map((i) => i.instance)).toEqual([
        'Worldwide',
        'USGovDoD',
        'USGovGCCHigh',
        'China',
        'Germany',
        'Alpha',
        'Zeta',
      ]);
      expect(instances[0]).toEqual({
        instance: 'Worldwide',
        latest: '2020012801',
        versions: ['2020012801', '2020012800', '2020010200'],
      });
      expect(instances[1]).toEqual({
        instance: 'USGovDoD',
        latest: '2020010200',
        versions: ['2020010200'],
      });
      expect(await store.listVersions('Worldwide')).toEqual([
        {
          instance: 'Worldwide',
          version: '2020012801',
          publishedAt: '2020-01-28T10:00:00.000Z',
          setCount: 1,
        },
        {
          instance: 'Worldwide',
          version: '2020012800',
          publishedAt: '2020-01-28T00:00:00.000Z',
          setCount: 1,
        },
        {
          instance: 'Worldwide',
          version: '2020010200',
          publishedAt: '2020-01-28T00:00:00.000Z',
          setCount: 1,
        },
      ]);
      expect(await store.listVersions('worldwide')).toEqual([]);
      expect(await store.isEmpty()).toBe(false);
    });

    it('returns endpoint sets byte for byte, key order and notes: "" included, sorted by id', async () => {
      expect(REAL_SETS.some((s) => s.notes === '')).toBe(true);
      const result = await store.appendVersion(
        input('Worldwide', '2020012800', null, { sets: REAL_SETS }),
      );
      expect(result.version).toEqual({
        instance: 'Worldwide',
        version: '2020012800',
        publishedAt: '2020-01-28T00:00:00.000Z',
        setCount: REAL_SETS.length,
      });
      const back = await store.getEndpointSets('Worldwide', '2020012800');
      expect(JSON.stringify(back)).toBe(JSON.stringify(REAL_SETS));

      // Input in any order comes back sorted by id, each set still byte for byte.
      const reversed = [...REAL_SETS].reverse();
      await store.appendVersion(input('Worldwide', '2020012900', '2020012800', { sets: reversed }));
      expect(JSON.stringify(await store.getEndpointSets('Worldwide', '2020012900'))).toBe(
        JSON.stringify(REAL_SETS),
      );
      expect(await store.getEndpointSets('Worldwide', '2020012801')).toBeUndefined();
      expect(await store.getEndpointSets('China', '2020012800')).toBeUndefined();
    });

    it('stores a version with no sets (an empty instance version) and returns []', async () => {
      await store.appendVersion(input('Custom', '2026010100', null, { sets: [] }));
      expect(await store.getEndpointSets('Custom', '2026010100')).toEqual([]);
      expect((await store.listVersions('Custom'))[0]?.setCount).toBe(0);
    });

    it('records the sanity rules relaxed for a version, in rule order, and nothing when none was', async () => {
      const relaxed = await store.appendVersion(
        input('Custom', '2026010100', null, { relaxedRules: ['private', 'documentation'] }),
      );
      expect(relaxed.version.relaxedRules).toEqual(['private', 'documentation']);
      const plain = await store.appendVersion(input('Custom', '2026010200', '2026010100'));
      expect(plain.version).not.toHaveProperty('relaxedRules');
      const listed = await store.listVersions('Custom');
      expect(listed[0]).not.toHaveProperty('relaxedRules');
      expect(listed[1]?.relaxedRules).toEqual(['private', 'documentation']);
      await expect(
        store.appendVersion(input('Custom', '2026010300', '2026010200', { relaxedRules: ['a,b'] })),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_PARAMETER' });
      expect(await store.listVersions('Custom')).toHaveLength(2);
    });

    it('assigns change ids per instance in order, id first, and never reuses them', async () => {
      const first = await store.appendVersion(
        input('Worldwide', '2020010200', null, {
          changes: [draft('2020010200', 1), draft('2020010200', 2)],
        }),
      );
      expect(first.changes.map((c) => c.id)).toEqual([1, 2]);
      expect(JSON.stringify(first.changes[0])).toBe(
        JSON.stringify({ id: 1, ...draft('2020010200', 1) }),
      );

      // A failed append does not consume ids.
      await errorOf(
        store.appendVersion(
          input('Worldwide', '2020012800', null, { changes: [draft('2020012800', 3)] }),
        ),
      );
      const second = await store.appendVersion(
        input('Worldwide', '2020012800', '2020010200', {
          changes: [draft('2020012800', 3), draft('2020012800', 4)],
        }),
      );
      expect(second.changes.map((c) => c.id)).toEqual([3, 4]);

      // Another instance counts on its own.
      const china = await store.appendVersion(
        input('China', '2020012800', null, { changes: [draft('2020012800', 1)] }),
      );
      expect(china.changes.map((c) => c.id)).toEqual([1]);

      const stored = await store.getChanges('Worldwide', { after: '0000000000' });
      expect(stored.map((c) => c.id)).toEqual([1, 2, 3, 4]);
      expect(JSON.stringify(stored[3])).toBe(JSON.stringify({ id: 4, ...draft('2020012800', 4) }));
    });

    it('keeps explicit (upstream) ids and continues after the highest', async () => {
      const mirrored = await store.appendVersion(
        input('Worldwide', '2020012800', null, {
          changes: [draft('2020012800', 149, 500), draft('2020012800', 150, 502)],
        }),
      );
      expect(mirrored.changes.map((c) => c.id)).toEqual([500, 502]);
      const next = await store.appendVersion(
        input('Worldwide', '2020022800', '2020012800', {
          changes: [draft('2020022800', 1), draft('2020022800', 2)],
        }),
      );
      expect(next.changes.map((c) => c.id)).toEqual([503, 504]);
      const all = await store.getChanges('Worldwide', { after: '0000000000' });
      expect(all.map((c) => [c.id, c.endpointSetId])).toEqual([
        [500, 149],
        [502, 150],
        [503, 1],
        [504, 2],
      ]);
    });

    it('orders changes by version then id; after is exclusive; version selects one', async () => {
      await store.appendVersion(
        input('Worldwide', '2020010200', null, {
          changes: [draft('2020010200', 1, 3), draft('2020010200', 2, 1)],
        }),
      );
      await store.appendVersion(
        input('Worldwide', '2020012800', '2020010200', {
          changes: [draft('2020012800', 3, 10), draft('2020012800', 4, 5)],
        }),
      );
      // A lower explicit id in a later version still sorts after the earlier version.
      await store.appendVersion(
        input('Worldwide', '2020022800', '2020012800', { changes: [draft('2020022800', 5, 4)] }),
      );
      const ids = async (q: Parameters<Store['getChanges']>[1]) =>
        (await store.getChanges('Worldwide', q)).map((c) => `${c.version}#${c.id}`);
      expect(await ids({ after: '0000000000' })).toEqual([
        '2020010200#1',
        '2020010200#3',
        '2020012800#5',
        '2020012800#10',
        '2020022800#4',
      ]);
      expect(await ids({ after: '2020010200' })).toEqual([
        '2020012800#5',
        '2020012800#10',
        '2020022800#4',
      ]);
      expect(await ids({ after: '2020012900' })).toEqual(['2020022800#4']);
      expect(await ids({ after: '2020022800' })).toEqual([]);
      expect(await ids({ after: '9999999999' })).toEqual([]);
      expect(await ids({ version: '2020012800' })).toEqual(['2020012800#5', '2020012800#10']);
      expect(await ids({ version: '2020012900' })).toEqual([]);
      expect(await store.getChanges('China', { after: '0000000000' })).toEqual([]);
    });

    it('refuses a stale expectedLatest and a non-increasing version with ERR_CONFLICT, writing nothing', async () => {
      await store.appendVersion(input('Worldwide', '2020012800', null));
      const revision = await store.revision();
      const cases: AppendVersionInput[] = [
        input('Worldwide', '2020022800', null),
        input('Worldwide', '2020022800', '2020010200'),
        input('Worldwide', '2020012800', '2020012800'),
        input('Worldwide', '2020010200', '2020012800'),
        input('China', '2020012800', '2020012800'),
      ];
      for (const stale of cases) {
        const error = await errorOf(store.appendVersion(stale));
        expect(error.code).toBe('ERR_CONFLICT');
        expect(error.message).toMatch(/retry/i);
      }
      expect((await store.listVersions('Worldwide')).map((v) => v.version)).toEqual(['2020012800']);
      expect(await store.listVersions('China')).toEqual([]);
      expect(await store.revision()).toBe(revision);
    });

    it('rejects input that can never be stored with ERR_VALIDATION', async () => {
      const bad: AppendVersionInput[] = [
        input('Worldwide', '20200128', null),
        input('World wide', '2020012800', null),
        input('Worldwide', '2020012800', null, { sets: [set(1), set(1)] }),
        input('Worldwide', '2020012800', null, { changes: [draft('2020012801', 1)] }),
        input('Worldwide', '2020012800', null, {
          changes: [draft('2020012800', 1, 7), draft('2020012800', 2, 7)],
        }),
      ];
      for (const one of bad)
        expect((await errorOf(store.appendVersion(one))).code).toBe('ERR_VALIDATION');
      expect(await store.isEmpty()).toBe(true);
    });

    it('two concurrent appends on one expectedLatest: exactly one wins, the other gets ERR_CONFLICT', async () => {
      await store.appendVersion(input('Worldwide', '2020012800', null));
      const other = await handle.openAnother();
      for (const [a, b, va, vb] of [
        [store, other, '2020022800', '2020022801'],
        [store, store, '2020032800', '2020032801'],
      ] as const) {
        const latest = (await store.listVersions('Worldwide'))[0]!.version;
        const big = Array.from({ length: 300 }, (_, i) => set(i + 1));
        const results = await Promise.allSettled([
          a.appendVersion(input('Worldwide', va, latest, { sets: big, changes: [draft(va, 1)] })),
          b.appendVersion(input('Worldwide', vb, latest, { sets: big, changes: [draft(vb, 2)] })),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_CONFLICT' });
        const versions = (await other.listVersions('Worldwide')).map((v) => v.version);
        expect(versions.filter((v) => v === va || v === vb)).toHaveLength(1);
      }
      const changes = await store.getChanges('Worldwide', { after: '0000000000' });
      expect(changes.map((c) => c.id)).toEqual([1, 2]);
    });

    it('is atomic: an append failing midway (duplicate explicit change id) leaves nothing behind', async () => {
      await store.addWebhook({
        instance: 'Worldwide',
        url: 'http://127.0.0.1:9/hook',
        secret: 's',
      });
      await store.appendVersion(
        input('Worldwide', '2020012800', null, {
          changes: [draft('2020012800', 1, 7)],
          notify: false,
        }),
      );
      const before = {
        revision: await store.revision(),
        versions: await store.listVersions('Worldwide'),
        known: [...(await store.knownSetIds('Worldwide'))],
        changes: await store.getChanges('Worldwide', { after: '0000000000' }),
      };
      const error = await errorOf(
        store.appendVersion(
          input('Worldwide', '2020022800', '2020012800', {
            sets: [set(1), set(2, 'Exchange'), set(3)],
            changes: [draft('2020022800', 2), draft('2020022800', 3, 7)],
          }),
        ),
      );
      expect(error.code).toBe('ERR_CONFLICT');
      expect(error.message).toMatch(/never reused/);
      expect(await store.revision()).toBe(before.revision);
      expect(await store.listVersions('Worldwide')).toEqual(before.versions);
      expect([...(await store.knownSetIds('Worldwide'))]).toEqual(before.known);
      expect(await store.getChanges('Worldwide', { after: '0000000000' })).toEqual(before.changes);
      expect(await store.getEndpointSets('Worldwide', '2020022800')).toBeUndefined();
      expect(await store.listDeliveries()).toEqual([]);
      // And the same append with fresh ids then succeeds.
      const ok = await store.appendVersion(
        input('Worldwide', '2020022800', '2020012800', {
          sets: [set(1), set(2)],
          changes: [draft('2020022800', 2)],
        }),
      );
      expect(ok.changes.map((c) => c.id)).toEqual([8]);
    });

    it('changes revision on every append, visibly to another handle', async () => {
      const other = await handle.openAnother();
      const r0 = await store.revision();
      expect(await other.revision()).toBe(r0);
      await store.appendVersion(input('Worldwide', '2020012800', null));
      const r1 = await other.revision();
      expect(r1).not.toBe(r0);
      expect(await store.revision()).toBe(r1);
      await other.appendVersion(input('Worldwide', '2020022800', '2020012800'));
      const r2 = await store.revision();
      expect(new Set([r0, r1, r2]).size).toBe(3);
      expect((await store.listVersions('Worldwide'))[0]?.version).toBe('2020022800');
    });

    it('knows every set id ever published with its service area', async () => {
      await store.appendVersion(
        input('Worldwide', '2020012800', null, { sets: [set(1, 'Exchange'), set(2)] }),
      );
      await store.appendVersion(
        input('Worldwide', '2020022800', '2020012800', { sets: [set(2), set(3, 'Skype')] }),
      );
      expect([...(await store.knownSetIds('Worldwide'))].sort((a, b) => a[0] - b[0])).toEqual([
        [1, 'Exchange'],
        [2, 'Common'],
        [3, 'Skype'],
      ]);
      expect((await store.knownSetIds('China')).size).toBe(0);
    });

    it('keeps small key-value state', async () => {
      expect(await store.getState('sync:Worldwide')).toBeUndefined();
      await store.setState('sync:Worldwide', '2020012800');
      await store.setState('clientRequestId', 'b10c5ed1-bad1-445f-b386-b919946339a7');
      await store.setState('sync:Worldwide', '2020022800');
      await store.setState('empty', '');
      expect(await store.getState('sync:Worldwide')).toBe('2020022800');
      expect(await store.getState('empty')).toBe('');
      expect(await store.listState()).toEqual([
        { key: 'clientRequestId', value: 'b10c5ed1-bad1-445f-b386-b919946339a7' },
        { key: 'empty', value: '' },
        { key: 'sync:Worldwide', value: '2020022800' },
      ]);
    });

    it('adds, lists and removes webhooks; ids are never reused; explicit ids are kept', async () => {
      const a = await store.addWebhook({
        instance: 'Worldwide',
        url: 'https://a.example/hook',
        secret: 'sa',
      });
      const b = await store.addWebhook({
        instance: 'China',
        url: 'https://b.example/hook',
        secret: 'sb',
      });
      expect(a).toMatchObject({
        instance: 'Worldwide',
        url: 'https://a.example/hook',
        secret: 'sa',
      });
      expect(Number.isInteger(a.id) && b.id > a.id).toBe(true);
      expect(new Date(a.createdAt).toISOString()).toBe(a.createdAt);
      expect(await store.listWebhooks()).toEqual([a, b]);
      expect(await store.listWebhooks('China')).toEqual([b]);
      expect(await store.listWebhooks('Germany')).toEqual([]);
      expect(await store.removeWebhook(b.id)).toBe(true);
      expect(await store.removeWebhook(b.id)).toBe(false);
      const c = await store.addWebhook({
        instance: 'China',
        url: 'https://c.example/hook',
        secret: 'sc',
      });
      expect(c.id).toBeGreaterThan(b.id);
      const imported = await store.addWebhook({
        instance: 'Worldwide',
        url: 'https://d.example/hook',
        secret: 'sd',
        id: 50,
        createdAt: '2020-01-01T00:00:00Z',
      });
      expect(imported).toEqual({
        id: 50,
        instance: 'Worldwide',
        url: 'https://d.example/hook',
        secret: 'sd',
        createdAt: '2020-01-01T00:00:00.000Z',
      });
      const after = await store.addWebhook({
        instance: 'Worldwide',
        url: 'https://e.example/hook',
        secret: 'se',
      });
      expect(after.id).toBeGreaterThan(50);
      expect((await store.listWebhooks()).map((w) => w.id)).toEqual([a.id, c.id, 50, after.id]);
    });

    it('queues deliveries in the append transaction and tracks attempts', async () => {
      const [w1, w2] = await addUnreachableWebhooks(store);

      const quiet = await store.appendVersion(
        input('Worldwide', '2020012800', null, { notify: false }),
      );
      expect(quiet.deliveries).toEqual([]);
      const before = Date.now();
      const loud = await store.appendVersion(input('Worldwide', '2020022800', '2020012800'));
      expect(loud.deliveries).toHaveLength(2);
      expect(new Set(loud.deliveries).size).toBe(2);
      for (const id of loud.deliveries)
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

      const pending = await store.listDeliveries({ status: 'pending' });
      expect(pending).toHaveLength(2);
      const [d1] = pending.filter((d) => d.webhookId === w1.id);
      expect(d1).toMatchObject({
        instance: 'Worldwide',
        version: '2020022800',
        status: 'pending',
        attempts: 0,
        lastAttemptAt: null,
        lastStatusCode: null,
        lastError: null,
      });
      expect(Date.parse(d1!.nextAttemptAt!)).toBeGreaterThanOrEqual(before - 1000);
      expect(d1!.createdAt).toBe(new Date(d1!.createdAt).toISOString());
      expect(pending.map((d) => d.webhookId).sort()).toEqual([w1.id, w2.id].sort());

      const future = new Date(Date.now() + 60_000).toISOString();
      expect((await store.dueDeliveries(future, 10)).map((d) => d.id).sort()).toEqual(
        [...loud.deliveries].sort(),
      );
      expect(await store.dueDeliveries(future, 1)).toHaveLength(1);
      expect(await store.dueDeliveries('2000-01-01T00:00:00.000Z', 10)).toEqual([]);

      // A 500: retry later.
      const retryAt = new Date(Date.now() + 3_600_000).toISOString();
      await store.recordDeliveryAttempt(d1!.id, {
        at: new Date().toISOString(),
        statusCode: 500,
        error: 'HTTP 500',
        delivered: false,
        nextAttemptAt: retryAt,
      });
      let [now1] = (await store.listDeliveries()).filter((d) => d.id === d1!.id);
      expect(now1).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastStatusCode: 500,
        lastError: 'HTTP 500',
        nextAttemptAt: retryAt,
      });
      expect((await store.dueDeliveries(future, 10)).map((d) => d.id)).not.toContain(d1!.id);
      expect(
        (await store.dueDeliveries(new Date(Date.now() + 7_200_000).toISOString(), 10)).map(
          (d) => d.id,
        ),
      ).toContain(d1!.id);

      // Then a 204: delivered.
      await store.recordDeliveryAttempt(d1!.id, {
        at: new Date().toISOString(),
        statusCode: 204,
        error: null,
        delivered: true,
        nextAttemptAt: null,
      });
      [now1] = (await store.listDeliveries()).filter((d) => d.id === d1!.id);
      expect(now1).toMatchObject({
        status: 'delivered',
        attempts: 2,
        lastStatusCode: 204,
        lastError: null,
        nextAttemptAt: null,
      });

      // The other gives up: failed.
      const d2 = loud.deliveries.find((id) => id !== d1!.id)!;
      await store.recordDeliveryAttempt(d2, {
        at: new Date().toISOString(),
        statusCode: null,
        error: 'ECONNREFUSED',
        delivered: false,
        nextAttemptAt: null,
      });
      expect((await store.listDeliveries({ status: 'failed' })).map((d) => d.id)).toEqual([d2]);
      expect((await store.listDeliveries({ status: 'delivered' })).map((d) => d.id)).toEqual([
        d1!.id,
      ]);
      expect(await store.listDeliveries({ status: 'pending' })).toEqual([]);
      expect(await store.listDeliveries({ limit: 1 })).toHaveLength(1);
      expect(
        await store.dueDeliveries(new Date(Date.now() + 86_400_000).toISOString(), 10),
      ).toEqual([]);

      expect(
        (
          await errorOf(
            store.recordDeliveryAttempt('00000000-0000-4000-8000-000000000000', {
              at: new Date().toISOString(),
              statusCode: 200,
              error: null,
              delivered: true,
              nextAttemptAt: null,
            }),
          )
        ).code,
      ).toBe('ERR_NOT_FOUND');
    });

    it('lists deliveries newest first and closes pending ones of a removed webhook', async () => {
      const w = await store.addWebhook({
        instance: 'Worldwide',
        url: 'http://127.0.0.1:9/1',
        secret: 's',
      });
      const a = await store.appendVersion(input('Worldwide', '2020012800', null));
      const b = await store.appendVersion(input('Worldwide', '2020022800', '2020012800'));
      expect((await store.listDeliveries()).map((d) => d.id)).toEqual([
        b.deliveries[0],
        a.deliveries[0],
      ]);
      expect(await store.removeWebhook(w.id)).toBe(true);
      const after = await store.listDeliveries();
      expect(after.map((d) => d.status)).toEqual(['failed', 'failed']);
      expect(after[0]).toMatchObject({ nextAttemptAt: null, lastError: 'webhook removed' });
      expect(await store.dueDeliveries(new Date(Date.now() + 60_000).toISOString(), 10)).toEqual(
        [],
      );
    });

    it('imports a delivery exactly as given', async () => {
      const delivery = {
        id: '6f1c2a9e-3b0d-4c55-9a57-2f0d8d1e7a10',
        webhookId: 7,
        instance: 'Worldwide',
        version: '2020012800',
        status: 'pending' as const,
        attempts: 3,
        nextAttemptAt: '2026-11-28T03:00:00.000Z',
        lastAttemptAt: '2026-11-28T02:00:00.000Z',
        lastStatusCode: 503,
        lastError: 'HTTP 503',
        createdAt: '2026-11-28T01:00:00.000Z',
      };
      await store.importDelivery(delivery);
      await store.importDelivery({
        ...delivery,
        id: '0b6e2f1d-8a3c-4e7b-9d21-5c4f3a2b1e00',
        status: 'delivered',
        nextAttemptAt: null,
        lastStatusCode: 200,
        lastError: null,
      });
      const listed = await store.listDeliveries();
      expect(listed[1]).toEqual(delivery);
      expect(listed[0]?.status).toBe('delivered');
      expect(await store.dueDeliveries('2026-11-28T03:00:00.000Z', 10)).toEqual([delivery]);
      expect((await errorOf(store.importDelivery(delivery))).code).toMatch(/^ERR_/);
    });
  });
}
