import { describe, expect, it } from 'vitest';
import { diffVersions } from './diff.js';
import type { EndpointSet } from './endpoint-set.js';
import { DEFAULT_POLICY } from './sanity-policy.js';
import { validateChangeRecords } from './validate-changes.js';
import { validateIncoming } from './validate-version.js';

/** The one real record on file (a blog quoting the live service's answer verbatim). */
const good = {
  id: 500,
  endpointSetId: 149,
  disposition: 'Add',
  version: '2020012800',
  impact: 'AddedUrl',
  current: {
    expressRoute: 'false',
    serviceArea: 'Common',
    category: 'Default',
    required: 'true',
    tcpPorts: '80,443',
  },
  add: { effectiveDate: '20191125', urls: ['workplaceanalytics.cdn.office.net'] },
};

describe('change-record validation', () => {
  it('accepts the real record and records the diff produces', () => {
    expect(validateChangeRecords([good]).issues).toEqual([]);
    const real = {
      ...good,
      add: { ...good.add, urls: [...good.add.urls, 'workplaceanalytics.office.com'] },
    };
    expect(validateChangeRecords([real]).issues).toEqual([]);
    const before: EndpointSet[] = [
      {
        id: 1,
        serviceArea: 'Exchange',
        serviceAreaDisplayName: 'Exchange Online',
        ips: ['13.107.6.152/31'],
        tcpPorts: '443',
        expressRoute: true,
        category: 'Optimize',
        required: true,
        notes: 'n',
      },
    ];
    const after: EndpointSet[] = [
      {
        id: 1,
        serviceArea: 'Exchange',
        serviceAreaDisplayName: 'Exchange Online',
        ips: ['13.107.18.10/31'],
        expressRoute: false,
        category: 'Allow',
        required: true,
      },
    ];
    const drafts = diffVersions(before, after, {
      version: '2026010100',
      effectiveDate: '20260131',
    });
    expect(validateChangeRecords(drafts.map((d, i) => ({ ...d, id: i + 1 }))).issues).toEqual([]);
  });

  it('reports every wrong member by path, value and reason', () => {
    const bad = [
      { ...good, remove: { urls: 'a.example.com' } },
      { ...good, id: 500, disposition: 'Moved', version: '2020133100', impact: 'Added', extra: 1 },
      {
        ...good,
        id: 502,
        current: {
          expressRoute: false,
          serviceArea: 'Mars',
          tcpPorts: '443; drop all',
          colour: 'red',
        },
      },
      { ...good, id: 503, add: { ips: ['0.0.0.0/0x', '10.1.2.3/8'], urls: ['<script>'] } },
      'nope',
    ];
    const { issues, records } = validateChangeRecords(bad);
    expect(records).toEqual([]);
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual([
      '[0].remove.urls',
      '[1].extra',
      '[1].id',
      '[1].disposition',
      '[1].version',
      '[1].impact',
      '[2].current.colour',
      '[2].current.expressRoute',
      '[2].current.serviceArea',
      '[2].current.tcpPorts',
      '[3].add.effectiveDate',
      '[3].add.ips[0]',
      '[3].add.ips[1]',
      '[3].add.urls[0]',
      '[4]',
    ]);
    expect(issues[0]).toMatchObject({ value: 'a.example.com', setId: 149 });
    expect(issues[0]?.reason).toContain('expected an array of strings, received a string');
    expect(issues[12]?.reason).toContain('write "10.0.0.0/8"');
    expect(validateChangeRecords({}).issues[0]?.path).toBe('$');
  });

  it('runs the policy over the addresses and text of valid records', () => {
    const records = [
      { ...good, add: { effectiveDate: '20191125', ips: ['0.0.0.0/0'] } },
      { ...good, id: 501, disposition: 'Change', current: { notes: 'ok\u0000' } },
    ];
    const result = validateIncoming({
      sets: [],
      changes: records,
      now: new Date(),
      policy: DEFAULT_POLICY,
      path: 'up ',
    });
    expect(result.issues.map((i) => [i.path, i.rule])).toEqual([
      ['up [0].add.ips[0]', 'default-route'],
      ['up [1].current.notes', 'control-character'],
    ]);
  });

  it("caps the prefixes a version's records carry before validating them", () => {
    const ips = Array.from({ length: 100_001 }, () => 'x');
    const result = validateIncoming({
      sets: [],
      changes: [{ ...good, add: { effectiveDate: '20191125', ips } }],
      now: new Date(),
      policy: DEFAULT_POLICY,
    });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({
      rule: 'max-prefixes',
      path: 'change records of 2020012800',
    });
  });
});
