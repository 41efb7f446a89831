import { describe, expect, it } from 'vitest';
import {
  bundledInstances,
  bundledVersions,
  readBundled,
  readBundledRaw,
} from '../../test/helpers/bundled-data.js';
import type { EndpointSet } from './endpoint-set.js';
import { ValidationError } from './errors.js';
import { parseDocument, validateDocument } from './validate.js';
import { thrownBy } from './failure.fixture.js';

/** A valid set, modelled on Worldwide set 1. */
function good(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 1,
    serviceArea: 'Exchange',
    serviceAreaDisplayName: 'Exchange Online',
    urls: ['outlook.office.com'],
    ips: ['13.107.6.152/31', '2603:1006::/40'],
    tcpPorts: '80,443',
    expressRoute: true,
    category: 'Optimize',
    required: true,
    ...extra,
  };
}

function without(member: string): Record<string, unknown> {
  const set = good();
  delete set[member];
  return set;
}

describe('validateDocument on the bundled history', () => {
  it('accepts every bundled version of every instance, keeping its content', () => {
    const problems: string[] = [];
    let versions = 0;
    for (const instance of bundledInstances()) {
      for (const version of bundledVersions(instance)) {
        const { sets, issues } = validateDocument(readBundledRaw(instance, version));
        for (const issue of issues)
          problems.push(`${instance} ${version} ${issue.path}: ${issue.reason}`);
        const original = readBundled(instance, version);
        expect(sets.map((s) => s.id)).toEqual(original.map((s) => s.id).sort((a, b) => a - b));
        versions += 1;
      }
    }
    expect(problems).toEqual([]);
    expect(versions).toBeGreaterThan(100);
  });

  it('keeps a real set unchanged when it is already normal (Worldwide 2025013000)', () => {
    const raw = readBundled('Worldwide', '2025013000');
    const { sets } = validateDocument(raw);
    const one = (list: readonly EndpointSet[]): string =>
      JSON.stringify(list.find((s) => s.id === 1));
    expect(one(sets)).toBe(one(raw));
  });

  it('validates early versions whose sets have neither urls nor ips', () => {
    const raw = readBundled('Worldwide', '2018063000');
    expect(raw.some((s) => s.urls === undefined && s.ips === undefined)).toBe(true);
    expect(validateDocument(raw).issues).toEqual([]);
  });
});

describe('validateDocument normalisation', () => {
  it('sorts sets, urls (ordinal) and ips (v4 then v6, numeric); omits empty arrays; wire member order', () => {
    const { sets, issues } = validateDocument([
      good({ id: 2, urls: [], ips: ['2603:1006::/40', '40.96.0.0/13', '13.107.6.152/31'] }),
      {
        notes: '',
        required: false,
        category: 'Default',
        expressRoute: false,
        urls: ['login.microsoftonline.com', 'login-us.microsoftonline.com', 'Login.Microsoft.com'],
        serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
        serviceArea: 'Common',
        id: 1,
      },
    ]);
    expect(issues).toEqual([]);
    expect(JSON.stringify(sets)).toBe(
      JSON.stringify([
        {
          id: 1,
          serviceArea: 'Common',
          serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
          urls: [
            'login-us.microsoftonline.com',
            'login.microsoft.com',
            'login.microsoftonline.com',
          ],
          expressRoute: false,
          category: 'Default',
          required: false,
          notes: '',
        },
        {
          id: 2,
          serviceArea: 'Exchange',
          serviceAreaDisplayName: 'Exchange Online',
          ips: ['13.107.6.152/31', '40.96.0.0/13', '2603:1006::/40'],
          tcpPorts: '80,443',
          expressRoute: true,
          category: 'Optimize',
          required: true,
        },
      ]),
    );
  });

  it('keeps a duplicated url or ip once', () => {
    const { sets } = validateDocument([
      good({ urls: ['a.example.com', 'a.example.com'], ips: ['192.0.2.0/24', '192.0.2.0/24'] }),
    ]);
    expect(sets[0]?.urls).toEqual(['a.example.com']);
    expect(sets[0]?.ips).toEqual(['192.0.2.0/24']);
  });

  it('accepts an empty document (a version without sets)', () => {
    expect(validateDocument([])).toEqual({ sets: [], issues: [] });
  });
});

describe('validateDocument issues, one kind per row', () => {
  const cases: [
    string,
    unknown,
    { path: string; value?: string; reason: string; setId?: number },
  ][] = [
    ['not an array', { sets: [] }, { path: '$', reason: 'expected a JSON array of endpoint sets' }],
    [
      'a set that is not an object',
      [good(), 'x'],
      { path: '[1]', value: 'x', reason: 'expected an endpoint set' },
    ],
    ['a null set', [null], { path: '[0]', value: 'null', reason: 'received null' }],
    ['missing id', [without('id')], { path: '[0].id', reason: 'missing required member "id"' }],
    [
      'missing serviceArea',
      [without('serviceArea')],
      { path: '[0].serviceArea', setId: 1, reason: 'missing required member' },
    ],
    [
      'missing display name',
      [without('serviceAreaDisplayName')],
      { path: '[0].serviceAreaDisplayName', reason: 'missing' },
    ],
    [
      'missing expressRoute',
      [without('expressRoute')],
      { path: '[0].expressRoute', reason: 'missing' },
    ],
    ['missing category', [without('category')], { path: '[0].category', reason: 'missing' }],
    ['missing required', [without('required')], { path: '[0].required', reason: 'missing' }],
    [
      'id as a string',
      [good({ id: '1' })],
      { path: '[0].id', value: '1', reason: 'expected a positive integer' },
    ],
    [
      'fractional id',
      [good({ id: 1.5 })],
      { path: '[0].id', reason: 'expected a positive integer' },
    ],
    ['zero id', [good({ id: 0 })], { path: '[0].id', reason: 'expected a positive integer' }],
    [
      'duplicate id',
      [good(), good()],
      { path: '[1].id', value: '1', reason: 'duplicate id 1: already used by the set at [0]' },
    ],
    [
      'boolean as a string',
      [good({ required: 'true' })],
      { path: '[0].required', setId: 1, reason: 'expected true or false' },
    ],
    [
      'urls not an array',
      [good({ urls: 'outlook.office.com' })],
      { path: '[0].urls', reason: 'expected an array of strings' },
    ],
    [
      'a url that is not a string',
      [good({ urls: [42] })],
      { path: '[0].urls[0]', value: '42', reason: 'expected a string' },
    ],
    [
      'illegal host pattern',
      [good({ urls: ['outlook.office.com', 'https://x.com/'] })],
      { path: '[0].urls[1]', reason: 'illegal character' },
    ],
    [
      'misplaced wildcard',
      [good({ urls: ['office.*'] })],
      { path: '[0].urls[0]', reason: 'top-level label' },
    ],
    [
      'double wildcard',
      [good({ urls: ['**.office.com'] })],
      { path: '[0].urls[0]', reason: '"**"' },
    ],
    [
      'malformed CIDR',
      [good({ ips: ['13.107.6/24'] })],
      { path: '[0].ips[0]', reason: 'not an IPv4 address' },
    ],
    [
      'host bits set',
      [good({ ips: ['13.107.6.153/31'] })],
      { path: '[0].ips[0]', reason: 'write "13.107.6.152/31"' },
    ],
    [
      'upper-case IPv6',
      [good({ ips: ['2603:1006::/40', '2620:1EC:4::152/128'] })],
      { path: '[0].ips[1]', reason: 'write "2620:1ec:4::152/128"' },
    ],
    [
      'uncompressed IPv6',
      [good({ ips: ['2603:1006:0:0::/40'] })],
      { path: '[0].ips[0]', reason: 'write "2603:1006::/40"' },
    ],
    [
      'bare address',
      [good({ ips: ['192.0.2.1'] })],
      { path: '[0].ips[0]', reason: 'write "192.0.2.1/32"' },
    ],
    [
      'IPv4 with an IPv6 length',
      [good({ ips: ['192.0.2.0/64'] })],
      { path: '[0].ips[0]', reason: 'IPv6 prefix length on an IPv4 address' },
    ],
    [
      'IPv6 length out of range',
      [good({ ips: ['2603:1006::/129'] })],
      { path: '[0].ips[0]', reason: 'expected 0–128' },
    ],
    [
      'port out of range',
      [good({ tcpPorts: '80,65536' })],
      { path: '[0].tcpPorts', reason: 'outside 1–65535' },
    ],
    [
      'reversed range',
      [good({ udpPorts: '59999-50000' })],
      { path: '[0].udpPorts', reason: 'reversed' },
    ],
    [
      'blank port string',
      [good({ tcpPorts: ' ' })],
      { path: '[0].tcpPorts', reason: 'omit the member' },
    ],
    [
      'ports as a number',
      [good({ tcpPorts: 443 })],
      { path: '[0].tcpPorts', reason: 'expected a string such as "80,443"' },
    ],
    [
      'unknown category',
      [good({ category: 'Block' })],
      { path: '[0].category', reason: 'accepted: Optimize, Allow, Default' },
    ],
    [
      'unknown service area',
      [good({ serviceArea: 'Teams' })],
      { path: '[0].serviceArea', reason: 'accepted: Exchange, SharePoint, Skype, MEM, Common' },
    ],
    [
      'service area in the wrong case',
      [good({ serviceArea: 'sharepoint' })],
      { path: '[0].serviceArea', reason: 'did you mean "SharePoint"?' },
    ],
    [
      'empty display name',
      [good({ serviceAreaDisplayName: ' ' })],
      { path: '[0].serviceAreaDisplayName', reason: 'non-empty string' },
    ],
    [
      'notes not a string',
      [good({ notes: null })],
      { path: '[0].notes', reason: 'expected a string' },
    ],
    [
      'unknown member (typo)',
      [good({ tcpPort: '443' })],
      {
        path: '[0].tcpPort',
        value: '443',
        reason: 'unknown member "tcpPort"; accepted members: id,',
      },
    ],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    const { issues } = validateDocument(input);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      path: expected.path,
      ...(expected.value !== undefined ? { value: expected.value } : {}),
      ...(expected.setId !== undefined ? { setId: expected.setId } : {}),
    });
    expect(issues[0]?.reason).toContain(expected.reason);
  });

  it('rejects an id that changes service area against the published ids', () => {
    const knownSetIds = new Map([[1, 'SharePoint']]);
    const { issues } = validateDocument([good()], { knownSetIds });
    expect(issues).toEqual([
      {
        path: '[0].serviceArea',
        value: 'Exchange',
        setId: 1,
        reason:
          'set 1 was published in service area "SharePoint"; an id never changes service area (use a new id)',
      },
    ]);
    expect(validateDocument([good()], { knownSetIds: new Map([[1, 'Exchange']]) }).issues).toEqual(
      [],
    );
  });

  it('reports every problem at once, with set ids, and returns no invalid set', () => {
    const { sets, issues } = validateDocument([
      good({ id: 3, ips: ['192.0.2.1/24', '2001:db8::/64'], tcpPorts: '0' }),
      good({ id: 4 }),
      'junk',
      good({ id: 5, category: 'Fast', required: 'yes' }),
    ]);
    expect(issues.map((i) => [i.path, i.setId])).toEqual([
      ['[0].ips[0]', 3],
      ['[0].tcpPorts', 3],
      ['[2]', undefined],
      ['[3].category', 5],
      ['[3].required', 5],
    ]);
    expect(sets.map((s) => s.id)).toEqual([4]);
  });

  it('truncates a huge value in an issue', () => {
    const { issues } = validateDocument([good({ notes: { text: 'x'.repeat(10_000) } })]);
    expect(issues[0]?.value.length).toBeLessThan(200);
  });
});

describe('parseDocument', () => {
  it('returns the normalised sets of a valid document', () => {
    expect(parseDocument([good({ id: 2 }), good({ id: 1 })]).map((s) => s.id)).toEqual([1, 2]);
  });

  it('throws ValidationError ERR_VALIDATION carrying every issue', () => {
    const caught = thrownBy(() =>
      parseDocument([good({ category: 'Block' }), good({ id: 2, urls: ['a..b.com'] })]),
    );
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe('ERR_VALIDATION');
    expect(error.issues.map((i) => i.path)).toEqual(['[0].category', '[1].urls[0]']);
    expect(error.message).toContain('2 problems');
    expect(error.message).toContain('[0].category');
  });
});
