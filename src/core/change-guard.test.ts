import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_GUARD_THRESHOLDS,
  describeGuardReport,
  evaluateChange,
  thresholdProblems,
} from './change-guard.js';
import type { EndpointSet } from './endpoint-set.js';

function set(
  id: number,
  serviceArea: string,
  ips: string[] = [],
  urls: string[] = [],
): EndpointSet {
  return {
    id,
    serviceArea: serviceArea as EndpointSet['serviceArea'],
    serviceAreaDisplayName: serviceArea,
    ...(urls.length > 0 ? { urls } : {}),
    ...(ips.length > 0 ? { ips } : {}),
    tcpPorts: '443',
    expressRoute: false,
    category: 'Allow',
    required: true,
  };
}

describe('evaluateChange', () => {
  it('measures collapsed address space, not prefix counts: many small prefixes replaced by a larger one remove nothing', () => {
    const before = [
      set(1, 'Exchange', ['40.92.0.0/16', '40.93.0.0/16', '40.94.0.0/16', '40.95.0.0/16']),
    ];
    const after = [set(1, 'Exchange', ['40.92.0.0/14'])];
    expect(evaluateChange(before, after)).toMatchObject({
      held: false,
      ipv4: {
        before: '262144',
        after: '262144',
        removed: '0',
        removedFraction: 0,
        prefixesBefore: 1,
        prefixesAfter: 1,
      },
    });
  });

  it('holds a removal of more than half of the IPv4 space and names the figures', () => {
    const before = [
      set(1, 'Exchange', [
        '10.0.0.0/24',
        '10.0.1.0/24',
        '10.0.2.0/24',
        '10.0.3.0/24',
        '10.0.4.0/24',
      ]),
    ];
    const after = [set(1, 'Exchange', ['10.0.0.0/24', '10.0.1.0/24'])];
    const report = evaluateChange(before, after);
    expect(report.held).toBe(true);
    expect(report.ipv4).toMatchObject({
      before: '1280',
      after: '512',
      removed: '768',
      removedFraction: 0.6,
    });
    expect(report.trips).toEqual([
      {
        rule: 'ipv4-removal',
        value: 0.6,
        limit: 0.5,
        message:
          '60.0 % of the IPv4 address space would go (768 of 1280 addresses); the limit is 50.0 %',
      },
    ]);
    expect(describeGuardReport(report)).toBe(report.trips[0]!.message);
  });

  it.each([
    ['exactly half is not more than half', '10.0.0.0/23', '10.0.0.0/24', 0.5, false],
    [
      'counts a prefix moved elsewhere as removed (same size, other addresses)',
      '10.0.0.0/24',
      '10.9.0.0/24',
      1,
      true,
    ],
  ])('%s', (_title, before, after, removedFraction, held) => {
    const report = evaluateChange([set(1, 'Skype', [before])], [set(1, 'Skype', [after])]);
    expect(report.ipv4.removedFraction).toBe(removedFraction);
    expect(report.held).toBe(held);
  });

  it('holds IPv6 removals per family, with exact big figures', () => {
    const before = [set(1, 'Common', ['2603:1000::/24', '2620:1ec::/36'])];
    const after = [set(1, 'Common', ['2620:1ec::/36'])];
    const report = evaluateChange(before, after);
    expect(report.ipv6.removed).toBe((2n ** 104n).toString());
    expect(report.trips.map((t) => t.rule)).toEqual(['ipv6-removal']);
    expect(report.ipv4.removedFraction).toBe(0);
  });

  it('holds a removal of more than half of the URLs, letter case ignored', () => {
    const before = [set(1, 'SharePoint', [], ['A.example.com', 'b.example.com', 'c.example.com'])];
    const after = [set(1, 'SharePoint', [], ['a.example.com'])];
    const report = evaluateChange(before, after);
    expect(report.urls).toEqual({ before: 3, after: 1, removed: 2, removedFraction: 2 / 3 });
    expect(report.trips.map((t) => t.rule)).toEqual(['url-removal']);
  });

  it('holds an IPv4 space that more than triples, not one that triples', () => {
    const before = [set(1, 'Exchange', ['10.0.0.0/24'])];
    const triple = evaluateChange(before, [set(1, 'Exchange', ['10.0.0.0/24', '10.0.2.0/23'])]);
    expect(triple.ipv4Growth).toBe(3);
    expect(triple.held).toBe(false);
    const more = evaluateChange(before, [set(1, 'Exchange', ['10.0.0.0/22'])]);
    expect(more.ipv4Growth).toBe(4);
    expect(more.trips.map((t) => t.rule)).toEqual(['ipv4-growth']);
    expect(more.trips[0]!.message).toBe(
      'the IPv4 address space would grow 4.00× (256 → 1024 addresses); the limit is 3×',
    );
  });

  it('a service area appearing for the first time is reported, never held', () => {
    const before = [set(1, 'Exchange', ['10.0.0.0/24'], ['a.example.com'])];
    const after = [...before, set(2, 'MEM', ['20.0.0.0/8'], ['x.example.com', 'y.example.com'])];
    const report = evaluateChange(before, after);
    expect(report.held).toBe(false);
    expect(report.newServiceAreas).toEqual(['MEM']);
    expect(report.comparedServiceAreas).toEqual(['Exchange']);
    expect(report.ipv4Growth).toBe(1);
  });

  it('a service area that disappears entirely holds', () => {
    const before = [set(1, 'Exchange', ['10.0.0.0/24']), set(2, 'Skype', ['10.1.0.0/24'])];
    const report = evaluateChange(before, [set(1, 'Exchange', ['10.0.0.0/24'])]);
    expect(report.vanishedServiceAreas).toEqual(['Skype']);
    expect(report.trips.map((t) => t.rule)).toEqual(['service-area-removed']);
  });

  it('thresholds are settable: 1 never holds a removal, a lower one holds less', () => {
    const before = [set(1, 'Exchange', ['10.0.0.0/22'], ['a.example.com', 'b.example.com'])];
    const after = [set(1, 'Exchange', ['10.0.0.0/24'], ['a.example.com'])];
    expect(evaluateChange(before, after).trips.map((t) => t.rule)).toEqual(['ipv4-removal']);
    expect(
      evaluateChange(before, after, { ...DEFAULT_GUARD_THRESHOLDS, maxSpaceRemoval: 1 }).held,
    ).toBe(false);
    expect(
      evaluateChange(before, after, {
        ...DEFAULT_GUARD_THRESHOLDS,
        maxSpaceRemoval: 1,
        maxUrlRemoval: 0.4,
      }).trips.map((t) => t.rule),
    ).toEqual(['url-removal']);
    const growth = evaluateChange(after, before, {
      ...DEFAULT_GUARD_THRESHOLDS,
      maxIpv4Growth: Number.POSITIVE_INFINITY,
    });
    expect(growth.ipv4Growth).toBe(4);
    expect(growth.held).toBe(false);
  });

  it('refuses thresholds that make no sense', () => {
    expect(thresholdProblems(DEFAULT_GUARD_THRESHOLDS)).toEqual([]);
    expect(
      thresholdProblems({ maxSpaceRemoval: 0, maxUrlRemoval: 1.5, maxIpv4Growth: 1 }),
    ).toHaveLength(3);
    expect(
      thresholdProblems({ maxSpaceRemoval: Number.NaN, maxUrlRemoval: 0.5, maxIpv4Growth: 3 })[0],
    ).toMatch(/received NaN/);
  });

  it('property: removed space never exceeds what was covered, and identical versions never hold', () => {
    const prefix = fc
      .tuple(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 16, max: 24 }),
      )
      .map(([a, b, len]) => {
        const value = ((a << 8) | b) << 16;
        const masked = (value >>> 0) & (len === 0 ? 0 : (~0 << (32 - len)) >>> 0);
        return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${len}`;
      });
    fc.assert(
      fc.property(
        fc.array(prefix, { maxLength: 30 }),
        fc.array(prefix, { maxLength: 30 }),
        (a, b) => {
          const before = [set(1, 'Common', a)];
          const after = [set(1, 'Common', b)];
          const report = evaluateChange(before, after);
          expect(BigInt(report.ipv4.removed) <= BigInt(report.ipv4.before)).toBe(true);
          expect(report.ipv4.removedFraction).toBeGreaterThanOrEqual(0);
          expect(report.ipv4.removedFraction).toBeLessThanOrEqual(1);
          // before − removed = the overlap, which never exceeds what is covered after.
          expect(
            BigInt(report.ipv4.before) - BigInt(report.ipv4.removed) <= BigInt(report.ipv4.after),
          ).toBe(true);
          expect(evaluateChange(before, before).held).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
