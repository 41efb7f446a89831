/**
 * The Store contract for held versions (the change guard), run by defineStoreContract against
 * every adapter: a held version is kept apart (nothing served changes), accepting appends it as
 * normal versions with their change records and webhook deliveries in one transaction, rejecting
 * drops it, and every wrong call gets a stable code with nothing written.
 */
import { describe, expect, it } from 'vitest';
import { evaluateChange } from '../src/core/change-guard.js';
import type { ChangeDraft } from '../src/core/change-record.js';
import type { EndpointSet } from '../src/core/endpoint-set.js';
import type { HoldVersionInput, Store } from '../src/core/store.js';
import type { StoreHandle } from './store-contract.js';
import { eachFreshStore, errorOf } from './store-contract-support.js';

function set(id: number, ips: string[]): EndpointSet {
  return {
    id,
    serviceArea: 'Exchange',
    serviceAreaDisplayName: 'Exchange Online',
    ips,
    tcpPorts: '443',
    expressRoute: false,
    category: 'Allow',
    required: true,
  };
}

const V1 = '2020012800';
const V2 = '2020022800';
const V3 = '2020032700';
const SETS_V1 = [
  set(1, ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24', '10.0.4.0/24']),
];
const SETS_V2 = [set(1, ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'])];
const SETS_V3 = [set(1, ['10.0.0.0/24'])];

function removal(version: string, removed: string[], id?: number): ChangeDraft {
  return {
    ...(id === undefined ? {} : { id }),
    endpointSetId: 1,
    disposition: 'Change',
    version,
    impact: 'RemovedIpOrUrl',
    remove: { ips: removed },
  };
}

export function defineHeldContract(name: string, createStore: () => Promise<StoreHandle>): void {
  describe(`Store contract, held versions: ${name}`, () => {
    let store: Store;

    /** Everything a reader sees, to prove holding changes none of it. */
    const served = async () =>
      JSON.stringify({
        instances: await store.listInstances(),
        versions: await store.listVersions('Worldwide'),
        sets: await store.getEndpointSets('Worldwide', V1),
        changes: await store.getChanges('Worldwide', { after: '0000000000' }),
        revision: await store.revision(),
      });

    const batch = (extra: Partial<HoldVersionInput> = {}): HoldVersionInput => ({
      instance: 'Worldwide',
      version: V3,
      basedOn: V1,
      steps: [
        { version: V2, sets: SETS_V2, changes: [removal(V2, ['10.0.3.0/24', '10.0.4.0/24'], 7)] },
        { version: V3, sets: SETS_V3, changes: [removal(V3, ['10.0.1.0/24', '10.0.2.0/24'], 8)] },
      ],
      report: evaluateChange(SETS_V1, SETS_V3),
      heldAt: '2020-03-27T10:00:00.000Z',
      ...extra,
    });

    eachFreshStore(createStore, async (opened) => {
      store = opened.store;
      await store.appendVersion({
        instance: 'Worldwide',
        version: V1,
        sets: SETS_V1,
        changes: [],
        expectedLatest: null,
        publishedAt: '2020-01-28T00:00:00.000Z',
      });
    });

    it('holds a batch apart: nothing served changes, the held version lists with its figures', async () => {
      const hook = await store.addWebhook({
        instance: 'Worldwide',
        url: 'http://127.0.0.1:9/h',
        secret: 's',
      });
      const before = await served();
      const held = await store.holdVersion(batch());
      expect(held).toEqual({
        instance: 'Worldwide',
        version: V3,
        basedOn: V1,
        status: 'held',
        heldAt: '2020-03-27T10:00:00.000Z',
        decidedAt: null,
        versions: [V2, V3],
        report: JSON.parse(JSON.stringify(evaluateChange(SETS_V1, SETS_V3))),
        deliveries: [expect.any(String)],
      });
      expect(held.report.ipv4.removedFraction).toBe(0.8);
      expect(await served()).toBe(before);
      const listed = await store.listHeldVersions();
      expect(listed).toEqual(
        [{ ...held, deliveries: undefined }].map(({ deliveries: _, ...rest }) => rest),
      );
      expect(await store.listHeldVersions({ instance: 'Worldwide', status: 'held' })).toHaveLength(
        1,
      );
      expect(await store.listHeldVersions({ instance: 'China' })).toEqual([]);
      expect(await store.listHeldVersions({ status: 'rejected' })).toEqual([]);
      expect((await store.getHeldSteps('Worldwide', V3))?.map((step) => step.version)).toEqual([
        V2,
        V3,
      ]);
      expect(await store.getHeldSteps('Worldwide', V2)).toBeUndefined();
      // The held event is queued for the instance's subscribers, marked as such.
      const [delivery] = await store.listDeliveries();
      expect(delivery).toMatchObject({
        id: held.deliveries![0],
        webhookId: hook.id,
        version: V3,
        event: 'version.held',
        status: 'pending',
      });
    });

    it('accepting appends every version of the batch with its records, then it is accepted', async () => {
      await store.addWebhook({ instance: 'Worldwide', url: 'http://127.0.0.1:9/h', secret: 's' });
      await store.holdVersion(batch());
      const result = await store.acceptHeldVersion('Worldwide', V3, '2020-03-28T09:00:00.000Z');
      expect(result.held).toMatchObject({
        status: 'accepted',
        decidedAt: '2020-03-28T09:00:00.000Z',
        versions: [V2, V3],
      });
      expect(result.appended.map((a) => a.version.version)).toEqual([V2, V3]);
      expect(result.appended.map((a) => a.deliveries.length)).toEqual([1, 1]);
      expect((await store.listVersions('Worldwide')).map((v) => v.version)).toEqual([V3, V2, V1]);
      expect(await store.getEndpointSets('Worldwide', V3)).toEqual(SETS_V3);
      expect(
        (await store.getChanges('Worldwide', { after: V1 })).map((c) => [c.id, c.version]),
      ).toEqual([
        [7, V2],
        [8, V3],
      ]);
      expect(await store.getHeldSteps('Worldwide', V3)).toBeUndefined();
      const published = (await store.listDeliveries()).filter((d) => d.event === undefined);
      expect(published.map((d) => d.version).sort()).toEqual([V2, V3]);
      // Once decided, it cannot be decided again.
      const again = await errorOf(store.acceptHeldVersion('Worldwide', V3));
      expect(again.code).toBe('ERR_NOT_HELD');
      expect(again.message).toMatch(/was accepted at 2020-03-28T09:00:00.000Z/);
    });

    it('rejecting drops it: nothing appended, status rejected; it cannot be accepted afterwards', async () => {
      await store.holdVersion(batch());
      const before = await served();
      const rejected = await store.closeHeldVersion(
        'Worldwide',
        V3,
        'rejected',
        '2020-03-28T09:00:00.000Z',
      );
      expect(rejected).toMatchObject({ status: 'rejected', decidedAt: '2020-03-28T09:00:00.000Z' });
      expect(await served()).toBe(before);
      expect(await store.getHeldSteps('Worldwide', V3)).toBeUndefined();
      expect((await errorOf(store.acceptHeldVersion('Worldwide', V3))).code).toBe('ERR_NOT_HELD');
      expect((await store.listHeldVersions({ status: 'rejected' })).map((h) => h.version)).toEqual([
        V3,
      ]);
    });

    it('a newer hold supersedes the older one of the same instance', async () => {
      await store.holdVersion(
        batch({ version: V2, steps: [batch().steps[0]!], heldAt: '2020-02-28T10:00:00.000Z' }),
      );
      await store.holdVersion(batch());
      const all = await store.listHeldVersions({ instance: 'Worldwide' });
      expect(all.map((h) => [h.version, h.status])).toEqual([
        [V3, 'held'],
        [V2, 'superseded'],
      ]);
      expect((await errorOf(store.acceptHeldVersion('Worldwide', V2))).message).toMatch(
        /was superseded/,
      );
    });

    it('refuses wrong calls with stable codes, writing nothing', async () => {
      const before = await served();
      expect((await errorOf(store.acceptHeldVersion('Worldwide', V3))).code).toBe('ERR_NOT_HELD');
      expect((await errorOf(store.closeHeldVersion('Worldwide', V3, 'rejected'))).code).toBe(
        'ERR_NOT_HELD',
      );
      // Based on something other than the latest stored version: a conflict.
      expect((await errorOf(store.holdVersion(batch({ basedOn: '2019122000' })))).code).toBe(
        'ERR_CONFLICT',
      );
      // A batch whose last step is not the held version, or whose steps cannot be stored.
      expect((await errorOf(store.holdVersion(batch({ version: V2 })))).code).toBe(
        'ERR_VALIDATION',
      );
      expect((await errorOf(store.holdVersion(batch({ steps: [] })))).code).toBe('ERR_VALIDATION');
      expect((await errorOf(store.listHeldVersions({ status: 'maybe' as 'held' }))).code).toBe(
        'ERR_INVALID_PARAMETER',
      );
      expect(await store.listHeldVersions()).toEqual([]);
      expect(await served()).toBe(before);
    });

    it('accepting after the instance moved on is a conflict and appends nothing', async () => {
      await store.holdVersion(batch());
      await store.appendVersion({
        instance: 'Worldwide',
        version: V2,
        sets: SETS_V2,
        changes: [],
        expectedLatest: V1,
      });
      const error = await errorOf(store.acceptHeldVersion('Worldwide', V3));
      expect(error.code).toBe('ERR_CONFLICT');
      expect(error.message).toMatch(
        /compared against 2020012800 but the latest version is now 2020022800/,
      );
      expect((await store.listVersions('Worldwide')).map((v) => v.version)).toEqual([V2, V1]);
      expect((await store.listHeldVersions())[0]?.status).toBe('held');
    });

    it('accepting is atomic: a batch that fails midway (a change id already stored) appends nothing', async () => {
      await store.appendVersion({
        instance: 'Worldwide',
        version: '2020012900',
        sets: SETS_V1,
        changes: [{ ...removal('2020012900', ['10.9.0.0/24'], 8) }],
        expectedLatest: V1,
      });
      await store.holdVersion(batch({ basedOn: '2020012900' }));
      const error = await errorOf(store.acceptHeldVersion('Worldwide', V3));
      expect(error.code).toBe('ERR_CONFLICT');
      expect((await store.listVersions('Worldwide')).map((v) => v.version)).toEqual([
        '2020012900',
        V1,
      ]);
      expect((await store.listHeldVersions())[0]?.status).toBe('held');
    });

    it('imports a held delivery with its event, and refuses an unknown event', async () => {
      const delivery = {
        id: '6f1c2a9e-3b0d-4c55-9a57-2f0d8d1e7a11',
        webhookId: 7,
        instance: 'Worldwide',
        version: V3,
        event: 'version.held' as const,
        status: 'pending' as const,
        attempts: 0,
        nextAttemptAt: '2026-11-28T03:00:00.000Z',
        lastAttemptAt: null,
        lastStatusCode: null,
        lastError: null,
        createdAt: '2026-11-28T01:00:00.000Z',
      };
      await store.importDelivery(delivery);
      expect(await store.listDeliveries()).toEqual([delivery]);
      const bad = {
        ...delivery,
        id: '6f1c2a9e-3b0d-4c55-9a57-2f0d8d1e7a12',
        event: 'version.deleted' as 'version.held',
      };
      expect((await errorOf(store.importDelivery(bad))).code).toBe('ERR_INVALID_PARAMETER');
    });
  });
}
