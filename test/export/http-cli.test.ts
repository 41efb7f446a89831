/**
 * `ipurl export` (in-process runner) and `GET /export/{instance}/{target}` over real HTTP on
 * 127.0.0.1, both over a real SQLite file holding Worldwide 2024073100 and 2025013000.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeParseCidr } from '../../src/core/cidr.js';
import { readBundled } from '../helpers/bundled-data.js';
import { runIpurl, type CliRun } from '../cli/run-cli.js';
import { appendSets, startTestServer, type TestServer } from '../helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-export-cli-'));
let server: TestServer;

function ipurl(args: readonly string[]): Promise<CliRun> {
  return runIpurl(args, { env: { IPURL_DB: server.dbFile } });
}

beforeAll(async () => {
  server = await startTestServer({
    seed: 'none',
    prepare: async (store) => {
      await appendSets(store, 'Worldwide', '2024073100', readBundled('Worldwide', '2024073100'));
      await appendSets(store, 'Worldwide', '2025013000', readBundled('Worldwide', '2025013000'));
    },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /export/{instance}/{target}', () => {
  it('serves a PAN/Fortinet IPv4 list of Optimize prefixes', async () => {
    const res = await server.get('/export/worldwide/list?file=ipv4&categories=Optimize');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['x-ipurl-version']).toBe('2025013000');
    const lines = res.text.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(safeParseCidr(line).ok, line).toBe(true);
    expect(lines.some((line) => line.includes(':'))).toBe(false);
  });

  it('honours version, family and aggregate; ETag gives 304', async () => {
    const res = await server.get(
      '/export/Worldwide/nftables?version=2024073100&family=6&aggregate=false',
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('Worldwide version 2024073100');
    expect(res.text).toContain('Aggregation: off');
    expect(res.text).not.toMatch(/type ipv4_addr/);
    const again = await server.get(
      '/export/Worldwide/nftables?version=2024073100&family=6&aggregate=false',
      {
        'if-none-match': String(res.headers.etag),
      },
    );
    expect(again.status).toBe(304);
  });

  it('422 for a pattern the target cannot express, unless skip is asked for', async () => {
    const refused = await server.get('/export/Worldwide/list?file=urls');
    expect(refused.status).toBe(422);
    expect(refused.json().error.code).toBe('ERR_UNSUPPORTED_PATTERN');
    expect(refused.json().error.message).toContain('*cdn.onenote.net');
    const skipped = await server.get(
      '/export/Worldwide/list?file=urls&onUnsupported=skip&tenantName=contoso',
    );
    expect(skipped.status).toBe(200);
    expect(skipped.headers['x-ipurl-left-out']).toBe('1');
    expect(skipped.text).toContain('autodiscover.contoso.onmicrosoft.com\n');
  });

  it('400s name the parameter, the value and what is accepted', async () => {
    const multi = await server.get('/export/Worldwide/list');
    expect(multi.status).toBe(400);
    expect(multi.json().error.message).toContain('ipv4.txt, ipv6.txt, urls.txt');
    const target = await server.get('/export/Worldwide/pf');
    expect(target.status).toBe(400);
    expect(target.json().error.message).toContain('accepted: list, nftables');
    const category = await server.get('/export/Worldwide/csv?categories=Optimize,Fast');
    expect(category.status).toBe(400);
    expect(category.json().error.message).toContain('"Fast"');
    const bool = await server.get('/export/Worldwide/csv?aggregate=maybe');
    expect(bool.status).toBe(400);
    const instance = await server.get('/export/Mars/csv');
    expect(instance.status).toBeGreaterThanOrEqual(400);
    expect(instance.status).toBeLessThan(500);
  });

  it('csv and json carry the right media types', async () => {
    const csv = await server.get('/export/Worldwide/csv?serviceAreas=Skype');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.text.split('\r\n')[0]).toBe(
      'setId,serviceArea,category,required,expressRoute,tcpPorts,udpPorts,kind,value,notes',
    );
    const json = await server.get('/export/Worldwide/json?requiredOnly=true');
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.json().every((row: { required: boolean }) => row.required)).toBe(true);
  });
});

describe('ipurl export', () => {
  it('writes every file of a target into --output DIR and reports merges on stderr', async () => {
    const out = join(dir, 'squid');
    const run = await ipurl([
      'export',
      'worldwide',
      'squid',
      '--output',
      out,
      '--tenant-name',
      'contoso',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'm365-acls.conf',
      'm365-allow.dstdomain',
      'm365-default.dstdom_regex',
      'm365-default.dstdomain',
      'm365-optimize.dstdomain',
    ]);
    // The include file points at where the files were written.
    expect(readFileSync(join(out, 'm365-acls.conf'), 'utf8')).toContain(
      `dstdomain "${out}/m365-optimize.dstdomain"`,
    );
    expect(run.stderr).toMatch(/widened \d+ \*\.domain entries/);
  });

  it('default policy error: exit 1, names the pattern, writes nothing', async () => {
    const out = join(dir, 'list-error');
    const run = await ipurl(['export', 'Worldwide', 'list', '--output', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ERR_UNSUPPORTED_PATTERN');
    expect(run.stderr).toContain('*cdn.onenote.net');
    expect(existsSync(out)).toBe(false);
  });

  it('--on-unsupported warn prints each left-out pattern; --json describes the export', async () => {
    const warn = await ipurl([
      'export',
      'Worldwide',
      'list',
      '--file',
      'urls',
      '--on-unsupported',
      'warn',
    ]);
    expect(warn.code).toBe(0);
    expect(warn.stderr).toContain('warning: set 51 url "*cdn.onenote.net"');
    expect(warn.stdout).toContain('*.office.com\n');
    const json = await ipurl([
      'export',
      'Worldwide',
      'nftables',
      '--ipv4',
      '--categories',
      'Optimize',
      '--json',
      '--name',
      'o365',
    ]);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.target).toBe('nftables');
    expect(parsed.files[0].name).toBe('o365.nft');
    expect(parsed.files[0].content).toContain('table inet o365 {');
    expect(parsed.summary.written.ipv6).toBe(0);
    const bad = await ipurl(['export', 'Worldwide', 'nftables', '--ipv4', '--ipv6']);
    expect(bad.code).toBe(2);
  });
});
