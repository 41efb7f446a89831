/**
 * The Store contract for the local overlay (`ipurl overlay`): every adapter appends changes with
 * store-wide ids, keeps their who/when/why and relaxed rules, refuses a removal of what is not a
 * live entry of the instance, queues `overlay.changed` deliveries, changes the revision (seen by a
 * second handle) and keeps an imported id (ipurl copy).
 */
import { describe, expect, it } from 'vitest';
import { isIpurlError } from '../src/core/errors.js';
import type { OverlayChangeInput } from '../src/core/overlay.js';
import type { Store } from '../src/core/store.js';
import type { StoreHandle } from './store-contract.js';
import { eachFreshStore } from './store-contract-support.js';
import { INTERNAL_PROXY_ADDITION, YAMMER_EXCLUSION } from './helpers/store-overlay-changes.js';

const AT = '2026-12-01T10:00:00.000Z';

/** The exclusion most tests here record: the one set the store holds. */
const EXCLUDE_SET_56: OverlayChangeInput = {
  instance: 'Worldwide',
  entry: { action: 'exclude', setIds: [56] },
  by: 'a',
  note: '',
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isIpurlError(error) ? error.code : String(error);
  }
  return 'resolved';
}

export function defineOverlayContract(name: string, createStore: () => Promise<StoreHandle>): void {
  describe(`Store contract, overlay: ${name}`, () => {
    let handle: StoreHandle;
    let store: Store;
    eachFreshStore(createStore, async (opened) => {
      handle = opened;
      store = opened.store;
      await store.appendVersion({
        instance: 'Worldwide',
        version: '2026110100',
        sets: [
          {
            id: 56,
            serviceArea: 'Common',
            serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
            urls: ['login.microsoftonline.com'],
            tcpPorts: '443',
            expressRoute: true,
            category: 'Allow',
            required: true,
          },
        ],
        changes: [],
        expectedLatest: null,
      });
    });

    it('appends changes with ids, who, when, why, relaxed rules; lists them by id and by instance', async () => {
      expect(await store.listOverlayChanges()).toEqual([]);
      const add = await store.recordOverlayChange({ ...INTERNAL_PROXY_ADDITION, at: AT });
      expect(add).toEqual({ id: 1, ...INTERNAL_PROXY_ADDITION, at: AT });
      const exclude = await store.recordOverlayChange({
        ...YAMMER_EXCLUSION,
        instance: 'China',
        at: AT,
        warnings: ['urls: *.yammer.com excludes nothing'],
      });
      expect(exclude.id).toBe(2);
      expect(exclude.warnings).toEqual(['urls: *.yammer.com excludes nothing']);
      const remove = await store.recordOverlayChange({
        instance: 'Worldwide',
        entry: { action: 'remove', target: 1 },
        by: 'carol',
        note: 'done',
        at: AT,
      });
      expect(remove.id).toBe(3);
      expect((await store.listOverlayChanges()).map((c) => c.id)).toEqual([1, 2, 3]);
      expect((await store.listOverlayChanges('Worldwide')).map((c) => c.id)).toEqual([1, 3]);
      expect(await handle.openAnother().then((other) => other.listOverlayChanges('China'))).toEqual(
        [exclude],
      );
    });

    it('refuses a removal of an unknown, foreign, already removed change or of a removal', async () => {
      const removal = (instance: string, target: number) =>
        store.recordOverlayChange({
          instance,
          entry: { action: 'remove', target },
          by: 'a',
          note: '',
        });
      const change = await store.recordOverlayChange(EXCLUDE_SET_56);
      expect(await codeOf(removal('Worldwide', 99))).toBe('ERR_NOT_FOUND');
      expect(await codeOf(removal('China', change.id))).toBe('ERR_NOT_FOUND');
      const removed = await removal('Worldwide', change.id);
      expect(await codeOf(removal('Worldwide', change.id))).toBe('ERR_CONFLICT');
      expect(await codeOf(removal('Worldwide', removed.id))).toBe('ERR_CONFLICT');
      expect(await store.listOverlayChanges()).toHaveLength(2);
    });

    it('changes the revision and queues an overlay.changed delivery per subscriber', async () => {
      const hook = await store.addWebhook({
        instance: 'Worldwide',
        url: 'https://hooks.example/x',
        secret: 's',
      });
      const other = await handle.openAnother();
      const before = await other.revision();
      const change = await store.recordOverlayChange(EXCLUDE_SET_56);
      expect(await other.revision()).not.toBe(before);
      expect(change.deliveries).toHaveLength(1);
      const [delivery] = await store.listDeliveries();
      expect(delivery).toMatchObject({
        id: change.deliveries![0],
        webhookId: hook.id,
        instance: 'Worldwide',
        version: '2026110100',
        event: 'overlay.changed',
        status: 'pending',
      });
      const quiet = await store.recordOverlayChange({ ...EXCLUDE_SET_56, notify: false });
      expect(quiet.deliveries).toBeUndefined();
    });

    it('keeps an imported id and deliveries (ipurl copy); the next id follows it', async () => {
      await store.recordOverlayChange({
        instance: 'Worldwide',
        id: 7,
        entry: { action: 'exclude', setIds: [56] },
        by: 'a',
        note: 'n',
        at: AT,
        notify: false,
        deliveries: ['d-1'],
      });
      const next = await store.recordOverlayChange({
        instance: 'Worldwide',
        entry: { action: 'remove', target: 7 },
        by: 'a',
        note: '',
      });
      expect(next.id).toBe(8);
      expect((await store.listOverlayChanges())[0]).toMatchObject({ id: 7, deliveries: ['d-1'] });
    });
  });
}
