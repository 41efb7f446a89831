/**
 * Observed addresses (issue 12) in device outputs: observations stored for URL-only sets of
 * Worldwide 2025013000 (aka.ms, set 17; admin.onedrive.com, set 35) appear with
 * `--include-observed` / `includeObserved`, each labelled with the name and last-seen day, are
 * never merged into Microsoft's prefixes, and never reach the wire routes. The files are loaded by
 * the real programs (nft -c, ipset restore and iptables-restore --test in a network namespace).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import { openCatalog } from '../../src/service/catalog.js';
import { exportEndpoints, type ExportRequest } from '../../src/service/export.js';
import { createLookupService } from '../../src/service/lookup.js';
import { readBundled } from '../helpers/bundled-data.js';
import { CLIENT_ID, appendSets, startTestServer, type TestServer } from '../helpers/server.js';
import { describeWith, hasCommand } from '../helpers/system.js';
import { runInProcess } from '../cli/run-cli.js';

const SEEN = '2026-11-01T10:00:00.000Z';
let server: TestServer;
let store: Store;
const dir = mkdtempSync(join(tmpdir(), 'ipurl-observed-'));

async function fill(target: Store): Promise<void> {
  await appendSets(target, 'Worldwide', '2025013000', readBundled('Worldwide', '2025013000'));
  await target.recordObservations('Worldwide', SEEN, [
    { setId: 17, name: 'aka.ms', address: '20.70.246.20', family: 4, ttl: 300 },
    { setId: 17, name: 'aka.ms', address: '2603:1030:b:3::152', family: 6, ttl: 300 },
    { setId: 35, name: 'admin.onedrive.com', address: '13.107.42.12', family: 4, ttl: 300 },
  ]);
}

beforeAll(async () => {
  server = await startTestServer({ seed: 'none', prepare: fill });
  const { createSqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
  store = await createSqliteStore({ filename: join(dir, 'own.db') });
  await fill(store);
});
afterAll(async () => {
  await store.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(request: Partial<ExportRequest>) {
  return exportEndpoints(await openCatalog(store), {
    instance: 'Worldwide',
    target: 'nftables',
    device: { includeObserved: true, observations: store },
    ...request,
  });
}

describe('observed addresses in exports', () => {
  it('nftables: each observed address its own element with its origin; summary counts them', async () => {
    const outcome = await run({});
    const text = outcome.files[0]!.content;
    expect(text).toContain('20.70.246.20/32 comment "observed: aka.ms, last seen 2026-11-01"');
    expect(text).toContain(
      '2603:1030:b:3::152/128 comment "observed: aka.ms, last seen 2026-11-01"',
    );
    expect(text).toMatch(/# Selection: observed addresses \(ipurl observe\): included \(3\)/);
    const l = outcome.summary.labelled;
    expect(l.observed + l.covered).toBe(3);
    expect(l.entries.map((e) => e.value)).toContain('20.70.246.20/32');
    const plain = await run({ device: undefined });
    expect(plain.files[0]!.content).not.toContain('20.70.246.20');
  });

  it('ipset, iptables, openvpn: a # line naming the origin precedes each observed entry', async () => {
    const ipset = (await run({ target: 'ipset' })).files[0]!.content;
    expect(ipset).toMatch(
      /# observed: aka\.ms, last seen 2026-11-01\nadd m365-default-v4-tmp 20\.70\.246\.20\/32\n/,
    );
    const ipt = (await run({ target: 'iptables' })).files[0]!.content;
    expect(ipt).toMatch(
      /# observed: aka\.ms, last seen 2026-11-01\n-A M365-DEFAULT -d 20\.70\.246\.20\/32 /,
    );
    const ovpn = (await run({ target: 'openvpn', categories: ['Default'], push: true })).files[0]!
      .content;
    expect(ovpn).toMatch(
      /^# observed: aka\.ms, last seen 2026-11-01\npush "route 20\.70\.246\.20 255\.255\.255\.255 net_gateway"$/m,
    );
  });

  describeWith(
    'nft, ipset, iptables-restore (root, unshare)',
    hasCommand('nft') && hasCommand('ipset') && process.getuid?.() === 0,
  )('real programs', () => {
    it('nft -c, ipset restore and iptables-restore --test accept the files with observed entries', async () => {
      const nftFile = join(dir, 'm365.nft');
      writeFileSync(nftFile, (await run({})).files[0]!.content);
      const nft = spawnSync('nft', ['-c', '-f', nftFile], { encoding: 'utf8' });
      expect(nft.stderr).toBe('');
      expect(nft.status).toBe(0);

      const ipsetFile = join(dir, 'm365.ipset');
      writeFileSync(ipsetFile, (await run({ target: 'ipset' })).files[0]!.content);
      const loaded = spawnSync(
        'unshare',
        ['-n', 'sh', '-c', `ipset restore -f ${ipsetFile} && ipset list m365-default-v4`],
        { encoding: 'utf8' },
      );
      expect(loaded.stderr).toBe('');
      expect(loaded.stdout).toMatch(/^20\.70\.246\.20$/m);

      const ipt = await run({ target: 'iptables' });
      const iptFile = join(dir, 'm365.iptables');
      writeFileSync(iptFile, ipt.files[0]!.content);
      const checked = spawnSync('iptables-restore', ['--test', iptFile], { encoding: 'utf8' });
      expect(checked.stderr).toBe('');
      expect(checked.status).toBe(0);
    });
  });

  it('CLI: export --include-observed writes them and counts them on stderr', async () => {
    const res = await runInProcess(['export', 'Worldwide', 'nftables', '--include-observed'], {
      IPURL_DB: server.dbFile,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('20.70.246.20/32 comment "observed: aka.ms');
    expect(res.stderr).toMatch(/labelled entries .*: \d observed, 0 in grace, 0 local/);
  });
});

describe('observed addresses over HTTP and in lookups', () => {
  it('GET /export?includeObserved and GET /lookup?includeObserved label them; /endpoints never has them', async () => {
    const exported = await server.get('/export/Worldwide/nftables?includeObserved=true');
    expect(exported.status).toBe(200);
    expect(exported.text).toContain('20.70.246.20/32 comment "observed: aka.ms');
    expect(Number(exported.headers['x-ipurl-observed'])).toBeGreaterThan(0);
    const plain = await server.get('/export/Worldwide/nftables');
    expect(plain.text).not.toContain('20.70.246.20');

    const looked = await server.get('/lookup/Worldwide?q=20.70.246.20&includeObserved=true');
    expect(looked.status).toBe(200);
    const result = looked.json().results[0];
    expect(result.category).toBe('Default');
    expect(result.matches).toEqual([
      expect.objectContaining({
        id: 17,
        matched: '20.70.246.20/32',
        origin: expect.objectContaining({ kind: 'observed', name: 'aka.ms', lastSeen: SEEN }),
      }),
    ]);
    const without = await server.get('/lookup/Worldwide?q=20.70.246.20');
    expect(without.json().results[0]).toMatchObject({ category: null, matches: [] });

    const wire = await server.get(
      `/endpoints/Worldwide?clientrequestid=${CLIENT_ID}&includeObserved=true`,
    );
    expect(wire.text).not.toContain('20.70.246.20');
  });

  it('a new observation shows in HTTP answers within a second (the cache keys on the observations)', async () => {
    const { createSqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
    const writer = await createSqliteStore({ filename: server.dbFile });
    try {
      await writer.recordObservations('Worldwide', '2026-11-02T10:00:00.000Z', [
        { setId: 17, name: 'aka.ms', address: '20.70.246.21', family: 4, ttl: 300 },
      ]);
    } finally {
      await writer.close();
    }
    // The server reads observations at most once a second per instance (recent-observations.ts):
    // poll, bounded in attempts, until the new one is in.
    const lookup = '/lookup/Worldwide?q=20.70.246.21&includeObserved=true';
    let looked = await server.get(lookup);
    for (
      let attempt = 0;
      attempt < 40 && looked.json().results[0].matches.length === 0;
      attempt++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      looked = await server.get(lookup);
    }
    expect(looked.json().results[0].matches[0].origin.kind).toBe('observed');
    const exported = await server.get('/export/Worldwide/nftables?includeObserved=true');
    expect(exported.text).toContain(
      '20.70.246.21/32 comment "observed: aka.ms, last seen 2026-11-02"',
    );
  });

  it('the lookup service: grace and observed matches carry their origin', async () => {
    const service = createLookupService(await openCatalog(store));
    const answer = await service.lookup('Worldwide', ['20.70.246.20', 'aka.ms'], undefined, {
      device: { includeObserved: true, observations: store },
    });
    expect(answer.results[0]!.matches[0]!.origin).toMatchObject({ kind: 'observed' });
    // The name itself is published data: no origin.
    expect(answer.results[1]!.matches.every((m) => m.origin === undefined)).toBe(true);
  });

  it('classify --include-observed counts requests to observed addresses, labelled, in --json and text', async () => {
    const log = join(dir, 'access.log');
    writeFileSync(
      log,
      [
        '1793527200.000    120 10.0.0.5 TCP_TUNNEL/200 5000 CONNECT 20.70.246.20:443 - HIER_DIRECT/20.70.246.20 -',
        '1793527201.000    120 10.0.0.5 TCP_TUNNEL/200 7000 CONNECT outlook.office365.com:443 - HIER_DIRECT/52.96.0.1 -',
        '1793527202.000    120 10.0.0.5 TCP_TUNNEL/200 9000 CONNECT 198.51.100.7:443 - HIER_DIRECT/198.51.100.7 -',
      ].join('\n') + '\n',
    );
    const env = { IPURL_DB: server.dbFile };
    const json = await runInProcess(['classify', log, '--include-observed', '--json'], env);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.labelled.observed).toEqual({ requests: 1, bytes: 5000 });
    expect(report.categories.unmatched.requests).toBe(1);
    const without = JSON.parse((await runInProcess(['classify', log, '--json'], env)).stdout);
    expect(without.labelled).toBeUndefined();
    expect(without.categories.unmatched.requests).toBe(2);
    const text = await runInProcess(['classify', log, '--include-observed'], env);
    expect(text.stdout).toMatch(/^observed\s+1\s+33\.3%/m);
  });
});
