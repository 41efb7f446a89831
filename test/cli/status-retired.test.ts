/**
 * `ipurl status` marks a retired instance (Germany, October 2021) whose history the store still
 * serves, in text and in --json, over a real SQLite store seeded from the bundled data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runIpurl } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-status-'));
const db = join(dir, 'ipurl.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('marks Germany retired and no other instance', async () => {
  expect((await runIpurl(['seed', '--db', db])).code).toBe(0);
  const text = await runIpurl(['status', '--db', db]);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/^ {2}Germany +2021102900 {2}\d+ versions \(retired\)$/m);
  expect(text.stdout).toMatch(/^ {2}Worldwide +\d{10} {2}\d+ versions$/m);
  const json = JSON.parse((await runIpurl(['status', '--db', db, '--json'])).stdout) as {
    instances: Array<{ instance: string; retired: boolean }>;
  };
  expect(json.instances.filter((i) => i.retired).map((i) => i.instance)).toEqual(['Germany']);
});
