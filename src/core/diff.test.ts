import { describe, expect, it } from 'vitest';
import {
  bundledInstances,
  bundledVersions,
  readBundled,
  readFixture,
} from '../../test/helpers/bundled-data.js';
import type { ChangeDraft } from './change-record.js';
import { diffVersions } from './diff.js';
import type { EndpointSet } from './endpoint-set.js';
import { removalDraft, sampleAttributes, sampleSet as set } from './sample-data.fixture.js';

const OPTIONS = { version: '2020012800', effectiveDate: '20200227' };

describe('diffVersions on real data', () => {
  it('reproduces the real record of Worldwide 2020012800 field for field, in key order', () => {
    const [real] = readFixture('wire/changes-Worldwide-2020012800-one-real-record.json') as [
      ChangeDraft & { id: number; add: { effectiveDate: string } },
    ];
    const drafts = diffVersions(
      readBundled('Worldwide', '2020010200'),
      readBundled('Worldwide', '2020012800'),
      {
        version: '2020012800',
        effectiveDate: real.add.effectiveDate,
      },
    );
    const ours = drafts.find((draft) => draft.endpointSetId === real.endpointSetId);
    const { id: _id, ...expected } = real;
    expect(ours).toEqual(expected);
    // toEqual ignores key order; the wire does not.
    expect(JSON.stringify(ours)).toBe(JSON.stringify(expected));
  });

  it('diffs every bundled instance history without throwing, deterministically, ordered by set id', () => {
    let total = 0;
    for (const instance of bundledInstances()) {
      const versions = bundledVersions(instance);
      let previous: EndpointSet[] = [];
      for (const version of versions) {
        const next = readBundled(instance, version);
        const options = { version, effectiveDate: version.slice(0, 8) };
        const first = diffVersions(previous, next, options);
        const again = diffVersions(previous, next, options);
        expect(JSON.stringify(again)).toBe(JSON.stringify(first));
        const ids = first.map((draft) => draft.endpointSetId);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        for (const draft of first) {
          expect(draft.version).toBe(version);
          expect('impact' in draft).toBe(version >= '2018112800');
        }
        total += first.length;
        previous = next;
      }
    }
    expect(total).toBeGreaterThan(100);
  });

  it('treats the first version of an instance as all Adds', () => {
    const first = readBundled('China', '2018063000');
    const drafts = diffVersions([], first, { version: '2018063000', effectiveDate: '20180730' });
    expect(drafts.map((d) => d.endpointSetId)).toEqual(
      first.map((s) => s.id).sort((a, b) => a - b),
    );
    expect(drafts.every((d) => d.disposition === 'Add' && d.previous === undefined)).toBe(true);
  });
});

describe('diffVersions dispositions', () => {
  it('gives nothing for identical versions or a mere reordering of urls and ips', () => {
    const a = [
      set(1, { urls: ['a.example.com', 'b.example.com'], ips: ['10.0.0.0/8', '2001:db8::/32'] }),
    ];
    const b = [
      set(1, { urls: ['b.example.com', 'a.example.com'], ips: ['2001:db8::/32', '10.0.0.0/8'] }),
    ];
    expect(diffVersions(a, b, OPTIONS)).toEqual([]);
  });

  it('ignores a display-name-only change (not a change-record member)', () => {
    expect(diffVersions([set(1)], [set(1, { serviceAreaDisplayName: 'Other' })], OPTIONS)).toEqual(
      [],
    );
  });

  it('records a removed set with all its attributes and addresses', () => {
    const gone = set(7, {
      urls: ['x.example.com'],
      ips: ['192.0.2.0/24'],
      notes: 'n',
      required: false,
    });
    const [record] = diffVersions([set(1), gone], [set(1)], OPTIONS);
    expect(JSON.stringify(record)).toBe(
      JSON.stringify(
        removalDraft(7, '2020012800', sampleAttributes({ required: 'false', notes: 'n' }), {
          ips: ['192.0.2.0/24'],
          urls: ['x.example.com'],
        }),
      ),
    );
  });

  it('records a changed set with only the changed members, old and new, in wire order', () => {
    const old = set(3, { urls: ['a.example.com', 'b.example.com'], notes: 'old' });
    const now = set(3, {
      urls: ['a.example.com', 'c.example.com'],
      category: 'Allow',
      udpPorts: '3478',
    });
    const [record] = diffVersions([old], [now], OPTIONS);
    expect(JSON.stringify(record)).toBe(
      JSON.stringify({
        endpointSetId: 3,
        disposition: 'Change',
        version: '2020012800',
        impact: 'AddedUrl',
        previous: { category: 'Default', udpPorts: '', notes: 'old' },
        current: { category: 'Allow', udpPorts: '3478', notes: '' },
        add: { effectiveDate: '20200227', urls: ['c.example.com'] },
        remove: { urls: ['b.example.com'] },
      }),
    );
  });

  it('emits records by endpointSetId ascending whatever the input order', () => {
    const drafts = diffVersions([set(9), set(2)], [set(5), set(2, { notes: 'x' })], OPTIONS);
    expect(drafts.map((d) => [d.endpointSetId, d.disposition])).toEqual([
      [2, 'Change'],
      [5, 'Add'],
      [9, 'Remove'],
    ]);
  });
});

describe('diffVersions impact', () => {
  const impactOf = (previous: EndpointSet[], next: EndpointSet[], id: number): string | undefined =>
    diffVersions(previous, next, OPTIONS).find((d) => d.endpointSetId === id)?.impact;

  it('classifies additions by kind', () => {
    expect(impactOf([set(1)], [set(1, { ips: ['192.0.2.1/32'] })], 1)).toBe('AddedIp');
    expect(impactOf([set(1)], [set(1, { urls: ['a.example.com'] })], 1)).toBe('AddedUrl');
    expect(
      impactOf([set(1)], [set(1, { urls: ['a.example.com'], ips: ['192.0.2.1/32'] })], 1),
    ).toBe('AddedIpAndUrl');
  });

  it('AddedSubstituteUrl when the new urls were covered by a wildcard removed in the same version', () => {
    const previous = [set(1, { urls: ['*.example.com'] }), set(2, { urls: ['z.example.org'] })];
    const next = [
      set(1, { urls: ['b.example.com'] }),
      set(2, { urls: ['a.example.com', 'z.example.org'] }),
    ];
    expect(impactOf(previous, next, 2)).toBe('AddedSubstituteUrl');
    expect(impactOf(previous, next, 1)).toBe('AddedSubstituteUrl');
    // One genuinely new url (not under the removed wildcard) makes it a plain AddedUrl.
    const mixed = [set(1), set(2, { urls: ['a.example.com', 'new.example.net', 'z.example.org'] })];
    expect(impactOf(previous, mixed, 2)).toBe('AddedUrl');
    // An added wildcard widens what is published: never a substitute.
    const widened = [set(1, { urls: ['*.example.com'] }), set(2, { urls: ['z.example.org'] })];
    expect(impactOf([set(1, { urls: ['<tenant>.example.com'] })], widened, 1)).toBe('AddedUrl');
    // shExpMatch semantics: *.example.com does not cover example.com itself.
    expect(
      impactOf(previous, [set(1), set(2, { urls: ['example.com', 'z.example.org'] })], 2),
    ).toBe('AddedUrl');
  });

  it('MovedIpOrUrl for both ends of a move; additions still win on a record that adds something new', () => {
    const previous = [set(1, { ips: ['192.0.2.0/24'] }), set(2, { ips: ['198.51.100.0/24'] })];
    const next = [set(1), set(2, { ips: ['192.0.2.0/24', '198.51.100.0/24'] })];
    expect(impactOf(previous, next, 1)).toBe('MovedIpOrUrl');
    expect(impactOf(previous, next, 2)).toBe('MovedIpOrUrl');
    const plusNew = [
      set(1),
      set(2, { ips: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'] }),
    ];
    expect(impactOf(previous, plusNew, 2)).toBe('AddedIp');
  });

  it('RemovedDuplicateIpOrUrl when the removed address stays published by another set', () => {
    const previous = [set(1, { urls: ['a.example.com'] }), set(2, { urls: ['a.example.com'] })];
    expect(impactOf(previous, [set(1), set(2, { urls: ['a.example.com'] })], 1)).toBe(
      'RemovedDuplicateIpOrUrl',
    );
  });

  it('RemovedIpOrUrl outranks a move and an expressRoute change', () => {
    const previous = [set(1, { ips: ['192.0.2.0/24', '203.0.113.0/24'] }), set(2)];
    const next = [set(1, { expressRoute: true }), set(2, { ips: ['192.0.2.0/24'] })];
    expect(impactOf(previous, next, 1)).toBe('RemovedIpOrUrl');
  });

  it('ChangedIsExpressRoute for a flag change, also with lesser attribute changes; Other otherwise', () => {
    expect(impactOf([set(1)], [set(1, { expressRoute: true })], 1)).toBe('ChangedIsExpressRoute');
    expect(impactOf([set(1)], [set(1, { expressRoute: true, notes: 'x' })], 1)).toBe(
      'ChangedIsExpressRoute',
    );
    expect(impactOf([set(1)], [set(1, { notes: 'x' })], 1)).toBe('OtherNonPriorityChanges');
    expect(impactOf([set(1)], [set(1, { tcpPorts: '443' })], 1)).toBe('OtherNonPriorityChanges');
    expect(impactOf([set(1)], [set(1, { category: 'Optimize' })], 1)).toBe(
      'OtherNonPriorityChanges',
    );
  });

  it('a new or removed set without addresses is OtherNonPriorityChanges', () => {
    expect(impactOf([], [set(4)], 4)).toBe('OtherNonPriorityChanges');
    expect(impactOf([set(4)], [], 4)).toBe('OtherNonPriorityChanges');
  });

  it('omits impact before 2018112800 and carries it from 2018112800 on', () => {
    const previous = [set(1)];
    const next = [set(1, { ips: ['192.0.2.0/24'] })];
    const [old] = diffVersions(previous, next, {
      version: '2018102900',
      effectiveDate: '20181128',
    });
    expect(old).not.toHaveProperty('impact');
    expect(Object.keys(old!)).toEqual(['endpointSetId', 'disposition', 'version', 'add']);
    const [first] = diffVersions(previous, next, {
      version: '2018112800',
      effectiveDate: '20181228',
    });
    expect(first?.impact).toBe('AddedIp');
  });
});
