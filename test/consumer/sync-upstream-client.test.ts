/**
 * The upstream client's safety rules (issue 14 item 4), against real loopback HTTP servers:
 *
 * - a front server on 127.0.0.1 that requires HTTP Basic credentials and passes requests to a
 *   real ipurl publisher, or redirects, or answers 429 with an absurd Retry-After;
 * - a "hostile" server on another origin (localhost, another port) that would serve anything.
 *
 * A redirect to another origin is refused (exit 5, /health lastError) with nothing fetched from
 * there and nothing stored; a same-origin redirect is followed; Retry-After is capped at 24 hours
 * and `--force` overrides it; credentials in the upstream URL are used and never shown (report,
 * stored state, /health, logs, `ipurl status`, CLI errors); /health shows no ClientRequestId.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/start-server.js';
import { parseUpstreamUrl } from '../../src/client/upstream-client.js';
import { diffVersions } from '../../src/core/diff.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import type { Store } from '../../src/core/store.js';
import { CLIENT_REQUEST_ID_KEY, syncOnce } from '../../src/service/sync.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readBundled } from '../helpers/bundled-data.js';
import { runIpurl, type CliRun } from '../cli/run-cli.js';
import { rawGet, serveStoreFile, startTestServer, type TestServer } from '../helpers/server.js';
import { syncArgs } from '../helpers/sync-args.js';
import { listenOnLoopback, type LoopbackServer } from '../helpers/upstream-server.js';

const VERSION = '2025013000';
const USER = 'mirror';
const SECRET = 's3cr@t-Pa55';
const BASIC = `Basic ${Buffer.from(`${USER}:${SECRET}`).toString('base64')}`;

type Mode = 'pass' | 'redirect-cross' | 'redirect-same' | 'retry-after';
let mode: Mode = 'pass';
const frontSeen: string[] = [];
const hostileSeen: string[] = [];
let publisher: TestServer;
let front: LoopbackServer;
let hostile: LoopbackServer;
let dir: string;
let db: string;
let store: Store;
let mirror: RunningServer;
let upstreamWithCredentials: string;

async function pass(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const answer = await rawGet(publisher.url, path);
  res.writeHead(answer.status, {
    'content-type': String(answer.headers['content-type'] ?? 'application/json'),
  });
  res.end(answer.body);
}

function handleFront(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  frontSeen.push(path);
  if (req.headers.authorization !== BASIC) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="mirror"' });
    return void res.end('credentials required');
  }
  if (mode === 'retry-after') {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '99999999999' });
    return void res.end('{"error":"slow down"}');
  }
  if (mode === 'redirect-cross' && path.startsWith('/endpoints/')) {
    res.writeHead(302, { location: `http://localhost:${hostile.port}${path}` });
    return void res.end();
  }
  if (mode === 'redirect-same' && !path.startsWith('/moved/')) {
    res.writeHead(307, { location: `/moved${path}` });
    return void res.end();
  }
  void pass(req, res, path.replace(/^\/moved/, ''));
}

function handleHostile(req: IncomingMessage, res: ServerResponse): void {
  hostileSeen.push(req.url ?? '/');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify([
      {
        id: 1,
        serviceArea: 'Exchange',
        serviceAreaDisplayName: 'Exchange Online',
        ips: ['0.0.0.0/0'],
        tcpPorts: '443',
        expressRoute: false,
        category: 'Optimize',
        required: true,
      },
    ]),
  );
}

function cli(args: string[]): Promise<CliRun> {
  return runIpurl([...args, '--db', db]);
}

async function health(): Promise<string> {
  return (await rawGet(mirror.url, '/health')).text;
}

/** Nothing that leaves the process may carry the password or the ClientRequestId. */
async function expectNoSecrets(...texts: string[]): Promise<void> {
  const id = (await store.getState(CLIENT_REQUEST_ID_KEY)) ?? 'no-id-yet';
  for (const text of texts) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(encodeURIComponent(SECRET));
    expect(text).not.toContain(`${USER}:`);
    expect(text).not.toContain(id);
  }
}

beforeAll(async () => {
  const sets: EndpointSet[] = readBundled('Worldwide', VERSION);
  publisher = await startTestServer({
    seed: 'none',
    prepare: async (s) => {
      const changes = diffVersions([], sets, { version: VERSION, effectiveDate: '20250130' }).map(
        (draft, i) => ({ ...draft, id: i + 1 }),
      );
      await s.appendVersion({
        instance: 'Worldwide',
        version: VERSION,
        sets,
        changes,
        expectedLatest: null,
        notify: false,
      });
    },
  });
  front = await listenOnLoopback(handleFront);
  hostile = await listenOnLoopback(handleHostile, 'localhost');
  upstreamWithCredentials = `http://${USER}:${encodeURIComponent(SECRET)}@127.0.0.1:${front.port}`;
  dir = mkdtempSync(join(tmpdir(), 'ipurl-upstream-client-'));
  db = join(dir, 'mirror.db');
  store = await createSqliteStore({ filename: db });
  mirror = await serveStoreFile(db, { pollMs: 100 });
}, 120_000);

afterAll(async () => {
  await mirror?.close();
  await store?.close();
  await front?.close();
  await hostile?.close();
  await publisher?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sync = (force = true) =>
  syncOnce(store, {
    upstream: upstreamWithCredentials,
    instances: ['Worldwide'],
    force,
    timeoutMs: 10_000,
  });

describe('upstream client: redirects, Retry-After, credentials', () => {
  it('a redirect to another origin is refused: nothing fetched there, nothing stored, /health says why', async () => {
    mode = 'redirect-cross';
    const report = await sync();
    expect(report.outcome).toBe('failed');
    expect(report.error).toMatchObject({ code: 'ERR_UPSTREAM', kind: 'redirect', status: 302 });
    expect(report.error!.message).toMatch(
      new RegExp(`redirected \\(HTTP 302\\) to another origin, http://localhost:${hostile.port}`),
    );
    expect(report.error!.message).toMatch(/same scheme, host and port/);
    expect(hostileSeen).toEqual([]);
    expect(await store.listInstances()).toEqual([]);
    const shown = await health();
    expect(JSON.parse(shown).sync.lastError.message).toBe(report.error!.message);
    expect(frontSeen.length).toBeGreaterThan(0);
    await expectNoSecrets(JSON.stringify(report), shown, (await store.getState('sync')) ?? '');
  });

  it('the CLI exits 5 on a cross-origin redirect and shows no credentials; status shows none either', async () => {
    const run = await cli(syncArgs(upstreamWithCredentials, ['Worldwide'], '--force', '--json'));
    expect(run.code).toBe(5);
    // Second failure of the episode: cron output stays quiet, --json tells everything.
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'failed',
      exitCode: 5,
      error: { kind: 'redirect', message: expect.stringMatching(/another origin/) },
    });
    const status = await cli(['status']);
    expect(status.stdout).toMatch(new RegExp(`sync: http://127\\.0\\.0\\.1:${front.port}/`));
    await expectNoSecrets(run.stdout, run.stderr, status.stderr);
    expect(status.stdout).not.toContain(SECRET);
    expect(hostileSeen).toEqual([]);
  }, 120_000);

  it('a same-origin redirect is followed, with the credentials', async () => {
    mode = 'redirect-same';
    const report = await sync();
    expect(report.outcome).toBe('updated');
    expect(report.instances[0]).toMatchObject({ current: VERSION });
    expect(frontSeen.some((p) => p.startsWith('/moved/endpoints/Worldwide'))).toBe(true);
    await expectNoSecrets(JSON.stringify(report), await health());
  });

  it('Retry-After: 99999999999 waits at most 24 hours, and --force overrides it', async () => {
    mode = 'retry-after';
    const started = Date.now();
    const first = await sync();
    expect(first.error).toMatchObject({ kind: 'rate-limited', status: 429 });
    expect(first.error!.message).toMatch(
      /Retry-After "99999999999" capped at 86400 s \(24 hours\)/,
    );
    const until = Date.parse(first.state.retryAfterUntil!);
    expect(until - started).toBeLessThanOrEqual(86_400_000 + 60_000);
    expect(until - started).toBeGreaterThan(86_400_000 - 60_000);
    const before = frontSeen.length;
    const unforced = await sync(false);
    expect(unforced.outcome).toBe('deferred');
    expect(frontSeen.length).toBe(before);
    mode = 'pass';
    const forced = await sync(true);
    expect(frontSeen.length).toBeGreaterThan(before);
    expect(forced.outcome).toBe('up-to-date');
    await expectNoSecrets(JSON.stringify(first), JSON.stringify(forced), await health());
  });

  it('/health never shows the ClientRequestId, even in an error naming a request URL', async () => {
    mode = 'retry-after';
    const report = await sync();
    expect(report.error!.message).toMatch(/\/version/);
    const shown = await health();
    expect(JSON.parse(shown).sync.upstream).toBe(`http://127.0.0.1:${front.port}/`);
    await expectNoSecrets(shown, JSON.stringify(report));
    mode = 'pass';
  });

  it('credentials over plain http to a non-loopback host are refused (sent in clear text)', () => {
    expect(() => parseUpstreamUrl('http://u:p@mirror.example.net/')).toThrow(
      /credentials but uses plain http/,
    );
    expect(() => parseUpstreamUrl('http://u:p@mirror.example.net/')).not.toThrow(/u:p/);
    expect(parseUpstreamUrl('https://u:p@mirror.example.net').toString()).toBe(
      'https://mirror.example.net/',
    );
    expect(() => parseUpstreamUrl('ftp://u:secret@x/')).toThrow(/\*\*\*@x/);
  });
});
