/**
 * `ipurl classify` on a generated Squid access.log, a CSV log and free text, with the real
 * Worldwide 2025013000 data: exact tallies per category and service area, bytes, the PAC type 1/2
 * direct shares and the top unmatched destinations; and the CLI end to end on a real file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLookupIndex } from '../../src/core/lookup-index.js';
import {
  Classifier,
  classifyStream,
  destinationOf,
  detectFormat,
  splitCsv,
} from '../../src/service/classify.js';
import { bundledVersions, readBundled } from '../helpers/bundled-data.js';
import { runIpurl } from '../cli/run-cli.js';
import { createSeededStoreFile } from '../helpers/seeded-store.js';

const index = buildLookupIndex(readBundled('Worldwide', '2025013000'));

function squid(i: number, bytes: number, method: string, url: string, peer = '-'): string {
  return `1764288000.${String(100 + i).padStart(3, '0')}    ${40 + i} 10.1.2.${i % 250} TCP_MISS/200 ${bytes} ${method} ${url} - HIER_DIRECT/${peer} text/html`;
}

// Known destinations: outlook.office365.com (set 1, Optimize, Exchange); 52.112.0.5 (set 11
// Optimize + 12 Allow, Skype); x.teams.microsoft.com (*.teams.microsoft.com, set 12 Allow, Skype);
// foo.office.com (*.office.com, set 147 Default, Common); www.example.org (not Microsoft 365).
const SQUID_LOG = [
  squid(1, 1000, 'CONNECT', 'outlook.office365.com:443', '13.107.6.152'),
  squid(2, 1000, 'CONNECT', 'OUTLOOK.office365.com.:443'),
  squid(3, 1000, 'GET', 'https://outlook.office365.com/owa/'),
  squid(4, 5000, 'GET', 'http://52.112.0.5/media'),
  squid(5, 300, 'CONNECT', 'x.teams.microsoft.com:443'),
  squid(6, 200, 'GET', 'http://foo.office.com/x?y=1'),
  squid(7, 70, 'GET', 'http://www.example.org/'),
  squid(8, 30, 'CONNECT', 'www.example.org:443'),
  squid(9, 10, 'CONNECT', 'cdn.example.net:443'),
].join('\n');

describe('format helpers', () => {
  it('extracts destinations from URLs, CONNECT targets and bracketed IPv6', () => {
    expect(destinationOf('https://User@Outlook.Office.com:443/owa?x')).toBe('outlook.office.com');
    expect(destinationOf('outlook.office365.com:443')).toBe('outlook.office365.com');
    expect(destinationOf('[2603:1063::1]:443')).toBe('2603:1063::1');
    expect(destinationOf('2603:1063::1')).toBe('2603:1063::1');
  });
  it('splits quoted CSV and detects formats', () => {
    expect(splitCsv('a,"b,c","d ""e"""')).toEqual(['a', 'b,c', 'd "e"']);
    expect(detectFormat(SQUID_LOG.split('\n'))).toBe('squid');
    expect(detectFormat(['time,client,host,bytes', '1,2,3,4'])).toBe('csv');
    expect(detectFormat(['Nov 28 kernel: DROP SRC=10.0.0.1 DST=52.112.0.1'])).toBe('text');
  });
});

describe('classifying logs', () => {
  it('a Squid access.log: requests and bytes per category and service area, policies, unmatched', () => {
    const c = new Classifier({ index, top: 5 });
    for (const line of SQUID_LOG.split('\n')) c.add(line);
    const r = c.report();
    expect(r.format).toBe('squid');
    expect(r.requests).toBe(9);
    expect(r.bytes).toBe(8610);
    expect(r.categories).toEqual({
      Optimize: { requests: 4, bytes: 8000 },
      Allow: { requests: 1, bytes: 300 },
      Default: { requests: 1, bytes: 200 },
      unmatched: { requests: 3, bytes: 110 },
    });
    expect(r.serviceAreas).toEqual({
      Exchange: { requests: 3, bytes: 3000 },
      SharePoint: { requests: 0, bytes: 0 },
      Skype: { requests: 2, bytes: 5300 },
      MEM: { requests: 0, bytes: 0 },
      Common: { requests: 1, bytes: 200 },
    });
    expect(r.policies.type1).toEqual({
      requests: 4,
      requestShare: 4 / 9,
      bytes: 8000,
      byteShare: 8000 / 8610,
    });
    expect(r.policies.type2).toEqual({
      requests: 5,
      requestShare: 5 / 9,
      bytes: 8300,
      byteShare: 8300 / 8610,
    });
    expect(r.topUnmatched).toEqual([
      { destination: 'www.example.org', requests: 2, bytes: 100 },
      { destination: 'cdn.example.net', requests: 1, bytes: 10 },
    ]);
    expect(r.approximate).toBe(false);
  });

  it('a CSV log with a header naming host and bytes columns', () => {
    const csv = [
      'timestamp,client_ip,host,status,bytes',
      '2026-11-28T00:00:00Z,10.0.0.1,outlook.office365.com,200,100',
      '2026-11-28T00:00:01Z,10.0.0.2,"x.teams.microsoft.com",200,50',
      '2026-11-28T00:00:02Z,10.0.0.3,https://www.example.org/a,200,7',
      '2026-11-28T00:00:03Z,10.0.0.4,,200,1',
    ];
    const c = new Classifier({ index });
    for (const line of csv) c.add(line);
    const r = c.report();
    expect(r.format).toBe('csv');
    expect(r.requests).toBe(3);
    expect(r.skippedLines).toBe(2); // header + the row without a destination
    expect(r.categories.Optimize).toEqual({ requests: 1, bytes: 100 });
    expect(r.categories.Allow).toEqual({ requests: 1, bytes: 50 });
    expect(r.categories.unmatched).toEqual({ requests: 1, bytes: 7 });
    expect(r.topUnmatched).toEqual([{ destination: 'www.example.org', requests: 1, bytes: 7 }]);
  });

  it('free text: the best category among the addresses on a line; private addresses ignored', () => {
    const text = [
      'Nov 28 00:00:01 fw kernel: ACCEPT IN=eth0 SRC=10.0.0.1 DST=52.112.0.1 LEN=60 bytes=1200',
      'Nov 28 00:00:02 fw kernel: ACCEPT IN=eth0 SRC=10.0.0.1 DST=93.184.216.34 bytes=10',
      'proxy: client 192.168.1.4 fetched autodiscover.contoso.onmicrosoft.com',
      '--- nothing here ---',
      'dns query a.b.protection.outlook.com from 10.0.0.9',
    ];
    const c = new Classifier({ index, format: 'text' });
    for (const line of text) c.add(line);
    const r = c.report();
    expect(r.requests).toBe(4);
    expect(r.skippedLines).toBe(1);
    expect(r.categories).toMatchObject({
      Optimize: { requests: 1, bytes: 1200 },
      Allow: { requests: 1 },
      Default: { requests: 1 },
      unmatched: { requests: 1, bytes: 10 },
    });
    expect(r.topUnmatched).toEqual([{ destination: '93.184.216.34', requests: 1, bytes: 10 }]);
  });

  it('streams bytes split anywhere (even inside a line or a UTF-8 character), CRLF or LF', async () => {
    const bytes = Buffer.from(`${SQUID_LOG.split('\n').join('\r\n')}\r\n# comment é\n`, 'utf8');
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const r = await classifyStream(chunks(), { index, top: 5 });
    expect(r.requests).toBe(9);
    expect(r.bytes).toBe(8610);
    expect(r.skippedLines).toBe(1);
    expect(r.categories.Optimize.requests).toBe(4);
  });

  it('keeps memory bounded: the unmatched table is pruned to its heaviest entries', () => {
    const c = new Classifier({ index, top: 3, format: 'squid' });
    for (let i = 0; i < 50_000; i += 1)
      c.add(squid(i % 900, 1, 'CONNECT', `host${i}.example.com:443`));
    for (let i = 0; i < 500; i += 1) c.add(squid(i % 900, 1, 'CONNECT', 'heavy.example.com:443'));
    const r = c.report();
    expect(r.approximate).toBe(true);
    expect(r.topUnmatched[0]).toEqual({
      destination: 'heavy.example.com',
      requests: 500,
      bytes: 500,
    });
    expect(r.categories.unmatched.requests).toBe(50_500);
  });
});

describe('ipurl classify (CLI, real file, real store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-classify-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports JSON on stdout and prints no progress when stderr is not a terminal', async () => {
    const db = join(dir, 'ipurl.db');
    await createSeededStoreFile(db);
    const log = join(dir, 'access.log');
    writeFileSync(log, `${SQUID_LOG}\n`);
    const { code, stdout, stderr } = await runIpurl([
      'classify',
      log,
      '--db',
      db,
      '--json',
      '--top',
      '1',
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      instance: 'Worldwide',
      version: bundledVersions('Worldwide').at(-1),
      format: 'squid',
      requests: 9,
    });
    expect(report.topUnmatched).toEqual([
      { destination: 'www.example.org', requests: 2, bytes: 100 },
    ]);
  }, 60_000);
});
