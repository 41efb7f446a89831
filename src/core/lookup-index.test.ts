import { describe, expect, it } from 'vitest';
import { readBundled } from '../../test/helpers/bundled-data.js';
import type { EndpointSet } from './endpoint-set.js';
import {
  buildLookupIndex,
  parseIpv4,
  parseIpv6,
  parseLookupQuery,
  type LookupMatch,
  type LookupResult,
} from './lookup-index.js';

const latest = buildLookupIndex(readBundled('Worldwide', '2025013000'));
const tenantEra = buildLookupIndex(readBundled('Worldwide', '2020012800'));

function ok(result: ReturnType<typeof latest.lookup>): LookupResult {
  if ('ok' in result) throw new Error(`lookup failed: ${result.reason}`);
  return result;
}
const ids = (result: LookupResult) =>
  [...new Set(result.matches.map((m) => m.set.id))].sort((a, b) => a - b);

describe('address parsing', () => {
  it('parses IPv4 strictly', () => {
    expect(parseIpv4('52.112.0.1')).toBe(52 * 2 ** 24 + 112 * 2 ** 16 + 1);
    expect(parseIpv4('255.255.255.255')).toBe(2 ** 32 - 1);
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..2.3', '', 'a.b.c.d'])
      expect(parseIpv4(bad)).toBe(-1);
  });
  it('parses IPv6 forms', () => {
    expect(parseIpv6('2603:1063::1')).toEqual([0x26031063, 0, 0, 1]);
    expect(parseIpv6('::')).toEqual([0, 0, 0, 0]);
    expect(parseIpv6('::ffff:1.2.3.4')).toEqual([0, 0, 0xffff, 0x01020304]);
    expect(parseIpv6('fe80::1%eth0')).toEqual([0xfe800000, 0, 0, 1]);
    for (const bad of ['1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7', ':::'])
      expect(parseIpv6(bad)).toBeUndefined();
  });
  it('classifies queries and names what is wrong', () => {
    expect(parseLookupQuery('HTTPS://Outlook.Office.com:443/owa?x=1')).toEqual({
      ok: true,
      kind: 'host',
      host: 'outlook.office.com',
    });
    expect(parseLookupQuery('outlook.office.com/mail')).toEqual({
      ok: true,
      kind: 'host',
      host: 'outlook.office.com',
    });
    expect(parseLookupQuery('[2603:1063::1]:443')).toMatchObject({ ok: true, kind: 'ipv6' });
    expect(parseLookupQuery('999.1.1.1')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('IPv4'),
    });
    expect(parseLookupQuery('not a host')).toMatchObject({ ok: false });
    expect(parseLookupQuery('')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('empty'),
    });
  });
});

describe('IP lookups on Worldwide 2025013000', () => {
  it('finds every set of an address listed in several, and applies Optimize over Allow', () => {
    const r = ok(latest.lookup('13.107.6.152'));
    expect(ids(r)).toEqual([1, 2]);
    expect(r.category).toBe('Optimize');
    expect(r.matches[0]!.matched).toBe('13.107.6.152/31');
    expect(r.matches.map((m) => m.set.category)).toEqual(['Optimize', 'Allow']);
  });
  it('covers the whole prefix and nothing outside it', () => {
    expect(ok(latest.lookup('13.107.6.153')).category).toBe('Optimize'); // last address of /31
    expect(
      ok(latest.lookup('13.107.6.154')).matches.filter((m) => m.matched === '13.107.6.152/31'),
    ).toEqual([]);
    expect(ids(ok(latest.lookup('52.115.255.255')))).toContain(11); // end of 52.112.0.0/14
    expect(
      ok(latest.lookup('52.116.0.0')).matches.filter((m) => m.matched === '52.112.0.0/14'),
    ).toEqual([]);
    const outside = ok(latest.lookup('8.8.8.8'));
    expect(outside.matches).toEqual([]);
    expect(outside.category).toBeNull();
    expect(ok(latest.lookup('0.0.0.0')).matches).toEqual([]);
    expect(ok(latest.lookup('255.255.255.255')).matches).toEqual([]);
  });
  it('looks up IPv4-mapped IPv6 as IPv4', () => {
    const mapped = ok(latest.lookup('::ffff:52.112.0.1'));
    expect(mapped.kind).toBe('ipv4');
    expect(mapped.normalized).toBe('52.112.0.1');
    expect(mapped.mappedFrom).toBe('::ffff:52.112.0.1');
    expect(ids(mapped)).toEqual(ids(ok(latest.lookup('52.112.0.1'))));
    expect(ids(ok(latest.lookup('::ffff:3470:1')))).toEqual(ids(mapped)); // hex form of 52.112.0.1
  });
  it('looks up IPv6 prefixes including /128s', () => {
    const r = ok(latest.lookup('2603:1063::1'));
    expect(ids(r)).toContain(11);
    expect(r.matches.find((m) => m.set.id === 11)!.matched).toBe('2603:1063::/38');
    expect(ids(ok(latest.lookup('2620:1ec:a92::153')))).toContain(1);
    expect(
      ok(latest.lookup('2620:1ec:a92::154')).matches.filter(
        (m) => m.matched === '2620:1ec:a92::153/128',
      ),
    ).toEqual([]);
    expect(ok(latest.lookup('2001:db8::1')).matches).toEqual([]);
  });
});

describe('host lookups follow the data wildcard semantics', () => {
  it('exact names, any case, trailing dot, URLs', () => {
    for (const q of [
      'outlook.office.com',
      'OUTLOOK.Office.COM.',
      'https://outlook.office.com/owa/',
      'outlook.office.com:443',
    ]) {
      const r = ok(latest.lookup(q));
      expect(r.normalized).toBe('outlook.office.com');
      expect(ids(r)).toContain(1);
      expect(r.category).toBe('Optimize');
    }
  });
  it('*.x.com matches subdomains at any depth but not x.com itself', () => {
    const sub = ok(latest.lookup('a.b.protection.outlook.com'));
    expect(sub.matches.some((m) => m.matched === '*.protection.outlook.com')).toBe(true);
    const apex = ok(latest.lookup('protection.outlook.com'));
    expect(apex.matches.some((m) => m.matched === '*.protection.outlook.com')).toBe(false);
    expect(apex.matches.some((m) => m.matched === '*.outlook.com')).toBe(true);
  });
  it('a wildcard inside a label: *cdn.onenote.net', () => {
    expect(ok(latest.lookup('foocdn.onenote.net')).matches.map((m) => m.matched)).toContain(
      '*cdn.onenote.net',
    );
    expect(ok(latest.lookup('x.cdn.onenote.net')).matches.map((m) => m.matched)).toContain(
      '*cdn.onenote.net',
    );
    expect(ok(latest.lookup('cdn.onenote.net')).matches.map((m) => m.matched)).toContain(
      '*cdn.onenote.net',
    ); // * may be empty
    expect(ok(latest.lookup('foocdn.onenote.com')).matches.map((m) => m.matched)).not.toContain(
      '*cdn.onenote.net',
    );
  });
  it('a tenant placeholder in the middle: autodiscover.<tenant>.onmicrosoft.com, one label only', () => {
    const r = ok(latest.lookup('autodiscover.contoso.onmicrosoft.com'));
    expect(r.matches.map((m) => `${m.set.id} ${m.matched}`)).toEqual(
      expect.arrayContaining(['8 autodiscover.<tenant>.onmicrosoft.com', '78 *.onmicrosoft.com']),
    );
    const deep = ok(latest.lookup('autodiscover.a.b.onmicrosoft.com'));
    expect(deep.matches.map((m) => m.matched)).not.toContain(
      'autodiscover.<tenant>.onmicrosoft.com',
    );
  });
  it('leading tenant placeholders: <tenant>.sharepoint.com and <tenant>-my.sharepoint.com (2020 data)', () => {
    expect(tenantEra.lookup('contoso.sharepoint.com')).toMatchObject({ category: 'Optimize' });
    expect(ok(tenantEra.lookup('contoso-my.sharepoint.com')).matches.map((m) => m.matched)).toEqual(
      expect.arrayContaining(['<tenant>-my.sharepoint.com', '<tenant>.sharepoint.com']),
    );
    expect(
      ok(tenantEra.lookup('contoso-files.sharepoint.com')).matches.map((m) => m.matched),
    ).toContain('<tenant>-files.sharepoint.com');
    expect(ok(tenantEra.lookup('a.b.sharepoint.com')).matches.map((m) => m.matched)).not.toContain(
      '<tenant>.sharepoint.com',
    );
  });
  it('unknown hosts and bad queries', () => {
    expect(ok(latest.lookup('example.org')).category).toBeNull();
    expect(latest.lookup('exa mple.org')).toMatchObject({ ok: false, query: 'exa mple.org' });
  });
});

describe('index agrees with a linear scan on every address and pattern of the data', () => {
  it('every listed prefix start and end resolves to at least its own sets', () => {
    const sets: EndpointSet[] = readBundled('Worldwide', '2025013000');
    for (const set of sets) {
      for (const cidr of set.ips ?? []) {
        const address = cidr.split('/')[0]!;
        expect(ids(ok(latest.lookup(address)))).toContain(set.id);
      }
      for (const url of set.urls ?? []) {
        const host = url.replace('<tenant>', 'contoso').replace(/\*/g, 'x');
        expect(ids(ok(latest.lookup(host)))).toContain(set.id);
      }
    }
  });
});

describe('index equals a brute-force scan on random addresses (every Worldwide version)', () => {
  // Deterministic PRNG: the same addresses on every run.
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  /** (set, prefix) pairs in one comparable form, for the index and the brute-force scan alike. */
  const pairsOf = (found: ReadonlyArray<{ id: number; ip: string }>): string[] =>
    found.map(({ id, ip }) => `${id} ${ip}`).sort();
  const matchedPairs = (matches: readonly LookupMatch[]): string[] =>
    pairsOf(matches.map((m) => ({ id: m.set.id, ip: m.matched })));
  it('IPv4 and IPv6: the same (set, prefix) pairs as testing every prefix', async () => {
    const { bundledVersions } = await import('../../test/helpers/bundled-data.js');
    for (const version of bundledVersions('Worldwide')) {
      const sets = readBundled('Worldwide', version);
      const index = buildLookupIndex(sets);
      const v4 = sets.flatMap((s) =>
        (s.ips ?? []).filter((ip) => !ip.includes(':')).map((ip) => ({ id: s.id, ip })),
      );
      const v6 = sets.flatMap((s) =>
        (s.ips ?? []).filter((ip) => ip.includes(':')).map((ip) => ({ id: s.id, ip })),
      );
      for (let i = 0; i < 300; i += 1) {
        // Half near a published prefix, half anywhere.
        const base = v4[Math.floor(next() * v4.length)];
        const address =
          i % 2 === 0 && base !== undefined
            ? parseIpv4(base.ip.split('/')[0]!) + Math.floor(next() * 4096) - 2048
            : Math.floor(next() * 2 ** 32);
        if (address < 0 || address >= 2 ** 32) continue;
        const covering = v4.filter(({ ip }) => {
          const [a = '', l = '32'] = ip.split('/');
          const size = 2 ** (32 - Number(l));
          const start = parseIpv4(a) - (parseIpv4(a) % size);
          return address >= start && address < start + size;
        });
        expect(matchedPairs(index.lookupIpv4(address)), `${version} ${address}`).toEqual(
          pairsOf(covering),
        );
      }
      for (const { ip } of v6.slice(0, 40)) {
        const [a = '', l = '128'] = ip.split('/');
        const words = parseIpv6(a)!;
        const probe: [number, number, number, number] = [
          words[0],
          words[1],
          words[2],
          words[3] + (Number(l) < 128 ? 1 : 0),
        ];
        const toBig = (w: readonly number[]) => w.reduce((acc, x) => (acc << 32n) + BigInt(x), 0n);
        const p = toBig(probe);
        const covering = v6.filter(({ ip: cidr }) => {
          const [b = '', m = '128'] = cidr.split('/');
          const shift = 128n - BigInt(m);
          return toBig(parseIpv6(b)!) >> shift === p >> shift;
        });
        expect(matchedPairs(index.lookupIpv6(probe)), `${version} ${ip}`).toEqual(
          pairsOf(covering),
        );
      }
    }
  }, 120_000);
});
