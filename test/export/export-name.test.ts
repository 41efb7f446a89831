/**
 * The export `name` parameter (issue 14 item 6) is checked for every target, csv and json too:
 * over HTTP a name with a path separator, a quote or non-ASCII is a 400 naming the rule, and the
 * Content-Disposition header only ever carries a safe quoted file name (RFC 6266 `filename*`
 * for anything else). `ipurl export --output DIR` never writes outside DIR.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentDisposition } from '../../src/core/content-disposition.js';
import { readBundled } from '../helpers/bundled-data.js';
import { runIpurl } from '../cli/run-cli.js';
import { appendSets, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'ipurl-export-name-'));

beforeAll(async () => {
  server = await startTestServer({
    seed: 'none',
    prepare: (store) =>
      appendSets(store, 'Worldwide', '2025013000', readBundled('Worldwide', '2025013000')),
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const BAD_NAMES = ['../../etc/passwd', 'a/b', 'a\\b', 'x"; filename="evil.sh', 'naïve', 'a b'];

describe('export name', () => {
  for (const target of ['csv', 'json', 'nftables', 'list']) {
    it(`${target}: a hostile name is a 400 naming the rule`, async () => {
      for (const name of BAD_NAMES) {
        const file = target === 'list' ? '&file=ipv4' : '';
        const res = await server.get(
          `/export/Worldwide/${target}?name=${encodeURIComponent(name)}${file}`,
        );
        expect(res.status, `${target} ${name}`).toBe(400);
        expect(res.json().error.code).toBe('ERR_INVALID_PARAMETER');
        expect(res.json().error.message).toMatch(/a letter followed by up to 11 letters/);
        expect(res.headers['content-disposition']).toBeUndefined();
      }
    });
  }

  it('a good name reaches the csv and json file names and a plain Content-Disposition', async () => {
    const csv = await server.get('/export/Worldwide/csv?name=contoso_m365');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toBe('inline; filename="contoso_m365.csv"');
    const json = await server.get('/export/Worldwide/json?name=contoso');
    expect(json.headers['content-disposition']).toBe('inline; filename="contoso.json"');
  });

  it('contentDisposition: safe ASCII in filename, the exact name only in filename*', () => {
    expect(contentDisposition('m365.nft')).toBe('inline; filename="m365.nft"');
    expect(contentDisposition('x"; filename="evil.sh')).toBe(
      `inline; filename="x___filename__evil.sh"; filename*=UTF-8''x%22%3B%20filename%3D%22evil.sh`,
    );
    expect(contentDisposition('../../etc/passwd')).toBe('inline; filename="passwd"');
    expect(contentDisposition('naïve.csv')).toBe(
      `inline; filename="na_ve.csv"; filename*=UTF-8''na%C3%AFve.csv`,
    );
    expect(contentDisposition('a\r\nSet-Cookie: x')).not.toMatch(/[\r\n]/);
  });

  it('ipurl export --output DIR --name ../x: exit 2, nothing written anywhere', async () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    const run = await runIpurl([
      'export',
      'Worldwide',
      'iptables',
      '--name',
      '../escape',
      '--output',
      out,
      '--db',
      server.dbFile,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/name "\.\.\/escape" is not valid/);
    expect(readdirSync(out)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['out']);
  }, 120_000);
});
