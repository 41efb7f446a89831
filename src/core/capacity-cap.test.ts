import { describe, expect, it } from 'vitest';
import { capPrefixes, EXACT_WORK_BUDGET, type CapMethod } from './capacity-cap.js';
import { makeCidr, parseCidr, type Cidr } from './cidr.js';

/**
 * Exhaustive reference, independent of the trie: every set of at most `k` prefixes (any length
 * from /20 to /32, i.e. any supernet or subnet, not only the trie's nodes) that covers all of a
 * group's addresses; the least added space per count. Branching: the first address not yet
 * covered must lie in some chosen prefix, so try each prefix containing it.
 */
function exhaustive(group: readonly Cidr[], k: number): number[] {
  const ranges = group.map((c) => [
    Number(c.network),
    Number(c.network) + 2 ** (32 - c.prefix) - 1,
  ]);
  const listed = unionSize(ranges as [number, number][]);
  const best = new Array<number>(k + 1).fill(Infinity);
  const chosen: [number, number][] = [];
  const firstUncovered = (): number | undefined => {
    for (const [a, b] of ranges as [number, number][]) {
      let x = a;
      // Walk forward past covers that contain x.
      for (;;) {
        const cover = chosen.find(([c, d]) => c <= x && x <= d);
        if (cover === undefined) return x;
        x = cover[1] + 1;
        if (x > b) break;
      }
    }
    return undefined;
  };
  const search = (): void => {
    const x = firstUncovered();
    if (x === undefined) {
      const cost = unionSize(chosen) - listed;
      for (let j = chosen.length; j <= k; j++) best[j] = Math.min(best[j] as number, cost);
      return;
    }
    if (chosen.length === k) return;
    for (let len = 20; len <= 32; len++) {
      const size = 2 ** (32 - len);
      const start = Math.floor(x / size) * size;
      chosen.push([start, start + size - 1]);
      search();
      chosen.pop();
    }
  };
  search();
  return best;
}

function unionSize(ranges: readonly [number, number][]): number {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -1;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end + 1) + 1;
    end = b;
  }
  return total;
}

/** Optimum over groups: each group gets ≥ 1 entry, together ≤ k. */
function exhaustiveGroups(groups: readonly (readonly Cidr[])[], k: number): number {
  const tables = groups.filter((g) => g.length > 0).map((g) => exhaustive(g, k));
  let best = Infinity;
  const walk = (index: number, left: number, cost: number): void => {
    if (index === tables.length) {
      best = Math.min(best, cost);
      return;
    }
    const table = tables[index] as number[];
    for (let j = 1; j <= left - (tables.length - index - 1); j++) {
      walk(index + 1, left - j, cost + (table[j] as number));
    }
  };
  walk(0, k, 0);
  return best;
}

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Random prefixes /25–/32 inside 10.0.0.0/22 (10.0.0.0 = 167772160). */
function randomGroup(next: () => number, n: number): Cidr[] {
  const out: Cidr[] = [];
  for (let i = 0; i < n; i++) {
    const prefix = 25 + Math.floor(next() * 8);
    const size = 2 ** (32 - prefix);
    const offset = Math.floor((next() * 1024) / size) * size;
    out.push(makeCidr(4, BigInt(167772160 + offset), prefix));
  }
  return out;
}

function coversAll(result: readonly Cidr[], input: readonly Cidr[]): boolean {
  return input.every((c) =>
    result.some(
      (r) =>
        r.prefix <= c.prefix &&
        r.network >> BigInt(32 - r.prefix) === c.network >> BigInt(32 - r.prefix),
    ),
  );
}

describe('capPrefixes against exhaustive search', () => {
  const methods: CapMethod[] = ['exact', 'lagrangian'];
  it.each(methods)('%s: random small inputs (1–2 groups, up to 7 prefixes, caps 1–4)', (method) => {
    const next = rng(method === 'exact' ? 7 : 11);
    let cases = 0;
    let worst = 0;
    for (let round = 0; round < 250; round++) {
      const groupCount = next() < 0.7 ? 1 : 2;
      const groups = Array.from({ length: groupCount }, () =>
        randomGroup(next, 2 + Math.floor(next() * 6)),
      );
      const k = groupCount + Math.floor(next() * 3);
      const result = capPrefixes(groups, k, { method });
      expect(result.entriesAfter).toBeLessThanOrEqual(Math.max(k, 0));
      groups.forEach((group, index) => {
        expect(coversAll(result.groups[index] ?? [], group)).toBe(true);
      });
      if (result.entriesBefore <= k) continue;
      cases += 1;
      const optimum = exhaustiveGroups(groups, k);
      const added = Number(result.addedSpace);
      expect(Number(result.lowerBound)).toBeLessThanOrEqual(optimum);
      if (method === 'exact') expect(added).toBe(optimum);
      else {
        expect(added).toBeGreaterThanOrEqual(optimum);
        worst = Math.max(worst, optimum === 0 ? 0 : (added - optimum) / optimum);
      }
    }
    expect(cases).toBeGreaterThan(100);
    if (method === 'lagrangian') {
      // Recorded, not asserted beyond the 1 % of issue 11: see docs/formats.md.
      expect(worst).toBeLessThanOrEqual(0.01);
    }
  });
});

describe('capPrefixes', () => {
  it('leaves a list that fits alone (aggregated exactly)', () => {
    const input = ['10.0.0.0/25', '10.0.0.128/25', '10.0.2.0/24'].map(parseCidr);
    const result = capPrefixes([input], 5);
    expect(result.groups[0]?.map((c) => c.text)).toEqual(['10.0.0.0/24', '10.0.2.0/24']);
    expect(result.addedSpace).toBe(0n);
    expect(result.merges).toEqual([]);
  });

  it('merges with the least added space and reports it', () => {
    const input = ['10.0.0.0/24', '10.0.2.0/24', '10.9.0.0/24'].map(parseCidr);
    const result = capPrefixes([input], 2);
    expect(result.groups[0]?.map((c) => c.text)).toEqual(['10.0.0.0/22', '10.9.0.0/24']);
    expect(result.addedSpace).toBe(512n);
    expect(result.merges).toEqual([
      { into: '10.0.0.0/22', from: ['10.0.0.0/24', '10.0.2.0/24'], added: 512n },
    ]);
  });

  it('never merges across groups, and refuses a cap below the number of groups', () => {
    const a = [parseCidr('10.0.0.0/24')];
    const b = [parseCidr('10.0.1.0/24'), parseCidr('10.0.3.0/24')];
    const result = capPrefixes([a, b], 2);
    expect(result.groups.map((g) => g.map((c) => c.text))).toEqual([
      ['10.0.0.0/24'],
      ['10.0.0.0/22'],
    ]);
    expect(() => capPrefixes([a, b], 1)).toThrow(/2 buckets that may not merge/);
    expect(() => capPrefixes([a], 0)).toThrow(/at least 1/);
    expect(() => capPrefixes([a], 1.5)).toThrow(/whole number/);
  });

  it('works for IPv6', () => {
    const input = ['2603:1006::/40', '2603:1007::/40', '2603:1016::/36'].map(parseCidr);
    const result = capPrefixes([input], 1);
    expect(result.groups[0]?.map((c) => c.text)).toEqual(['2603:1000::/27']);
    expect(result.entriesAfter).toBe(1);
  });

  it('the exact budget is large enough for every real bucket', () => {
    expect(EXACT_WORK_BUDGET).toBeGreaterThan(1_000_000);
  });
});
