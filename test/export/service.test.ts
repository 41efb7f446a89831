/**
 * The export service over real bundled data in an in-memory catalog source: selection filters, pending
 * additions, aggregation never across categories or ports, file selection and clear errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cidrContains, cidrRange, parseCidr, type Cidr } from '../../src/core/cidr.js';
import { diffVersions } from '../../src/core/diff.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import type { CatalogSource } from '../../src/service/catalog.js';
import { MemoryCatalogSource } from '../../src/store/memory/memory-catalog-source.js';
import { readBundled } from '../helpers/bundled-data.js';
import { GOLDEN_VERSION, run, sourceWith } from './fixture.js';

interface Row {
  setId: number;
  serviceArea: string;
  category: string;
  required: boolean;
  kind: string;
  value: string;
  tcpPorts: string | null;
  udpPorts: string | null;
}

let source: CatalogSource;
const sets = readBundled('Worldwide', GOLDEN_VERSION);
beforeAll(async () => {
  source = await sourceWith([{ instance: 'Worldwide', version: GOLDEN_VERSION }]);
});

async function rows(request: Record<string, unknown> = {}): Promise<Row[]> {
  const outcome = await run(source, { instance: 'Worldwide', target: 'json', ...request });
  return JSON.parse(outcome.files[0]!.content) as Row[];
}

describe('selection', () => {
  it('without filters: one row per address of every set, kinds split', async () => {
    const all = await rows();
    const expected = sets.reduce((n, s) => n + (s.urls?.length ?? 0) + (s.ips?.length ?? 0), 0);
    expect(all).toHaveLength(expected);
    expect(new Set(all.map((r) => r.kind))).toEqual(new Set(['url', 'ipv4', 'ipv6']));
    expect(
      all.every((r) => (r.kind === 'ipv6') === r.value.includes(':') || r.kind === 'url'),
    ).toBe(true);
  });

  it('categories, service areas (Common always), required only', async () => {
    const optimize = await rows({ categories: ['Optimize'] });
    expect(optimize.length).toBeGreaterThan(0);
    expect(new Set(optimize.map((r) => r.category))).toEqual(new Set(['Optimize']));
    const exchange = await rows({ serviceAreas: ['Exchange'] });
    expect(new Set(exchange.map((r) => r.serviceArea))).toEqual(new Set(['Exchange', 'Common']));
    const required = await rows({ requiredOnly: true });
    expect(required.every((r) => r.required)).toBe(true);
    expect(required.length).toBeLessThan((await rows()).length);
  });

  it('family 4 drops IPv6, family 6 drops IPv4; host patterns stay', async () => {
    const v4 = await rows({ family: 4 });
    expect(v4.some((r) => r.kind === 'ipv6')).toBe(false);
    expect(v4.some((r) => r.kind === 'ipv4')).toBe(true);
    expect(v4.some((r) => r.kind === 'url')).toBe(true);
    const v6 = await rows({ family: 6 });
    expect(v6.some((r) => r.kind === 'ipv4')).toBe(false);
    expect(v6.some((r) => r.kind === 'ipv6')).toBe(true);
  });

  it('TenantName is substituted at the placeholder only, and validated', async () => {
    const urls = (await rows({ tenantName: 'Contoso' }))
      .filter((r) => r.kind === 'url')
      .map((r) => r.value);
    expect(urls).toContain('autodiscover.contoso.onmicrosoft.com');
    expect(urls).toContain('*.outlook.com');
    expect(urls.some((u) => u.includes('<tenant>'))).toBe(false);
    const plain = (await rows()).filter((r) => r.kind === 'url').map((r) => r.value);
    expect(plain).toContain('autodiscover.*.onmicrosoft.com');
    await expect(
      run(source, { instance: 'Worldwide', target: 'json', tenantName: 'bad name"' }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_TENANT_NAME',
    });
  });
});

describe('aggregation on real data', () => {
  it('merges only within a (category, ports, family) bucket; the same prefix stays in every category', async () => {
    const outcome = await run(source, {
      instance: 'Worldwide',
      target: 'nftables',
      version: GOLDEN_VERSION,
    });
    const merges = outcome.summary.merges;
    expect(merges.length).toBeGreaterThan(0);
    for (const merge of merges) {
      const [category] = merge.bucket.split(' ');
      // Every input of the merge is published in a set of that category with those ports.
      for (const from of merge.from) {
        const owners = sets.filter((s) => (s.ips ?? []).some((ip) => parseCidr(ip).text === from));
        expect(
          owners.some((s) => s.category === category),
          `${from} in ${merge.bucket}`,
        ).toBe(true);
      }
      // The merged prefix covers exactly its inputs: sizes add up (no widening).
      const size = (text: string): bigint => {
        const { first, last } = cidrRange(parseCidr(text));
        return last - first + 1n;
      };
      expect(merge.from.reduce((n, f) => n + size(f), 0n)).toBe(size(merge.into));
    }
    // 2620:1ec:4::152/127 is merged in Optimize (80,443/443) AND in Allow (IMAP/SMTP ports): two
    // buckets, two merges, never one merge across them.
    const pair = merges.filter((m) => m.into === '2620:1ec:4::152/127');
    expect(pair.map((m) => m.bucket.split(' ')[0]).sort()).toEqual(['Allow', 'Optimize']);
    const nft = outcome.files[0]!.content;
    const optimizeSets = nft
      .split('\n\tset ')
      .filter((block) => block.includes('comment "Optimize'));
    expect(optimizeSets.some((block) => block.includes('2620:1ec:4::152/127'))).toBe(true);
  });

  it('every written prefix lies inside a published prefix of its own category (no cross-category widening)', async () => {
    const outcome = await run(source, {
      instance: 'Worldwide',
      target: 'cisco',
      version: GOLDEN_VERSION,
    });
    const text = outcome.files[0]!.content;
    let category = '';
    for (const line of text.split('\n')) {
      const group = /^object-group network M365-(\w+)-V[46]$/.exec(line);
      if (group) category = group[1]!;
      const v6 = /^ network-object (?:host )?([0-9a-f:]+(?:\/\d+)?)$/.exec(line);
      const v4 = /^ network-object (?:host )?(\d+\.\d+\.\d+\.\d+)(?: (\d+\.\d+\.\d+\.\d+))?$/.exec(
        line,
      );
      let cidr: Cidr | undefined;
      if (v4) {
        const bits =
          v4[2] === undefined
            ? 32
            : v4[2]
                .split('.')
                .reduce((n, o) => n + Number(o).toString(2).replace(/0/g, '').length, 0);
        cidr = parseCidr(`${v4[1]}/${bits}`);
      } else if (v6) cidr = parseCidr(v6[1]!);
      if (cidr === undefined) continue;
      const own = sets
        .filter((s) => s.category.toUpperCase() === category)
        .flatMap((s) => s.ips ?? [])
        .map(parseCidr);
      // Covered by the union of the category's own prefixes: check first and last address.
      const { first, last } = cidrRange(cidr);
      for (const address of [first, last]) {
        expect(
          own.some((p) => cidrContains(p, { family: cidr.family, value: address })),
          `${cidr.text} in ${category}`,
        ).toBe(true);
      }
    }
  });

  it('--no-aggregate writes each distinct prefix as published', async () => {
    const outcome = await run(source, {
      instance: 'Worldwide',
      target: 'nftables',
      version: GOLDEN_VERSION,
      aggregate: false,
    });
    expect(outcome.summary.merges).toEqual([]);
    expect(outcome.files[0]!.content).toContain('2620:1ec:4::153/128');
    expect(outcome.files[0]!.content).toContain('Aggregation: off');
  });
});

describe('pending additions (effective date in the future)', () => {
  const pendingSource = new MemoryCatalogSource();
  const previous: EndpointSet[] = readBundled('Worldwide', '2024073100');
  const next: EndpointSet[] = readBundled('Worldwide', GOLDEN_VERSION);
  beforeAll(async () => {
    await pendingSource.appendVersion({
      instance: 'Worldwide',
      version: '2024073100',
      sets: previous,
      changes: [],
      expectedLatest: null,
      notify: false,
    });
    await pendingSource.appendVersion({
      instance: 'Worldwide',
      version: GOLDEN_VERSION,
      sets: next,
      changes: diffVersions(previous, next, { version: GOLDEN_VERSION, effectiveDate: '20250301' }),
      expectedLatest: '2024073100',
      notify: false,
    });
  });

  it('are left out before their date by default, included on request, live after it', async () => {
    const records = await pendingSource.getChanges('Worldwide', { version: GOLDEN_VERSION });
    const added = records.flatMap((r) =>
      [...(r.add?.ips ?? []), ...(r.add?.urls ?? [])].map((v) => `${r.endpointSetId} ${v}`),
    );
    expect(added.length).toBeGreaterThan(0);
    const key = (r: Row): string => `${r.setId} ${r.value}`;
    const get = async (
      now: string,
      includePending?: boolean,
    ): Promise<{ rows: Row[]; excluded: number; included: number }> => {
      const outcome = await run(pendingSource, {
        instance: 'Worldwide',
        target: 'json',
        now: new Date(now),
        ...(includePending ? { includePending } : {}),
      });
      return {
        rows: JSON.parse(outcome.files[0]!.content),
        excluded: outcome.pendingExcluded.length,
        included: outcome.pendingIncluded.length,
      };
    };
    const before = await get('2025-02-15T12:00:00Z');
    expect(before.excluded).toBe(added.length);
    const beforeKeys = new Set(before.rows.map(key));
    // A pending entry is gone from its set (URLs compared in publisher form: no <tenant> added here).
    for (const entry of added)
      if (!entry.includes('<tenant>')) expect(beforeKeys.has(entry), entry).toBe(false);
    const withPending = await get('2025-02-15T12:00:00Z', true);
    expect(withPending.included).toBe(added.length);
    expect(withPending.rows.length).toBe(before.rows.length + added.length);
    const after = await get('2025-03-01T12:00:00Z');
    expect(after.excluded).toBe(0);
    expect(after.rows.length).toBe(withPending.rows.length);
    // The header of a device file says what was left out.
    const nft = await run(pendingSource, {
      instance: 'Worldwide',
      target: 'nftables',
      now: new Date('2025-02-15T00:00:00Z'),
    });
    expect(nft.files[0]!.content).toContain(
      `pending additions (effective after 20250215): excluded (${added.length})`,
    );
  });
});

describe('errors and file selection', () => {
  it('names what was wrong and what is accepted', async () => {
    await expect(run(source, { instance: 'Worldwide', target: 'pf' })).rejects.toMatchObject({
      code: 'ERR_INVALID_PARAMETER',
      message: expect.stringContaining(
        'list, nftables, ipset, iptables, squid, f5, cisco, csv, json',
      ),
    });
    await expect(run(source, { instance: 'Mars', target: 'list' })).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_INSTANCE',
    });
    await expect(
      run(source, { instance: 'Worldwide', target: 'list', version: '2000010100' }),
    ).rejects.toMatchObject({ code: 'ERR_VERSION_NOT_FOUND' });
    await expect(
      run(source, { instance: 'Worldwide', target: 'nftables', name: 'x; flush ruleset' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_PARAMETER' });
    await expect(
      run(source, { instance: 'Worldwide', target: 'squid', squidDir: '/etc/squid/"x' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_PARAMETER' });
    await expect(
      run(source, { instance: 'Worldwide', target: 'list', file: 'ipv5' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('ipv4.txt, ipv6.txt, urls.txt'),
    });
  });

  it('the policy applies to the requested file only', async () => {
    const ipv4 = await run(source, { instance: 'Worldwide', target: 'list', file: 'ipv4' });
    expect(ipv4.files.map((f) => f.name)).toEqual(['ipv4.txt']);
    await expect(
      run(source, { instance: 'Worldwide', target: 'list', file: 'urls' }),
    ).rejects.toMatchObject({
      code: 'ERR_UNSUPPORTED_PATTERN',
      message: expect.stringContaining('*cdn.onenote.net'),
    });
    const skipped = await run(source, {
      instance: 'Worldwide',
      target: 'list',
      file: 'urls',
      onUnsupported: 'skip',
    });
    expect(skipped.summary.unsupported.map((u) => u.value).sort()).toEqual([
      '*cdn.onenote.net',
      'autodiscover.*.onmicrosoft.com',
    ]);
    expect(skipped.files[0]!.content).not.toContain('cdn.onenote.net');
    // Squid expresses both (dstdom_regex): no error by default.
    const squid = await run(source, { instance: 'Worldwide', target: 'squid' });
    const regex = squid.files.find((f) => f.name.endsWith('.dstdom_regex'))!.content;
    expect(regex).toContain('^autodiscover\\..*\\.onmicrosoft\\.com$');
    expect(regex).toContain('cdn\\.onenote\\.net$');
  });
});
