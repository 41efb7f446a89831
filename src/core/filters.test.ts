import { describe, expect, it } from 'vitest';
import { readBundled, readFixture } from '../../test/helpers/bundled-data.js';
import { ENDPOINT_SET_MEMBERS, type EndpointSet, type ServiceArea } from './endpoint-set.js';
import { filterEndpointSets } from './filters.js';
import { sampleSet, scrambledSet } from './sample-data.fixture.js';

const areas = (...names: ServiceArea[]): ReadonlySet<ServiceArea> => new Set(names);

const set = (id: number, extra: Partial<EndpointSet> = {}): EndpointSet =>
  sampleSet(id, {
    serviceArea: 'SharePoint',
    serviceAreaDisplayName: 'SharePoint Online and OneDrive for Business',
    ...extra,
  });

describe('filterEndpointSets on real data', () => {
  const latest = readBundled('Worldwide', '2025013000');

  it('matches the real NoIPv6 response byte for byte for every set whose data did not change since', () => {
    // The real response is from a version later than our newest; 51 of its 63 sets are unchanged.
    const real = readFixture('wire/endpoints-Worldwide-NoIPv6-real.json') as EndpointSet[];
    const ours = filterEndpointSets(latest, { noIPv6: true });
    for (const id of [1, 2, 8, 9, 10, 11, 31, 46, 51, 56, 160]) {
      const expected = real.find((s) => s.id === id);
      expect(JSON.stringify(ours.find((s) => s.id === id))).toBe(JSON.stringify(expected));
    }
    expect(ours.flatMap((s) => s.ips ?? []).filter((ip) => ip.includes(':'))).toEqual([]);
    expect(ours.find((s) => s.id === 8)?.urls).toContain('autodiscover.*.onmicrosoft.com');
  });

  it('without parameters, keeps every set in stored order, placeholders rendered as *', () => {
    const all = filterEndpointSets(latest);
    expect(all.map((s) => s.id)).toEqual(latest.map((s) => s.id));
    expect(JSON.stringify(all)).not.toContain('<tenant>');
  });

  it('always includes Common', () => {
    const skype = filterEndpointSets(latest, { serviceAreas: areas('Skype') });
    expect(new Set(skype.map((s) => s.serviceArea))).toEqual(new Set(['Skype', 'Common']));
    const common = filterEndpointSets(latest, { serviceAreas: areas() });
    expect(common.every((s) => s.serviceArea === 'Common')).toBe(true);
    expect(common.length).toBe(latest.filter((s) => s.serviceArea === 'Common').length);
  });

  it('substitutes the tenant name only at placeholders', () => {
    const exchange = filterEndpointSets(latest, {
      tenantName: 'Contoso',
      serviceAreas: areas('Exchange'),
    });
    expect(exchange.find((s) => s.id === 8)?.urls).toEqual([
      '*.outlook.com',
      'autodiscover.contoso.onmicrosoft.com',
    ]);
  });

  it('throws ERR_INVALID_TENANT_NAME for a bad tenant name', () => {
    expect(() => filterEndpointSets(latest, { tenantName: 'not a label' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_TENANT_NAME' }),
    );
  });
});

describe('filterEndpointSets rules', () => {
  it('removes exact duplicates after substitution, first kept, no re-sort', () => {
    const sets = [
      set(31, {
        urls: ['<tenant>.sharepoint.com', '*.sharepoint.com', '<tenant>-my.sharepoint.com'],
      }),
    ];
    expect(filterEndpointSets(sets)[0]?.urls).toEqual(['*.sharepoint.com', '*-my.sharepoint.com']);
    expect(filterEndpointSets(sets, { tenantName: 'contoso' })[0]?.urls).toEqual([
      'contoso.sharepoint.com',
      '*.sharepoint.com',
      'contoso-my.sharepoint.com',
    ]);
  });

  it('NoIPv6 omits an emptied ips and drops a set left with nothing', () => {
    const sets = [
      set(1, { urls: ['a.example.com'], ips: ['2001:db8::/32'] }),
      set(2, { ips: ['2001:db8::/32'] }),
      set(3, { ips: ['192.0.2.0/24', '2001:db8::/32'] }),
    ];
    const out = filterEndpointSets(sets, { noIPv6: true });
    expect(out.map((s) => s.id)).toEqual([1, 3]);
    expect(out[0]).not.toHaveProperty('ips');
    expect(out[1]?.ips).toEqual(['192.0.2.0/24']);
    expect(filterEndpointSets(sets).map((s) => s.ips)).toEqual(sets.map((s) => s.ips));
  });

  it('keeps members exactly as stored, notes "" included, in wire key order', () => {
    const scrambled = scrambledSet();
    const [out] = filterEndpointSets([scrambled]);
    expect(Object.keys(out!)).toEqual(ENDPOINT_SET_MEMBERS);
    expect(out).toEqual(scrambled);
  });

  it('shares unchanged arrays instead of copying them', () => {
    const stored = set(5, { urls: ['a.example.com'], ips: ['192.0.2.0/24'] });
    const [out] = filterEndpointSets([stored], { noIPv6: true });
    expect(out?.urls).toBe(stored.urls);
    expect(out?.ips).toBe(stored.ips);
  });
});
