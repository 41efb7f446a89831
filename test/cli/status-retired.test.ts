/**
 * `ipurl status` marks a retired instance (Germany, October 2021) whose history the store still
 * serves, in text and in --json, over a real SQLite store seeded from the bundled data.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/bundled-data.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-status-'));
const db = join(dir, 'ipurl.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ipurl(args: readonly string[]): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: run.status, stdout: run.stdout };
}

it('marks Germany retired and no other instance', { timeout: 120_000 }, () => {
  expect(ipurl(['seed', '--db', db]).status).toBe(0);
  const text = ipurl(['status', '--db', db]);
  expect(text.status).toBe(0);
  expect(text.stdout).toMatch(/^ {2}Germany +2021102900 {2}\d+ versions \(retired\)$/m);
  expect(text.stdout).toMatch(/^ {2}Worldwide +\d{10} {2}\d+ versions$/m);
  const json = JSON.parse(ipurl(['status', '--db', db, '--json']).stdout) as {
    instances: Array<{ instance: string; retired: boolean }>;
  };
  expect(json.instances.filter((i) => i.retired).map((i) => i.instance)).toEqual(['Germany']);
});
