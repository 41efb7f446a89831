/**
 * Two million nested brackets (issue 14 item 6) through every way JSON comes in: a request body
 * (admin publish: 400 ERR_INVALID_DOCUMENT), a publish document on the command line (exit 2) and
 * an upstream answer (sync: ERR_UPSTREAM, exit 5). Never ERR_INTERNAL, never a stack trace, the
 * store untouched.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/start-server.js';
import { describeValue } from '../../src/core/errors.js';
import { MAX_JSON_DEPTH, jsonDepthExceededAt } from '../../src/core/json-depth.js';
import { syncOnce } from '../../src/service/sync.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runIpurl } from '../cli/run-cli.js';
import { serveStoreFile } from '../helpers/server.js';
import { listenOnLoopback, type LoopbackServer } from '../helpers/upstream-server.js';

const DEPTH = 2_000_000;
const deep = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const TOKEN = 'deep-json-admin-token-0123456789';
let dir: string;
let server: RunningServer;
let upstream: LoopbackServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipurl-deep-json-'));
  server = await serveStoreFile(join(dir, 'server.db'), { adminToken: TOKEN });
  upstream = await listenOnLoopback((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(deep);
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('JSON nested two million levels deep', () => {
  it('JSON.parse itself accepts it, so the depth is checked before parsing', () => {
    // V8's parser is not recursive: the danger is every recursive step after it.
    const value = JSON.parse(deep) as unknown;
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    expect(describeValue(value)).toMatch(/^\[\[\[\[\[\[\[\[\[…\]\]/);
    expect(jsonDepthExceededAt(deep)).toBe(MAX_JSON_DEPTH);
    expect(
      jsonDepthExceededAt(
        '[{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]',
      ),
    ).toBe(-1);
  }, 60_000);

  it('POST body to the admin API: 400 ERR_INVALID_DOCUMENT, nothing stored', async () => {
    const response = await fetch(`${server.url}/admin/instances/Worldwide/versions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: deep,
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('ERR_INVALID_DOCUMENT');
    expect(body.error.message).toMatch(/more than 64 levels deep/);
    const store = await createSqliteStore({ filename: join(dir, 'server.db') });
    try {
      expect(await store.listInstances()).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('ipurl publish of such a file exits 2 with the reason, no stack trace', async () => {
    const file = join(dir, 'deep.json');
    writeFileSync(file, deep);
    const run = await runIpurl(['publish', 'Worldwide', file, '--db', join(dir, 'cli.db')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/more than 64 levels deep.*\[ERR_INVALID_DOCUMENT\]/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('an upstream answering it: sync fails with ERR_UPSTREAM (exit 5), the store untouched', async () => {
    const store = await createSqliteStore({ filename: join(dir, 'mirror.db') });
    try {
      const report = await syncOnce(store, {
        upstream: upstream.url,
        force: true,
        timeoutMs: 30_000,
      });
      expect(report.outcome).toBe('failed');
      expect(report.error).toMatchObject({ code: 'ERR_UPSTREAM', kind: 'invalid-json' });
      expect(report.error!.message).toMatch(/more than 64 levels deep/);
      expect(await store.listInstances()).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
