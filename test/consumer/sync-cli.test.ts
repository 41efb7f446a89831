/**
 * `ipurl sync` and `ipurl status` as cron runs them (no terminal), through the CLI runner
 * (test/cli/run-cli.ts), against a real publisher on loopback. Output only when something changed; exit 0 synced/up to date, 5 upstream
 * unavailable; a failure is printed once per episode; `--json` for machines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { runIpurl, type CliRun } from '../cli/run-cli.js';
import { syncArgs } from '../helpers/sync-args.js';

let publisher: TestServer;
let dir: string;
let db: string;
let upstream: string;

function cli(args: string[]): Promise<CliRun> {
  return runIpurl([...args, '--db', db]);
}

/** `ipurl sync` of Worldwide and China from the publisher, with `extra` flags. */
function sync(...extra: string[]): Promise<CliRun> {
  return cli(syncArgs(upstream, ['worldwide', 'China'], ...extra));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipurl-sync-cli-'));
  db = join(dir, 'local.db');
  publisher = await startTestServer({ rateLimit: 0 });
  upstream = publisher.url;
}, 120_000);
afterAll(async () => {
  await publisher?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ipurl sync from cron', () => {
  it('first run: one line per updated instance, exit 0', async () => {
    const run = await sync();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'Worldwide: (new) → 2025092900 (37 versions, 560 change records)\nChina: (new) → 2025112700 (18 versions, 66 change records)\n',
    );
  }, 60_000);

  it('second run within the hour: silent, exit 0, no request; --json says skipped', async () => {
    const quiet = await sync();
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
    const json = await sync('--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'skipped', exitCode: 0 });
    const forced = await sync('--force', '--json');
    expect(JSON.parse(forced.stdout)).toMatchObject({
      outcome: 'up-to-date',
      checkedVersion: true,
      exitCode: 0,
    });
  }, 60_000);

  it('upstream down: exit 5, the error printed once per episode; status shows it and exits 5', async () => {
    await publisher.close();
    const first = await sync('--force', '--timeout', '5');
    expect(first.code).toBe(5);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(
      /^ipurl sync: sync from http:\/\/127\.0\.0\.1:\d+\/ failing: .*connection refused \(keeping the last good version; retrying with backoff\)\n$/,
    );
    const second = await sync('--force', '--timeout', '5');
    expect(second).toMatchObject({ code: 5, stdout: '', stderr: '' });
    const backoff = await sync();
    expect(backoff).toMatchObject({ code: 5, stdout: '', stderr: '' }); // deferred by backoff, no request
    const status = await cli(['status']);
    expect(status.code).toBe(5);
    expect(status.stdout).toMatch(/Worldwide\s+2025092900\s+37 versions/);
    expect(status.stdout).toMatch(/FAILING \(2 attempt\(s\) since/);
    expect(status.stdout).toMatch(/last error: .*connection refused/);
    const json = JSON.parse((await cli(['status', '--json'])).stdout);
    expect(json.sync).toMatchObject({
      healthy: false,
      failures: 2,
      lastError: { kind: 'refused', code: 'ERR_UPSTREAM' },
    });
    expect(json.clientRequestId).toMatch(/^[0-9a-f-]{36}$/);
  }, 90_000);

  it('usage errors exit 2 and name the problem', async () => {
    const run = await cli(['sync']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--upstream URL is required');
    const bad = await cli(['sync', '--upstream', 'ftp://x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--upstream must use http or https; received "ftp://x"');
  }, 60_000);
});
