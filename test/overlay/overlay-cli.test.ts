/**
 * `ipurl overlay` as a user runs it (in-process CLI over a real SQLite file with the Worldwide
 * latest): add/exclude/list/remove with exit codes 0/2/3/4, refusals naming the flag, the value and
 * what is accepted, warnings on stderr, --json; and `ipurl watch` acting on an overlay change like
 * on a new version (outputs rewritten with the addition, IPURL_EVENT=overlay.changed).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readBundled } from '../helpers/bundled-data.js';
import { appendSets } from '../helpers/server.js';
import { runInProcess } from '../cli/run-cli.js';

const VERSION = '2025092900';
const dir = mkdtempSync(join(tmpdir(), 'ipurl-overlay-cli-'));
const db = join(dir, 'ipurl.db');
const cli = (args: string[]) => runInProcess([...args, '--db', db]);
/** The one addition these tests make: a private range, refused until its rule is relaxed. */
const addPrivateRange = (instance: string, ...flags: string[]) =>
  cli([
    'overlay',
    'add',
    instance,
    '--ip',
    '10.20.0.0/16',
    '--category',
    'Optimize',
    '--tcp',
    '443',
    ...flags,
  ]);

beforeAll(async () => {
  const store = await createSqliteStore({ filename: db });
  await appendSets(store, 'Worldwide', VERSION, readBundled('Worldwide', VERSION));
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ipurl overlay', () => {
  it('refuses bad entries with exit 2, naming the flag, the value and what is accepted; stores nothing', async () => {
    const privateRange = await addPrivateRange('Worldwide', '--by', 'alice');
    expect(privateRange.code).toBe(2);
    expect(privateRange.stderr).toContain(
      '--ip (ips[0]): 10.20.0.0/16 lies in 10.0.0.0/8, private (RFC 1918) (rule private; relax with --allow private) (received 10.20.0.0/16)',
    );
    const noPorts = await cli([
      'overlay',
      'add',
      'Worldwide',
      '--ip',
      '13.107.6.0/24',
      '--category',
      'Allow',
      '--by',
      'alice',
    ]);
    expect(noPorts.code).toBe(2);
    expect(noPorts.stderr).toContain('--tcp (tcpPorts)');
    const unknown = await cli([
      'overlay',
      'exclude',
      'Worldwide',
      '--set',
      '9999',
      '--service-area',
      'Teams',
      '--by',
      'alice',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--set (setIds[0]): Worldwide never published set 9999');
    expect(unknown.stderr).toContain(
      '--service-area (serviceAreas[0]): unknown service area; accepted: Exchange, SharePoint, Skype, MEM, Common (received Teams)',
    );
    const contradiction = await cli(['overlay', 'exclude', 'Worldwide', '--by', 'alice']);
    expect(contradiction.code).toBe(2);
    expect(contradiction.stderr).toContain('an exclusion names what to leave out');
    expect(
      (await cli(['overlay', 'add', 'Atlantis', '--url', 'a.example.com', '--category', 'Allow']))
        .code,
    ).toBe(3);
    expect((await cli(['overlay', 'list', 'Worldwide'])).stdout).toContain(
      'Worldwide has no overlay',
    );
  });

  it('records, lists and removes changes; watch acts on each change like a new version', async () => {
    const out = join(dir, 'm365.nft');
    const record = join(dir, 'record.txt');
    const watch = () =>
      runInProcess([
        'watch',
        '--output',
        `nftables:${out}`,
        '--on-change',
        `echo "event=$IPURL_EVENT revision=$IPURL_OVERLAY_REVISION" >> ${record}`,
        '--db',
        db,
      ]);
    expect((await watch()).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toContain('10.20.0.0/16');

    const add = await addPrivateRange(
      'worldwide',
      '--allow',
      'private',
      '--by',
      'alice',
      '--note',
      'internal proxy',
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(
      /^overlay #1 Worldwide: add 10\.20\.0\.0\/16 Optimize Common tcp 443 \(relaxes private\), by alice at .*; overlay revision 1\n$/,
    );
    expect((await watch()).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(
      '10.20.0.0/16 comment "local: overlay revision 1.change-1"',
    );
    expect(readFileSync(record, 'utf8').trim().split('\n').at(-1)).toBe(
      'event=overlay.changed revision=1',
    );
    // Nothing changed since: watch does nothing.
    expect((await watch()).code).toBe(0);
    expect(readFileSync(record, 'utf8').trim().split('\n')).toHaveLength(2);

    const exclude = await cli([
      'overlay',
      'exclude',
      'Worldwide',
      '--url',
      '*.yammer.com',
      '--url',
      '*.not-published.com',
      '--json',
    ]);
    expect(exclude.code).toBe(0);
    expect(exclude.stderr).toContain(
      'ipurl: warning: urls: *.not-published.com excludes nothing in the latest published version; stored anyway',
    );
    expect(JSON.parse(exclude.stdout)).toMatchObject({
      status: 'recorded',
      change: {
        id: 2,
        entry: { action: 'exclude', urls: ['*.yammer.com', '*.not-published.com'] },
      },
    });

    const remove = await cli(['overlay', 'remove', '1', '--by', 'bob', '--note', 'proxy retired']);
    expect(remove.code).toBe(0);
    expect(remove.stdout).toContain('overlay #3 Worldwide: remove #1, by bob');
    expect((await cli(['overlay', 'remove', '1', '--by', 'bob'])).code).toBe(4);
    expect((await cli(['overlay', 'remove', '77', '--by', 'bob'])).code).toBe(3);
    expect((await watch()).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toContain('10.20.0.0/16');

    const list = await cli(['overlay', 'list', 'Worldwide']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(
      'Worldwide overlay revision 3: 0 addition(s), 1 exclusion(s) in force',
    );
    expect(list.stdout).toMatch(
      /#1 +alice .* add 10\.20\.0\.0\/16 Optimize Common tcp 443 \(relaxes private\) +internal proxy +removed by #3/,
    );
    expect(list.stdout).toMatch(/#3 +bob .* remove #1 +proxy retired/);
    const json = JSON.parse((await cli(['overlay', 'list', 'Worldwide', '--json'])).stdout);
    expect(json.revision).toBe(3);
    expect(json.history.map((c: { id: number }) => c.id)).toEqual([1, 2, 3]);
  });

  it('classify counts requests to a local addition as local, and excluded hosts as not Microsoft 365', async () => {
    await cli([
      'overlay',
      'add',
      'Worldwide',
      '--url',
      'proxy.contoso.net',
      '--category',
      'Allow',
      '--tcp',
      '8080',
      '--by',
      'alice',
    ]);
    const line = (i: number, url: string) =>
      `1764288000.${100 + i}    ${40 + i} 10.1.2.${i} TCP_MISS/200 1000 CONNECT ${url} - HIER_DIRECT/- text/html`;
    const log = join(dir, 'access.log');
    writeFileSync(
      log,
      [
        line(1, 'proxy.contoso.net:8080'),
        line(2, 'www.yammer.com:443'),
        line(3, 'outlook.office365.com:443'),
      ].join('\n') + '\n',
    );
    const run = await cli(['classify', log, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.requests).toBe(3);
    expect(report.labelled.local.requests).toBe(1);
    expect(report.topUnmatched).toEqual([
      expect.objectContaining({ destination: 'www.yammer.com', requests: 1 }),
    ]);
  });
});
