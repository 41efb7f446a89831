/**
 * Removal grace (issue 11) over two real consecutive bundled versions: Worldwide 2025092900
 * removed 52.238.119.141/32 and 52.244.160.207/32 from set 12, the whole of set 68 (four hosts)
 * and eight more host patterns of other sets: 14 entries. With `grace 14d` an export keeps them until 2025-10-13 (the version id's date plus 14
 * days), each with a comment naming the removing version and the day it leaves, and drops them
 * from that day on (fake clock). The files are checked by the real programs (nft -c, squid -k
 * parse); the CLI and HTTP answer a bad unit with exit 2 / 400 naming the flag, value and units.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store.js';
import { openCatalog } from '../../src/service/catalog.js';
import { exportEndpoints, type ExportRequest } from '../../src/service/export.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeWith, hasCommand, hasPythonModule } from '../helpers/system.js';
import { expectNftChecks, expectSquidParses } from '../export/real-programs.js';
import { evaluatePacs } from '../pac/pacparser.js';
import {
  QUERY_PARAMETER_NAMES,
  createPacService,
  parsePacParameters,
} from '../../src/service/pac.js';
import { runInProcess } from '../cli/run-cli.js';
import { appendGraceReplay } from '../helpers/grace-replay.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-grace-'));
const dbFile = join(dir, 'grace.db');
let store: Store;

beforeAll(async () => {
  store = await createSqliteStore({ filename: dbFile });
  await appendGraceReplay(store);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const DAY_IN = new Date('2025-10-12T23:00:00Z');
const DAY_OUT = new Date('2025-10-13T00:00:00Z');
const GRACE = 14 * 86_400;

async function run(request: Partial<ExportRequest>, now: Date) {
  return exportEndpoints(await openCatalog(store), {
    instance: 'Worldwide',
    target: 'nftables',
    now,
    ...request,
  });
}

describe('removal grace over Worldwide 2025013000 → 2025092900', () => {
  it('a cap the labelled entries alone fill is refused, never a bucket over the cap; one more entry fits', async () => {
    // Set 12's bucket (Allow IPv4 tcp 80,443) gets two grace entries: a cap of 2 leaves its
    // published prefixes nothing.
    await expect(run({ device: { graceSeconds: GRACE }, maxEntries: 2 }, DAY_IN)).rejects.toThrow(
      /max entries 2 cannot be met in bucket .*: its 2 labelled entries \(observed, grace, local\) leave no entry for its published prefixes; accepted: 3 or more/,
    );
    const capped = await run({ device: { graceSeconds: GRACE }, maxEntries: 3 }, DAY_IN);
    const sets = [...capped.files[0]!.content.matchAll(/elements = \{([^}]*)\}/g)];
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(set[1]!.split(',\n').length).toBeLessThanOrEqual(3);
  });

  it('nftables keeps the removed prefixes with a comment until the day they leave, then drops them', async () => {
    const kept = await run({ device: { graceSeconds: GRACE } }, DAY_IN);
    const text = kept.files[0]!.content;
    for (const prefix of ['52.238.119.141/32', '52.244.160.207/32'])
      expect(text).toContain(
        `${prefix} comment "grace: removed in 2025092900, leaves on 2025-10-13"`,
      );
    expect(text).toMatch(/# Labelled entries .*: 0 observed, 2 in grace, 0 local/);
    expect(text).toContain('#   52.238.119.141/32 set 12: grace: removed in 2025092900');
    expect(text).toMatch(
      /# Selection: removal grace 14d: 14 removed entries kept \(by version date, on 2025-10-12\)/,
    );
    expect(kept.summary.labelled.grace).toBe(2);
    // The set as it stood before the removal (2025013000: Allow, TCP 80,443 only).
    const set =
      /set (allow_v4_\d+) \{[^}]*comment "Allow IPv4 tcp 80,443,[^}]*52\.238\.119\.141\/32/.exec(
        text,
      );
    expect(set).not.toBeNull();

    const plain = await run({}, DAY_IN);
    expect(plain.files[0]!.content).not.toContain('52.238.119.141');
    const gone = await run({ device: { graceSeconds: GRACE } }, DAY_OUT);
    expect(gone.files[0]!.content).not.toContain('52.238.119.141');
    expect(gone.summary.labelled.grace).toBe(0);
    // Without grace the file is exactly the plain export's (labelled entries add, never change).
    expect(gone.files[0]!.content.replace(/^# Selection: removal grace.*\n/m, '')).toBe(
      (await run({}, DAY_OUT)).files[0]!.content,
    );
  });

  it('removed URLs (set 68, removed whole) stay in squid and csv, labelled, taken from the set before removal', async () => {
    const squid = await run({ target: 'squid', device: { graceSeconds: GRACE } }, DAY_IN);
    const acl = squid.files.find((f) => f.name === 'm365-default.dstdomain')!.content;
    expect(acl).toContain(
      '# grace: removed in 2025092900, leaves on 2025-10-13\nfirstpartyapps.oaspapps.com\n',
    );
    const csv = await run({ target: 'csv', device: { graceSeconds: GRACE } }, DAY_IN);
    const lines = csv.files[0]!.content.split('\r\n');
    expect(lines[0]).toMatch(/,notes,origin$/);
    expect(
      lines.filter((l) => l.endsWith(',"grace: removed in 2025092900, leaves on 2025-10-13"')),
    ).toHaveLength(14);
    expect(
      lines.find((l) => l.includes('wus-firstpartyapps.oaspapps.com'))!.startsWith('68,'),
    ).toBe(true);
  });

  describeWith('nft and squid', hasCommand('nft') && hasCommand('squid'))('real programs', () => {
    it('nft -c, squid -k parse and dnsmasq --test accept the files with grace entries', async () => {
      const nft = await run({ device: { graceSeconds: GRACE } }, DAY_IN);
      const nftFile = join(dir, 'm365.nft');
      writeFileSync(nftFile, nft.files[0]!.content);
      expectNftChecks(nftFile);

      const squidDir = join(dir, 'squid');
      const squid = await run(
        { target: 'squid', squidDir, device: { graceSeconds: GRACE } },
        DAY_IN,
      );
      expectSquidParses(squidDir, squid.files);

      if (hasCommand('dnsmasq')) {
        const dns = await run(
          { target: 'dnsmasq', onUnsupported: 'skip', device: { graceSeconds: GRACE } },
          DAY_IN,
        );
        const conf = dns.files.find((f) => f.name.endsWith('.dnsmasq.conf'))!;
        expect(conf.content).toMatch(
          /# grace: removed in 2025092900, leaves on 2025-10-13\nnftset=\/firstpartyapps\.oaspapps\.com\//,
        );
        const dnsFile = join(dir, conf.name);
        writeFileSync(dnsFile, conf.content);
        const tested = spawnSync('dnsmasq', ['--test', `--conf-file=${dnsFile}`], {
          encoding: 'utf8',
        });
        expect(tested.stderr).toMatch(/syntax check OK/);
        expect(tested.status).toBe(0);
      }
    });
  });

  it('CLI: --grace in an unknown unit is exit 2 naming the flag, the value and the units', async () => {
    const bad = await runInProcess(['export', 'Worldwide', 'nftables', '--grace', '14x'], {
      IPURL_DB: dbFile,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--grace: "14x" has an unknown unit "x"');
    expect(bad.stderr).toContain('s, m, h, d or w');
    const short = await runInProcess(['export', 'Worldwide', 'nftables', '--grace', '2h'], {
      IPURL_DB: dbFile,
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--grace: "2h" is shorter than 86400 s');
  });

  it('watch --output with --grace writes the removed entries labelled (export and PAC targets)', async () => {
    const days = Math.ceil((Date.now() - Date.parse('2025-09-29T00:00:00Z')) / 86_400_000) + 30;
    const watchDb = join(dir, 'watch.db');
    const own = await createSqliteStore({ filename: watchDb });
    await appendGraceReplay(own);
    await own.close();
    const nft = join(dir, 'watch.nft');
    const pac = join(dir, 'watch.pac');
    const res = await runInProcess(
      ['watch', '--output', `nftables:${nft}`, '--output', `pac:${pac}`, '--grace', `${days}d`],
      { IPURL_DB: watchDb },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(nft, 'utf8')).toContain(
      '52.238.119.141/32 comment "grace: removed in 2025092900',
    );
    expect(readFileSync(pac, 'utf8')).toContain(
      '//   firstpartyapps.oaspapps.com set 68: grace: removed in 2025092900',
    );
    const bad = await runInProcess(['watch', '--output', `nftables:${nft}`, '--grace', '3x'], {
      IPURL_DB: watchDb,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--grace: "3x" has an unknown unit "x"');
  });

  it('CLI: --grace reports the entries in grace on stderr and in --json', async () => {
    // Today is after 2025-10-13 on this machine: a long period keeps them.
    const days = Math.ceil((Date.now() - Date.parse('2025-09-29T00:00:00Z')) / 86_400_000) + 30;
    const ok = await runInProcess(['export', 'Worldwide', 'nftables', '--grace', `${days}d`], {
      IPURL_DB: dbFile,
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('52.238.119.141/32 comment "grace: removed in 2025092900');
    expect(ok.stderr).toContain(
      "labelled entries (not Microsoft's published data, a comment each): 0 observed, 2 in grace, 0 local",
    );
    const json = await runInProcess(
      [
        'export',
        'Worldwide',
        'squid',
        '--grace',
        `${days}d`,
        '--json',
        '--output',
        join(dir, 'out'),
      ],
      { IPURL_DB: dbFile },
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).summary.labelled).toMatchObject({ grace: 12, observed: 0 });
  });
});

describeWith('pacparser (python3-pacparser)', hasPythonModule('pacparser'))(
  'PAC with --grace',
  () => {
    it('a removed host stays routed like its set until it leaves, named in a comment; both styles', async () => {
      const catalog = await openCatalog(store);
      const pac = createPacService(catalog);
      const params = (grace: string | undefined, now: Date, style = 'fast') => ({
        ...parsePacParameters({ routes: ['Default=DIRECT'], style, grace }),
        now,
      });
      const kept = await pac.render('Worldwide', params('14d', DAY_IN));
      expect(kept.text).toContain(
        '//   firstpartyapps.oaspapps.com set 68: grace: removed in 2025092900, leaves on 2025-10-13\n',
      );
      const keptGet = await pac.render('Worldwide', params('14d', DAY_IN, 'get-pacfile'));
      const gone = await pac.render('Worldwide', params('14d', DAY_OUT));
      const plain = await pac.render('Worldwide', params(undefined, DAY_IN));
      // Past the period the PAC is the plain one but for the line naming the grace period.
      expect(gone.text).toMatch(/^\/\/ Selection: removal grace 14d: 0 removed entries kept/);
      expect(gone.text.replace(/^\/\/ Selection: removal grace.*\n/m, '')).toBe(plain.text);
      const hosts = [
        'firstpartyapps.oaspapps.com',
        'telemetryservice.firstpartyapps.oaspapps.com',
        'example.org',
      ];
      const results = await evaluatePacs([
        { name: 'kept', pac: kept.text, hosts },
        { name: 'keptGet', pac: keptGet.text, hosts },
        { name: 'gone', pac: gone.text, hosts },
      ]);
      expect(results.get('kept')).toEqual(['DIRECT', 'DIRECT', 'PROXY 10.10.10.10:8080']);
      expect(results.get('keptGet')).toEqual(results.get('kept'));
      expect(results.get('gone')).toEqual([
        'PROXY 10.10.10.10:8080',
        'PROXY 10.10.10.10:8080',
        'PROXY 10.10.10.10:8080',
      ]);
      expect(() => parsePacParameters({ grace: '14q' }, { ...QUERY_PARAMETER_NAMES })).toThrow(
        /grace: "14q" has an unknown unit "q"/,
      );
    });
  },
);

describe('GET /export with grace=', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ seed: 'none', prepare: appendGraceReplay });
  });
  afterAll(async () => {
    await server.close();
  });

  it('keeps the removed entries labelled; an unknown unit is a 400 naming grace and the units; wire routes unchanged', async () => {
    const days = Math.ceil((Date.now() - Date.parse('2025-09-29T00:00:00Z')) / 86_400_000) + 30;
    const res = await server.get(`/export/Worldwide/nftables?grace=${days}d`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('52.244.160.207/32 comment "grace: removed in 2025092900');
    expect(res.headers['x-ipurl-grace']).toBe('2');
    const plain = await server.get('/export/Worldwide/nftables');
    expect(plain.text).not.toContain('52.244.160.207');
    const bad = await server.get('/export/Worldwide/nftables?grace=2fortnights');
    expect(bad.status).toBe(400);
    expect(bad.json().error.message ?? bad.text).toMatch(/grace: "2fortnights" .*s, m, h, d or w/);
    const wire = await server.get(
      `/endpoints/Worldwide?clientrequestid=b10c5ed1-bad1-445f-b386-b919946339a7&grace=${days}d`,
    );
    expect(wire.text).not.toContain('52.244.160.207');
  });
});
