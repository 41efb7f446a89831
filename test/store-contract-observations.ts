/**
 * The Store contract for observed addresses (`ipurl observe`): every adapter merges runs the
 * same way (first seen kept, last seen and TTL updated), lists them in one order, keeps
 * instances apart, expires by last seen, and keeps them in a second handle's view.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../src/core/store.js';
import type { StoreHandle } from './store-contract.js';
import { eachFreshStore } from './store-contract-support.js';

const T1 = '2026-11-01T10:00:00.000Z';
const T2 = '2026-11-01T11:00:00.000Z';
const T3 = '2026-11-09T11:00:00.000Z';

export function defineObservationContract(
  name: string,
  createStore: () => Promise<StoreHandle>,
): void {
  describe(`Store contract, observations: ${name}`, () => {
    let handle: StoreHandle;
    let store: Store;
    eachFreshStore(createStore, (opened) => {
      handle = opened;
      store = opened.store;
    });

    it('records, merges runs (first seen kept, last seen and TTL updated) and lists in order', async () => {
      expect(await store.listObservations('Worldwide')).toEqual([]);
      const added = await store.recordObservations('Worldwide', T1, [
        { setId: 46, name: 'outlook.office365.com', address: '52.98.151.66', family: 4, ttl: 300 },
        {
          setId: 46,
          name: 'outlook.office365.com',
          address: '2603:1046:c09:1::2',
          family: 6,
          ttl: 300,
        },
        {
          setId: 12,
          name: 'login.microsoftonline.com',
          address: '20.190.151.68',
          family: 4,
          ttl: 60,
        },
      ]);
      expect(added).toBe(3);
      expect(
        await store.recordObservations('Worldwide', T2, [
          {
            setId: 46,
            name: 'outlook.office365.com',
            address: '52.98.151.66',
            family: 4,
            ttl: 120,
          },
          {
            setId: 46,
            name: 'outlook.office365.com',
            address: '52.98.151.67',
            family: 4,
            ttl: 120,
          },
        ]),
      ).toBe(1);
      await store.recordObservations('China', T2, [
        { setId: 1, name: 'partner.outlook.cn', address: '42.159.33.1', family: 4, ttl: 30 },
      ]);
      const listed = await store.listObservations('Worldwide');
      expect(listed).toEqual([
        {
          instance: 'Worldwide',
          setId: 12,
          name: 'login.microsoftonline.com',
          address: '20.190.151.68',
          family: 4,
          firstSeen: T1,
          lastSeen: T1,
          ttl: 60,
        },
        {
          instance: 'Worldwide',
          setId: 46,
          name: 'outlook.office365.com',
          address: '52.98.151.66',
          family: 4,
          firstSeen: T1,
          lastSeen: T2,
          ttl: 120,
        },
        {
          instance: 'Worldwide',
          setId: 46,
          name: 'outlook.office365.com',
          address: '52.98.151.67',
          family: 4,
          firstSeen: T2,
          lastSeen: T2,
          ttl: 120,
        },
        {
          instance: 'Worldwide',
          setId: 46,
          name: 'outlook.office365.com',
          address: '2603:1046:c09:1::2',
          family: 6,
          firstSeen: T1,
          lastSeen: T1,
          ttl: 300,
        },
      ]);
      const other = await handle.openAnother();
      expect(await other.listObservations('Worldwide')).toEqual(listed);
      expect(await store.recordObservations('Worldwide', T2, [])).toBe(0);
    });

    it('expires what was last seen before a time, per instance', async () => {
      await store.recordObservations('Worldwide', T1, [
        { setId: 46, name: 'outlook.office365.com', address: '52.98.151.66', family: 4, ttl: 300 },
      ]);
      await store.recordObservations('Worldwide', T3, [
        { setId: 46, name: 'outlook.office365.com', address: '52.98.151.67', family: 4, ttl: 300 },
      ]);
      await store.recordObservations('China', T1, [
        { setId: 1, name: 'partner.outlook.cn', address: '42.159.33.1', family: 4, ttl: 30 },
      ]);
      expect(await store.expireObservations('Worldwide', '2026-11-02T11:00:00.000Z')).toBe(1);
      expect((await store.listObservations('Worldwide')).map((o) => o.address)).toEqual([
        '52.98.151.67',
      ]);
      expect(await store.listObservations('China')).toHaveLength(1);
      expect(await store.expireObservations('Worldwide', '2026-11-02T11:00:00.000Z')).toBe(0);
    });
  });
}
