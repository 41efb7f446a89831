/**
 * `ipurl … --json | head -c 10` (issue 14 item 6): when the reader closes the pipe early the
 * command stops quietly: no EPIPE stack trace on stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { REPO_ROOT, readBundled } from '../helpers/bundled-data.js';
import { processScript } from '../helpers/process-bundles.js';
import { appendSets } from '../helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-epipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI output into a closed pipe', () => {
  it('ipurl export Worldwide json | head -c 10: the start of the output, no error output', async () => {
    const db = join(dir, 'ipurl.db');
    const store = await createSqliteStore({ filename: db });
    await appendSets(store, 'Worldwide', '2025013000', readBundled('Worldwide', '2025013000'));
    await store.close();
    const err = join(dir, 'stderr.txt');
    const script = `"${process.execPath}" "${processScript('ipurl')}" export Worldwide json --db "${db}" 2>"${err}" | head -c 10; echo; cat "${err}"`;
    const stdout = await new Promise<string>((resolve) => {
      const child = spawn('sh', ['-c', script], { cwd: REPO_ROOT });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('close', () => resolve(out));
    });
    expect(stdout.slice(0, 10)).toBe('[\n  {\n    ');
    expect(stdout.slice(10).trim()).not.toMatch(/EPIPE|Error|\bat /);
  }, 180_000);
});
