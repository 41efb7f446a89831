import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateCidrs } from './cidr-aggregate.js';
import { complementCidrs, rangeToCidrs } from './cidr-complement.js';
import { cidrRange, familyBits, makeCidr, parseCidr, type Cidr, type IpFamily } from './cidr.js';

const texts = (cidrs: readonly Cidr[]): string[] => cidrs.map((c) => c.text);

/** Sorted [first, last] ranges of the union of the prefixes, adjacent ones joined. */
function union(cidrs: readonly Cidr[]): Array<[bigint, bigint]> {
  const ranges = cidrs
    .map((c) => cidrRange(c))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const { first, last } of ranges) {
    const top = out[out.length - 1];
    if (top !== undefined && first <= top[1] + 1n) top[1] = last > top[1] ? last : top[1];
    else out.push([first, last]);
  }
  return out;
}

function overlaps(a: Cidr, b: Cidr): boolean {
  const ra = cidrRange(a);
  const rb = cidrRange(b);
  return ra.first <= rb.last && rb.first <= ra.last;
}

describe('complementCidrs', () => {
  it('splits the space around one prefix', () => {
    expect(texts(complementCidrs(4, [parseCidr('128.0.0.0/2')]))).toEqual([
      '0.0.0.0/1',
      '192.0.0.0/2',
    ]);
    // Everything but 0.0.0.1: 0.0.0.0/32, then one prefix per bit (0.0.0.2/31 … 128.0.0.0/1).
    const around = texts(complementCidrs(4, [parseCidr('0.0.0.1/32')]));
    expect(around).toHaveLength(32);
    expect(around.slice(0, 3)).toEqual(['0.0.0.0/32', '0.0.0.2/31', '0.0.0.4/30']);
    expect(around.at(-1)).toBe('128.0.0.0/1');
  });

  it('is the whole space for nothing, and nothing for the whole space', () => {
    expect(texts(complementCidrs(4, []))).toEqual(['0.0.0.0/0']);
    expect(texts(complementCidrs(6, []))).toEqual(['::/0']);
    expect(complementCidrs(6, [parseCidr('::/1'), parseCidr('8000::/1')])).toEqual([]);
  });

  it('ignores the other family', () => {
    expect(texts(complementCidrs(6, [parseCidr('13.107.64.0/18')]))).toEqual(['::/0']);
  });

  it('rangeToCidrs covers 1.2.3.4–1.2.3.9 with three prefixes', () => {
    const first = parseCidr('1.2.3.4/32').network;
    expect(texts(rangeToCidrs(4, first, first + 5n))).toEqual(['1.2.3.4/30', '1.2.3.8/31']);
  });

  for (const family of [4, 6] as IpFamily[]) {
    it(`IPv${family}: complement and excluded are disjoint, cover the space, and the complement is minimal`, () => {
      const bits = familyBits(family);
      const prefix = fc
        .tuple(
          fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
          fc.integer({ min: 0, max: bits }),
        )
        .map(([address, length]) => makeCidr(family, address, length));
      // Short prefixes are rare in random data; bias some towards the top of the space too.
      fc.assert(
        fc.property(fc.array(prefix, { maxLength: 25 }), (excluded) => {
          const complement = complementCidrs(family, excluded);
          const clash = complement.find(
            (c) => c.family !== family || excluded.some((e) => overlaps(c, e)),
          );
          expect(clash).toBeUndefined();
          // Together they cover the whole space exactly once.
          expect(union([...complement, ...excluded])).toEqual([[0n, (1n << BigInt(bits)) - 1n]]);
          // The complement's own prefixes do not overlap each other ...
          const sorted = [...complement].sort((a, b) => (a.network < b.network ? -1 : 1));
          const selfOverlap = sorted.some((c, i) => i > 0 && overlaps(sorted[i - 1] as Cidr, c));
          expect(selfOverlap).toBe(false);
          // ... and no aggregation can shorten them (no two siblings left unmerged).
          expect(aggregateCidrs(complement).prefixes.length).toBe(complement.length);
        }),
        { numRuns: family === 4 ? 300 : 100 },
      );
    });
  }
});
