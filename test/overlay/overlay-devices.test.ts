/**
 * The local overlay in every device output, over the real Worldwide latest (2025092900): an
 * addition (10.20.0.0/16 for an internal proxy, relaxing rule private; proxy.contoso.net) appears
 * marked local with the overlay revision in nftables (nft -c), ipset, Squid (squid -k parse), PAC
 * (pacparser) and lookup; the exclusions of set 56 and of *.yammer.com remove exactly those
 * entries there, while the wire answer stays byte-identical. The history lists each change.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import { filterEndpointSets } from '../../src/core/filters.js';
import { openCatalog } from '../../src/service/catalog.js';
import { exportEndpoints, type ExportRequest } from '../../src/service/export.js';
import { createLookupService } from '../../src/service/lookup.js';
import { changeOverlay, listOverlay } from '../../src/service/overlay.js';
import { createPacService, parsePacParameters } from '../../src/service/pac.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readBundled } from '../helpers/bundled-data.js';
import { appendSets } from '../helpers/server.js';
import { describeWith, hasCommand, hasPythonModule } from '../helpers/system.js';
import { expectNftChecks, expectSquidParses } from '../export/real-programs.js';
import { evaluatePacs } from '../pac/pacparser.js';

const VERSION = '2025092900';
const dir = mkdtempSync(join(tmpdir(), 'ipurl-overlay-dev-'));
let store: Store;
/** Exports and PAC before any overlay change. */
let plainNft: string;
let plainPac: string;
let wireBefore: string;

const SET_56_ONLY = [
  'graph.windows.net',
  'login.windows.net',
  'autologon.microsoftazuread-sso.com',
];
const PAC_PARAMS = parsePacParameters({
  routes: ['Optimize=DIRECT', 'Allow=DIRECT', 'Default=DIRECT'],
});

async function exportOf(request: Partial<ExportRequest>) {
  return exportEndpoints(await openCatalog(store), {
    instance: 'Worldwide',
    target: 'nftables',
    ...request,
  });
}

async function wire(): Promise<string> {
  const sets = (await store.getEndpointSets('Worldwide', VERSION))!;
  return JSON.stringify(filterEndpointSets(sets));
}

beforeAll(async () => {
  store = await createSqliteStore({ filename: join(dir, 'overlay.db') });
  await appendSets(store, 'Worldwide', VERSION, readBundled('Worldwide', VERSION));
  plainNft = (await exportOf({})).files[0]!.content;
  plainPac = (await createPacService(await openCatalog(store)).render('Worldwide', PAC_PARAMS))
    .text;
  wireBefore = await wire();
  const by = { by: 'alice' };
  await changeOverlay(store, 'Worldwide', {
    action: 'add',
    ips: ['10.20.0.0/16'],
    category: 'Optimize',
    tcpPorts: '443',
    allow: ['private'],
    note: 'internal proxy',
    ...by,
  });
  await changeOverlay(store, 'Worldwide', {
    action: 'add',
    urls: ['proxy.contoso.net'],
    category: 'Allow',
    tcpPorts: '8080',
    ...by,
  });
  await changeOverlay(store, 'Worldwide', {
    action: 'exclude',
    setIds: [56],
    note: 'identity via our own IdP proxy',
    ...by,
  });
  await changeOverlay(store, 'Worldwide', {
    action: 'exclude',
    urls: ['*.yammer.com'],
    note: 'Yammer blocked',
    ...by,
  });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local overlay in device outputs (Worldwide 2025092900)', () => {
  it('the history lists each change with who, when, why', async () => {
    const listing = await listOverlay(store, 'worldwide');
    expect(listing.active.revision).toBe(4);
    expect(listing.history.map((c) => [c.id, c.entry.action, c.by, c.note])).toEqual([
      [1, 'add', 'alice', 'internal proxy'],
      [2, 'add', 'alice', ''],
      [3, 'exclude', 'alice', 'identity via our own IdP proxy'],
      [4, 'exclude', 'alice', 'Yammer blocked'],
    ]);
    expect(listing.history[0]!.relaxedRules).toEqual(['private']);
  });

  it('nftables: the addition marked local, set 56 gone, the header names the overlay revision', async () => {
    const result = await exportOf({});
    const text = result.files[0]!.content;
    expect(text).toContain('10.20.0.0/16 comment "local: overlay revision 4.change-1"');
    expect(text).toMatch(
      /# Selection: local overlay revision 4: 2 addition\(s\) labelled local; excluded 1 set\(s\), 1 URL\(s\), 0 prefix\(es\)/,
    );
    expect(plainNft).toContain('20.190.128.0/18');
    expect(text).not.toContain('20.190.128.0/18');
    expect(result.summary.labelled.local).toBe(1);
  });

  it('ipset: the addition with a # line naming the overlay revision', async () => {
    const text = (await exportOf({ target: 'ipset' })).files[0]!.content;
    expect(text).toMatch(/# local: overlay revision 4\.change-1\n.*10\.20\.0\.0\/16/);
    expect(text).not.toContain('40.126.0.0/18');
  });

  it('squid: proxy.contoso.net marked local, *.yammer.com and set 56 hosts gone', async () => {
    const files = (await exportOf({ target: 'squid' })).files;
    const all = files.map((f) => f.content).join('\n');
    expect(all).toContain('# local: overlay revision 4.change-2\nproxy.contoso.net\n');
    expect(all).not.toMatch(/^\.yammer\.com$/m);
    expect(all).toMatch(/^\.yammerusercontent\.com$/m);
    for (const host of SET_56_ONLY)
      expect(all).not.toMatch(new RegExp(`^${host.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('lookup: the addition matches, marked local; excluded entries do not match', async () => {
    const lookup = createLookupService(await openCatalog(store));
    const answer = await lookup.lookup('Worldwide', [
      '10.20.3.4',
      'proxy.contoso.net',
      'graph.windows.net',
      'www.yammer.com',
      '20.190.130.1',
    ]);
    const [ip, proxy, graph, yammer, s56ip] = answer.results;
    expect(ip!.matches).toEqual([
      expect.objectContaining({
        category: 'Optimize',
        origin: { kind: 'local', revision: '4.change-1' },
      }),
    ]);
    expect(proxy!.matches).toEqual([
      expect.objectContaining({
        category: 'Allow',
        origin: { kind: 'local', revision: '4.change-2' },
      }),
    ]);
    expect(graph!.matches).toEqual([]);
    expect(yammer!.matches).toEqual([]);
    expect(s56ip!.matches).toEqual([]);
  });

  it('the wire answer stays byte-identical', async () => {
    expect(await wire()).toBe(wireBefore);
  });

  describeWith('nft and squid', hasCommand('nft') && hasCommand('squid'))('real programs', () => {
    it('nft -c and squid -k parse accept the files with the overlay', async () => {
      const nftFile = join(dir, 'm365.nft');
      writeFileSync(nftFile, (await exportOf({})).files[0]!.content);
      expectNftChecks(nftFile);
      const squidDir = join(dir, 'squid');
      expectSquidParses(squidDir, (await exportOf({ target: 'squid', squidDir })).files);
    });
  });
});

describeWith('pacparser (python3-pacparser)', hasPythonModule('pacparser'))(
  'PAC with the overlay',
  () => {
    it('the added host is routed, the excluded hosts are not, both marked in comments', async () => {
      const pac = (await createPacService(await openCatalog(store)).render('Worldwide', PAC_PARAMS))
        .text;
      expect(pac).toContain('local: overlay revision 4.change-2');
      // The PAC names the overlay revision and what it excluded, not only its additions.
      expect(pac).toMatch(
        /^\/\/ Selection: local overlay revision 4: 2 addition\(s\) labelled local; excluded 1 set\(s\), 1 URL\(s\)/m,
      );
      // A local entry belongs to no Microsoft set: its comment names the overlay change only.
      expect(pac).toMatch(/^\/\/ {3}proxy\.contoso\.net local: overlay revision 4\.change-2$/m);
      expect(plainPac).not.toContain('Selection:');
      const hosts = [
        'proxy.contoso.net',
        'www.yammer.com',
        ...SET_56_ONLY,
        'outlook.office365.com',
        'example.org',
      ];
      const results = await evaluatePacs([
        { name: 'plain', pac: plainPac, hosts },
        { name: 'overlay', pac, hosts },
      ]);
      const plain = results.get('plain')!;
      const overlay = results.get('overlay')!;
      expect(plain.slice(1, 5)).toEqual(['DIRECT', 'DIRECT', 'DIRECT', 'DIRECT']);
      expect(overlay[0]).toBe('DIRECT');
      expect(plain[0]).toBe(plain.at(-1)); // proxy.contoso.net was not Microsoft 365 before
      for (const i of [1, 2, 3, 4]) expect(overlay[i], hosts[i]).toBe(plain.at(-1));
      expect(overlay[5]).toBe('DIRECT');
      expect(overlay[6]).toBe(plain[6]);
    });
  },
);
