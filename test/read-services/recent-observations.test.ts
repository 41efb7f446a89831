import { describe, expect, it } from 'vitest';
import type { Observation } from '../../src/core/observation.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { recentObservations } from '../../src/service/recent-observations.js';

describe('recentObservations', () => {
  it('reads the store once per instance per second, however many requests ask, and then again', async () => {
    const store = await createSqliteStore({ filename: ':memory:' });
    try {
      await store.recordObservations('Worldwide', '2026-11-01T10:00:00.000Z', [
        { setId: 17, name: 'aka.ms', address: '20.70.246.20', family: 4, ttl: 300 },
      ]);
      const reads: string[] = [];
      const counted = {
        listObservations: (instance: string): Promise<Observation[]> => {
          reads.push(instance);
          return store.listObservations(instance);
        },
      };
      let clock = 0;
      const recent = recentObservations(counted, 1000, () => clock);

      const answers = await Promise.all(
        Array.from({ length: 50 }, () => recent.listObservations('Worldwide')),
      );
      expect(answers.every((rows) => rows.length === 1)).toBe(true);
      await recent.listObservations('China');
      expect(reads).toEqual(['Worldwide', 'China']);

      // A run of ipurl observe lands; within the second the memo answers, after it the store.
      await store.recordObservations('Worldwide', '2026-11-01T10:05:00.000Z', [
        { setId: 17, name: 'aka.ms', address: '20.70.246.21', family: 4, ttl: 300 },
      ]);
      clock = 999;
      expect(await recent.listObservations('Worldwide')).toHaveLength(1);
      clock = 1000;
      expect(await recent.listObservations('Worldwide')).toHaveLength(2);
      expect(reads).toEqual(['Worldwide', 'China', 'Worldwide']);
    } finally {
      await store.close();
    }
  });

  it('keeps no failed read: the next request asks the store again', async () => {
    let calls = 0;
    const failingOnce = {
      listObservations: (): Promise<Observation[]> =>
        (calls += 1) === 1 ? Promise.reject(new Error('store unreachable')) : Promise.resolve([]),
    };
    const recent = recentObservations(failingOnce, 1000, () => 0);
    await expect(recent.listObservations('Worldwide')).rejects.toThrow('store unreachable');
    await expect(recent.listObservations('Worldwide')).resolves.toEqual([]);
    expect(calls).toBe(2);
  });
});
