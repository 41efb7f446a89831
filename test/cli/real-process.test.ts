/**
 * What only a real `ipurl` process shows (every other CLI test runs in-process, see run-cli.ts):
 * the exit status bin.ts hands to the shell for success, bad usage and not found, a document
 * read from the process's real stdin, and `serve` stopping on a real SIGTERM with status 0.
 * EPIPE: test/consumer/epipe.test.ts; file modes as an unprivileged user: empty-store.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundled } from '../helpers/bundled-data.js';
import { createSeededStoreFile } from '../helpers/seeded-store.js';
import { cleanEnv, ipurlNodeArgs, runIpurlProcess } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-real-process-'));
const seeded = join(dir, 'seeded.db');
beforeAll(() => createSeededStoreFile(seeded));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ipurl as a real process', { timeout: 120_000 }, () => {
  it('exits 0, 2 and 3 as its --help says', async () => {
    const [ok, usage, notFound] = await Promise.all([
      runIpurlProcess(['lookup', '52.112.0.1', '--db', seeded]),
      runIpurlProcess(['lookup', '--bogus', '52.112.0.1']),
      runIpurlProcess(['versions', 'Atlantis', '--db', seeded]),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Worldwide \d{10}\n52\.112\.0\.1: Optimize\n/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("error: unknown option '--bogus'");
    expect(notFound.code).toBe(3);
    expect(notFound.stderr).toContain('unknown instance "Atlantis"');
  });

  it('publishes a document read from stdin', async () => {
    const db = join(dir, 'stdin.db');
    const run = await runIpurlProcess(['publish', 'Worldwide', '-', '--db', db, '--json'], {
      stdin: JSON.stringify(readBundled('Worldwide', '2025013000')),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'published' });
  });

  it('serve stops on SIGTERM with exit status 0', async () => {
    const child = spawn(process.execPath, ipurlNodeArgs(['serve', '--port', '0', '--db', seeded]), {
      env: cleanEnv({ IPURL_LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await expect.poll(() => out, { timeout: 60_000 }).toContain('ipurl serving http://');
    const url = /ipurl serving (http:\/\/[\d.:]+)/.exec(out)![1]!;
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
