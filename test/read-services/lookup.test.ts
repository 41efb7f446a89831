/**
 * The lookup service over a catalog holding the whole bundled history in memory: an address, a
 * host or a URL finds every set of the version that lists it and the category to apply; what is
 * not Microsoft 365 finds nothing; malformed questions and versions are refused with their codes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cidrContains, parseCidr } from '../../src/core/cidr.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { MAX_QUERIES, createLookupService, type LookupService } from '../../src/service/lookup.js';
import { bundledCatalog, bundledVersionsOf } from './bundled-catalog.js';

let lookups: LookupService;
let worldwide: Array<{ version: string; sets: readonly EndpointSet[] }>;
beforeAll(async () => {
  lookups = createLookupService(await bundledCatalog());
  worldwide = await bundledVersionsOf('Worldwide');
});

describe('answers from real data', () => {
  it('52.112.0.1 in Worldwide is Teams media: the Skype sets listing 52.112.0.0/14, Optimize', async () => {
    const answer = await lookups.lookup('worldwide', ['52.112.0.1']);
    expect(answer.instance).toBe('Worldwide');
    expect(answer.version).toBe(worldwide[0]!.version);
    const [result] = answer.results;
    expect(result).toMatchObject({ query: '52.112.0.1', kind: 'ipv4', category: 'Optimize' });
    const listing = worldwide[0]!.sets.filter((s) => s.ips?.includes('52.112.0.0/14'));
    expect(result!.matches.map((m) => m.id)).toEqual(listing.map((s) => s.id));
    expect(new Set(result!.matches.map((m) => m.serviceArea))).toEqual(new Set(['Skype']));
    expect(result!.matches.every((m) => m.matched === '52.112.0.0/14')).toBe(true);
  });

  it('hosts and URLs match exact and wildcard patterns; other addresses match nothing', async () => {
    const answer = await lookups.lookup('Worldwide', [
      'https://outlook.office365.com/owa/',
      'Contoso.SharePoint.com',
      '192.0.2.1',
      'www.example.com',
    ]);
    const [outlook, sharepoint, documentation, example] = answer.results;
    expect(outlook).toMatchObject({ kind: 'host', normalized: 'outlook.office365.com' });
    expect(outlook!.category).toBe('Optimize');
    expect(outlook!.matches.map((m) => m.serviceArea)).toContain('Exchange');
    expect(sharepoint!.matches.find((m) => m.matched === '*.sharepoint.com')).toMatchObject({
      serviceArea: 'SharePoint',
      category: 'Optimize',
    });
    for (const none of [documentation, example]) {
      expect(none).toMatchObject({ category: null, matches: [] });
    }
  });

  it('another stored version and another instance answer from their own data', async () => {
    const oldest = worldwide.at(-1)!;
    const old = await lookups.lookup('Worldwide', ['52.112.0.1'], oldest.version);
    expect(old.version).toBe(oldest.version);
    const address = parseCidr('52.112.0.1/32');
    const listing = oldest.sets.filter((s) =>
      s.ips?.some((ip) => cidrContains(parseCidr(ip), address)),
    );
    expect(listing.length).toBeGreaterThan(0);
    expect(old.results[0]!.matches.map((m) => m.id).sort((a, b) => a - b)).toEqual(
      listing.map((s) => s.id),
    );
    const china = await lookups.lookup('China', ['partner.outlook.cn', '52.112.0.1']);
    expect(china.results[0]).toMatchObject({ category: 'Optimize' });
    expect(china.results[0]!.matches.map((m) => m.serviceArea)).toContain('Exchange');
    expect(china.results[1]).toMatchObject({ category: null, matches: [] });
  });

  it('prepared: the answer as JSON, once per distinct question', async () => {
    const prepared = await lookups.prepared('Worldwide', ['52.112.0.1']);
    expect(JSON.parse(prepared.body.toString('utf8'))).toEqual(
      await lookups.lookup('Worldwide', ['52.112.0.1']),
    );
    expect(prepared.cacheControl).toBe('no-cache');
    expect(await lookups.prepared('WORLDWIDE', ['52.112.0.1'])).toBe(prepared);
    expect((await lookups.prepared('Worldwide', ['52.112.0.2'])).etag).not.toBe(prepared.etag);
  });
});

describe('refusals', () => {
  it('a malformed query, naming each bad one; none; too many', async () => {
    await expect(
      lookups.lookup('Worldwide', ['52.112.0.1', 'not a host!', 'https://']),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_PARAMETER',
      message: expect.stringMatching(/q "not a host!" is not .*; q "https:\/\/" is not/),
    });
    await expect(lookups.lookup('Worldwide', [])).rejects.toMatchObject({
      code: 'ERR_MISSING_PARAMETER',
    });
    const many = Array.from({ length: MAX_QUERIES + 1 }, (_, i) => `10.0.0.${i % 250}`);
    await expect(lookups.lookup('Worldwide', many)).rejects.toMatchObject({
      code: 'ERR_INVALID_PARAMETER',
    });
  });

  it('an unknown instance, a version not stored, a malformed version', async () => {
    await expect(lookups.lookup('Mars', ['52.112.0.1'])).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_INSTANCE',
    });
    await expect(lookups.lookup('Worldwide', ['52.112.0.1'], '2000010100')).rejects.toMatchObject({
      code: 'ERR_VERSION_NOT_FOUND',
    });
    await expect(lookups.lookup('Worldwide', ['52.112.0.1'], 'latest')).rejects.toMatchObject({
      code: 'ERR_INVALID_VERSION',
    });
  });
});
