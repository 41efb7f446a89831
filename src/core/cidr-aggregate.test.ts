import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aggregateCidrs } from './cidr-aggregate.js';
import { cidrRange, parseCidr, type Cidr } from './cidr.js';

const texts = (cidrs: readonly Cidr[]): string[] => cidrs.map((c) => c.text);
const agg = (...input: string[]) => aggregateCidrs(input.map(parseCidr));

describe('aggregateCidrs', () => {
  it('merges sibling halves, repeatedly, and reports what it merged', () => {
    const result = agg('10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/25');
    expect(texts(result.prefixes)).toEqual(['10.0.0.0/24']);
    expect(result.merges).toEqual([
      { into: '10.0.0.0/24', from: ['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/25'], inputs: 3 },
    ]);
  });

  it('folds duplicates and covered prefixes into the covering one', () => {
    const result = agg('52.96.0.0/14', '52.98.77.0/24', '52.96.0.0/14');
    expect(texts(result.prefixes)).toEqual(['52.96.0.0/14']);
    expect(result.merges).toEqual([
      { into: '52.96.0.0/14', from: ['52.96.0.0/14', '52.98.77.0/24'], inputs: 3 },
    ]);
  });

  it('does not merge neighbours that are not siblings (would widen)', () => {
    // 10.0.0.64/26 + 10.0.0.128/26 are adjacent but their union is not one prefix.
    const result = agg('10.0.0.64/26', '10.0.0.128/26');
    expect(texts(result.prefixes)).toEqual(['10.0.0.64/26', '10.0.0.128/26']);
    expect(result.merges).toEqual([]);
  });

  it('merges IPv6 /128 pairs and keeps families apart', () => {
    const result = agg('2620:1ec:4::153/128', '2620:1ec:4::152/128', '0.0.0.0/1', '128.0.0.0/1');
    expect(texts(result.prefixes)).toEqual(['0.0.0.0/0', '2620:1ec:4::152/127']);
    // ::/1 and 128.0.0.0/1 must never meet; an IPv4 /0 is not an IPv6 anything.
    expect(result.merges.map((m) => m.into)).toEqual(['0.0.0.0/0', '2620:1ec:4::152/127']);
  });

  it('returns nothing for nothing', () => {
    expect(aggregateCidrs([])).toEqual({ prefixes: [], merges: [] });
  });

  it('covers exactly the same addresses as the input (property, IPv4 /24–/32 inside 10.0.0.0/24)', () => {
    const prefix = fc
      .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 }))
      .map(([host, len]) => parseCidr(`10.0.0.${host}/${len}`));
    fc.assert(
      fc.property(fc.array(prefix, { maxLength: 30 }), (input) => {
        const covered = (list: readonly Cidr[]): boolean[] =>
          Array.from({ length: 256 }, (_, i) =>
            list.some((c) => {
              const { first, last } = cidrRange(c);
              const a = 0x0a000000n + BigInt(i);
              return a >= first && a <= last;
            }),
          );
        const result = aggregateCidrs(input);
        expect(covered(result.prefixes)).toEqual(covered(input));
        // Minimal and disjoint: no two outputs overlap or are siblings.
        for (let i = 1; i < result.prefixes.length; i++) {
          const a = cidrRange(result.prefixes[i - 1]!);
          const b = cidrRange(result.prefixes[i]!);
          expect(a.last < b.first).toBe(true);
        }
        const again = aggregateCidrs(result.prefixes);
        expect(texts(again.prefixes)).toEqual(texts(result.prefixes));
        expect(again.merges).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
