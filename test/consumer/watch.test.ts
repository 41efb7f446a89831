/**
 * `ipurl watch` and `ipurl diff` end to end (issue 5, "Act on changes"): the CLI (in-process runner) over
 * a real SQLite file. Outputs are written atomically (no temp file left), the command gets the
 * instance, old/new versions and output paths in its environment and the change summary on
 * stdin; a failing command is reported by the exit code and retried on the next run.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffVersions } from '../../src/core/diff.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import type { Store } from '../../src/core/store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readBundled } from '../helpers/bundled-data.js';
import { runIpurl, type CliRun } from '../cli/run-cli.js';

const V1 = '2024073100';
const V2 = '2025013000';
let dir: string;
let db: string;

async function append(
  store: Store,
  version: string,
  previous: EndpointSet[],
  sets: EndpointSet[],
): Promise<void> {
  const latest = (await store.listVersions('Worldwide'))[0]?.version ?? null;
  await store.appendVersion({
    instance: 'Worldwide',
    version,
    sets,
    changes: diffVersions(previous, sets, { version, effectiveDate: `${version.slice(0, 8)}` }),
    expectedLatest: latest,
  });
}

function cli(args: string[]): Promise<CliRun> {
  return runIpurl([...args, '--db', db]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipurl-watch-'));
  db = join(dir, 'ipurl.db');
  const store = await createSqliteStore({ filename: db });
  await append(store, V1, [], readBundled('Worldwide', V1));
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ipurl watch', () => {
  const out = () => join(dir, 'out');
  const record = () => join(dir, 'record.txt');
  const failFlag = () => join(dir, 'fail');
  const args = () => [
    'watch',
    '--output',
    `nftables:${join(out(), 'm365.nft')}`,
    '--output',
    `pac:${join(out(), 'proxy.pac')}`,
    '--on-change',
    `{ echo "instance=$IPURL_INSTANCE old=$IPURL_OLD_VERSION new=$IPURL_NEW_VERSION outputs=$IPURL_OUTPUTS"; cat; } >> ${record()}; test ! -e ${failFlag()}`,
  ];

  it('first run: writes the outputs and runs the command with the versions in its environment', async () => {
    const run = await cli(args());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(join(out(), 'm365.nft'), 'utf8')).toContain('table');
    expect(readFileSync(join(out(), 'proxy.pac'), 'utf8')).toContain('FindProxyForURL');
    const text = readFileSync(record(), 'utf8');
    expect(text).toContain(
      `instance=Worldwide old= new=${V1} outputs=${join(out(), 'm365.nft')} ${join(out(), 'proxy.pac')}`,
    );
    expect(readdirSync(out()).sort()).toEqual(['m365.nft', 'proxy.pac']); // no temp file left
  }, 60_000);

  it('nothing new: the command does not run again', async () => {
    const before = readFileSync(record(), 'utf8');
    const run = await cli(args());
    expect(run.code).toBe(0);
    expect(readFileSync(record(), 'utf8')).toBe(before);
  }, 60_000);

  it('a failing command is reported and retried on the next run, with the change summary on stdin', async () => {
    const store = await createSqliteStore({ filename: db });
    await append(store, V2, readBundled('Worldwide', V1), readBundled('Worldwide', V2));
    await store.close();
    writeFileSync(failFlag(), '');
    writeFileSync(record(), '');
    const failed = await cli(args());
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /Worldwide 2025013000: the on-change command exited with code 1; it will be retried on the next run/,
    );
    expect(readFileSync(join(out(), 'proxy.pac'), 'utf8')).toContain(V2); // regenerated from V2
    const status = await cli(['status', '--json']);
    const watches = JSON.parse(status.stdout).watches;
    expect(watches[0]).toMatchObject({
      instance: 'Worldwide',
      version: V1,
      lastError: expect.stringContaining('exited with code 1'),
    });

    rmSync(failFlag());
    writeFileSync(record(), '');
    const retried = await cli(args());
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain(`Worldwide: acted on ${V1} → ${V2}`);
    expect(retried.stdout).toContain('(retry)');
    const text = readFileSync(record(), 'utf8');
    expect(text).toContain(`old=${V1} new=${V2}`);
    expect(text).toContain(`Worldwide ${V1} -> ${V2}: 11 change records`);
    expect(text).toMatch(
      /set 12; Change; AddedUrl; add \*\.teams\.cloud\.microsoft teams\.cloud\.microsoft/,
    );
    const again = await cli(args());
    expect(again.code).toBe(0);
    expect(readFileSync(record(), 'utf8')).toBe(text);
  }, 120_000);

  it('rejects an unknown output target, naming the accepted ones', async () => {
    const run = await cli(['watch', '--output', `excel:${join(dir, 'x.xlsx')}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--output target "excel" is unknown; targets: pac, pac2, json, .*nftables/,
    );
    expect(existsSync(join(dir, 'x.xlsx'))).toBe(false);
  }, 60_000);
});

describe('ipurl diff', () => {
  it('the changes between two stored versions, as JSON and as a table', async () => {
    const json = await cli(['diff', 'worldwide', V1, V2, '--json']);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout);
    expect(body.counts).toEqual({
      sets: 11,
      added: 0,
      changed: 10,
      removed: 1,
      ipsAdded: 1,
      ipsRemoved: 1,
      urlsAdded: 4,
      urlsRemoved: 5,
    });
    expect(
      body.changes.find((c: { endpointSetId: number }) => c.endpointSetId === 67),
    ).toMatchObject({ disposition: 'Remove', impact: 'RemovedIpOrUrl' });
    const table = await cli(['diff', 'Worldwide', V2, V1]); // reversed: what V1 has that V2 lacks
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^Worldwide 2025013000 → 2024073100: 11 sets changed \(1 added, 10 changed, 0 removed\)/,
    );
    const bad = await cli(['diff', 'Worldwide', '2019', V2]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('<from> must be ten digits YYYYMMDDNN; received "2019"');
  }, 60_000);
});
