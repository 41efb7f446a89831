/**
 * Property test of the lookup index (issue 14 item 5): on random prefix sets — nested, repeated
 * across sets, adjacent, up to 50,000 prefixes — every lookup returns exactly the (set, prefix)
 * pairs a brute-force scan of every prefix finds, in the index's order (category, then set id).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Category, EndpointSet } from './endpoint-set.js';
import { buildLookupIndex, formatIpv4, type LookupMatch } from './lookup-index.js';

const CATEGORIES: readonly Category[] = ['Optimize', 'Allow', 'Default'];
const RANK: Record<Category, number> = { Optimize: 0, Allow: 1, Default: 2 };

interface V4 {
  readonly start: number;
  readonly length: number;
}

/** Deterministic PRNG (mulberry32), seeded by fast-check, for the large cases. */
function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Prefixes clustered in a few /8s so that they nest and touch: a random start inside a cluster,
 * a length from 8 to 32, host bits cleared. Occasionally a /0 or a /1 covering everything.
 */
function randomV4(random: () => number): V4 {
  if (random() < 0.0005) return { start: 0, length: random() < 0.5 ? 0 : 1 };
  const cluster = [10, 52, 255][Math.floor(random() * 3)]!;
  const length = 8 + Math.floor(random() * 25);
  const size = 2 ** (32 - length);
  const raw = cluster * 2 ** 24 + Math.floor(random() * 2 ** 24);
  return { start: raw - (raw % size), length };
}

function toSets(prefixes: readonly V4[], setCount: number, random: () => number): EndpointSet[] {
  const ips: string[][] = Array.from({ length: setCount }, () => []);
  for (const p of prefixes) {
    const cidr = `${formatIpv4(p.start)}/${p.length}`;
    ips[Math.floor(random() * setCount)]!.push(cidr);
    // The same prefix in a second set now and then (real data does this with other ports).
    if (random() < 0.05) ips[Math.floor(random() * setCount)]!.push(cidr);
  }
  return ips.map((list, i) => ({
    id: i + 1,
    serviceArea: 'Common',
    serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
    ips: list,
    tcpPorts: '443',
    expressRoute: false,
    category: CATEGORIES[i % 3]!,
    required: true,
  }));
}

interface Flat {
  readonly id: number;
  readonly category: Category;
  readonly cidr: string;
  readonly start: number;
  readonly end: number;
}

function flatten(sets: readonly EndpointSet[]): Flat[] {
  return sets.flatMap((set) =>
    (set.ips ?? []).map((cidr) => {
      const [address = '', length = '32'] = cidr.split('/');
      const octets = address.split('.').map(Number);
      const start = octets.reduce((acc, o) => acc * 256 + o, 0);
      return {
        id: set.id,
        category: set.category,
        cidr,
        start,
        end: start + 2 ** (32 - Number(length)),
      };
    }),
  );
}

const key = (m: { id: number; cidr: string }) => `${m.id} ${m.cidr}`;

function bruteForce(flat: readonly Flat[], address: number): string[] {
  return flat
    .filter((p) => p.start <= address && address < p.end)
    .sort(
      (a, b) => RANK[a.category] - RANK[b.category] || a.id - b.id || (a.cidr < b.cidr ? -1 : 1),
    )
    .map(key);
}

const fromIndex = (matches: readonly LookupMatch[]) =>
  matches.map((m) => key({ id: m.set.id, cidr: m.matched }));

/** Addresses to probe: every boundary of some prefixes (start - 1, start, end - 1, end) and random ones. */
function probes(flat: readonly Flat[], random: () => number, count: number): number[] {
  const out: number[] = [0, 2 ** 32 - 1];
  for (let i = 0; i < count; i += 1) {
    const p = flat[Math.floor(random() * flat.length)];
    if (p !== undefined) out.push(p.start - 1, p.start, p.end - 1, p.end);
    out.push(Math.floor(random() * 2 ** 32));
  }
  return out.filter((a) => a >= 0 && a < 2 ** 32);
}

function check(sets: readonly EndpointSet[], random: () => number, probeCount: number): void {
  const index = buildLookupIndex(sets);
  const flat = flatten(sets);
  for (const address of probes(flat, random, probeCount)) {
    const expected = bruteForce(flat, address);
    expect(fromIndex(index.lookupIpv4(address)), formatIpv4(address)).toEqual(expected);
    const text = index.lookup(formatIpv4(address));
    if ('ok' in text) throw new Error(text.reason);
    expect(fromIndex(text.matches)).toEqual(expected);
  }
}

describe('lookup index = brute-force scan (fast-check)', () => {
  it('small prefix sets (shrinkable): every boundary and random address', () => {
    const prefix = fc
      .record({
        cluster: fc.constantFrom(10, 11, 52),
        offset: fc.integer({ min: 0, max: 2 ** 24 - 1 }),
        length: fc.integer({ min: 0, max: 32 }),
      })
      .map(({ cluster, offset, length }): V4 => {
        const size = 2 ** (32 - length);
        const raw = cluster * 2 ** 24 + offset;
        return { start: raw - (raw % size), length };
      });
    fc.assert(
      fc.property(
        fc.array(prefix, { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer(),
        (prefixes, setCount, seed) => {
          const random = rng(seed);
          check(toSets(prefixes, setCount, random), random, 60);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('large prefix sets up to 50,000 prefixes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 50_000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer(),
        (count, setCount, seed) => {
          const random = rng(seed);
          const prefixes = Array.from({ length: count }, () => randomV4(random));
          check(toSets(prefixes, setCount, random), random, 40);
        },
      ),
      { numRuns: 3, examples: [[50_000, 120, 7]] },
    );
  }, 120_000);

  it('IPv6: nested and repeated prefixes, boundaries included', () => {
    const toBig = (text: string): bigint => {
      const [head = '', tail = ''] = text.split('::');
      const h = head === '' ? [] : head.split(':');
      const t = tail === '' ? [] : tail.split(':');
      const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
      return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
    };
    const fmt = (value: bigint): string =>
      Array.from({ length: 8 }, (_, i) =>
        ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
      ).join(':');
    const words = (value: bigint): [number, number, number, number] => [
      Number((value >> 96n) & 0xffffffffn),
      Number((value >> 64n) & 0xffffffffn),
      Number((value >> 32n) & 0xffffffffn),
      Number(value & 0xffffffffn),
    ];
    const TOP = 1n << 128n;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ low: fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }), length: fc.nat(128) }),
          { maxLength: 150 },
        ),
        fc.integer({ min: 1, max: 5 }),
        (raw, setCount) => {
          const base = toBig('2603:1000::');
          const prefixes = raw.map(({ low, length }) => {
            const size = 1n << BigInt(128 - length);
            const value = (base + (low << 60n)) % TOP;
            return { start: value - (value % size), end: value - (value % size) + size, length };
          });
          const v6Sets: EndpointSet[] = Array.from({ length: setCount }, (_, i) => ({
            id: i + 1,
            serviceArea: 'Exchange',
            serviceAreaDisplayName: 'Exchange Online',
            ips: prefixes
              .filter((_, j) => j % setCount === i)
              .map((p) => `${fmt(p.start)}/${p.length}`),
            expressRoute: false,
            category: CATEGORIES[i % 3]!,
            required: false,
          }));
          const index = buildLookupIndex(v6Sets);
          const flat = v6Sets.flatMap((s) =>
            (s.ips ?? []).map((cidr) => {
              const [a = '', l = '128'] = cidr.split('/');
              const start = toBig(a);
              return {
                id: s.id,
                category: s.category,
                cidr,
                start,
                end: start + (1n << BigInt(128 - Number(l))),
              };
            }),
          );
          const points = flat.flatMap((p) => [p.start - 1n, p.start, p.end - 1n, p.end]);
          for (const point of [0n, TOP - 1n, ...points]) {
            if (point < 0n || point >= TOP) continue;
            const expected = flat
              .filter((p) => p.start <= point && point < p.end)
              .sort(
                (a, b) =>
                  RANK[a.category] - RANK[b.category] || a.id - b.id || (a.cidr < b.cidr ? -1 : 1),
              )
              .map(key);
            expect(fromIndex(index.lookupIpv6(words(point))), fmt(point)).toEqual(expected);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
