/**
 * Upstream trouble never costs data (issue 5): a fault-injecting fake upstream (a tiny node:http
 * server on 127.0.0.1) first serves a good version, then announces a newer one and fails in each
 * way real upstreams fail. After every failure the store is unchanged, the server over the same
 * store keeps answering with the last good version, /health shows the error, and the failure is
 * logged once per episode. Then the upstream recovers and the new version lands.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/start-server.js';
import { diffVersions } from '../../src/core/diff.js';
import type { ChangeRecord } from '../../src/core/change-record.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { filterEndpointSets } from '../../src/core/filters.js';
import type { Store } from '../../src/core/store.js';
import { syncOnce, type SyncReport } from '../../src/service/sync.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readBundled } from '../helpers/bundled-data.js';
import { CLIENT_ID, rawGet, serveStoreFile } from '../helpers/server.js';
import {
  listenOnLoopback,
  sendJson,
  sendNoRoute,
  type LoopbackServer,
} from '../helpers/upstream-server.js';

const V1 = '2025013000';
const V2 = '2025022800';
const setsV1: EndpointSet[] = readBundled('Worldwide', V1);
// V2: one more IP in set 1 and a new tenant URL in set 8.
const setsV2: EndpointSet[] = setsV1.map((set) =>
  set.id === 1
    ? { ...set, ips: [...(set.ips ?? []), '52.120.0.0/14'] }
    : set.id === 8
      ? { ...set, urls: [...(set.urls ?? []), 'autodiscover.<tenant>.mail.onmicrosoft.com'] }
      : set,
);
function records(
  previous: EndpointSet[],
  next: EndpointSet[],
  version: string,
  firstId: number,
): ChangeRecord[] {
  return diffVersions(previous, next, { version, effectiveDate: '20250301' }).map((draft, i) => ({
    ...draft,
    id: firstId + i,
  }));
}
const changesV1 = records([], setsV1, V1, 1);
const changesV2 = records(setsV1, setsV2, V2, changesV1.length + 1);

type Mode =
  | 'good-v1'
  | 'good-v2'
  | 'http-500'
  | 'rate-limited'
  | 'hang'
  | 'truncated-connection'
  | 'truncated-json'
  | 'invalid-json'
  | 'wrong-content-type'
  | 'invalid-data';

const ENDPOINTS = `/endpoints/Worldwide?ClientRequestId=${CLIENT_ID}`;

let mode: Mode = 'good-v1';
const seen: Array<{ path: string; clientRequestId: string | null }> = [];
let upstream: LoopbackServer;
let dir: string;
let store: Store;
let mirror: RunningServer;

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({ path: url.pathname, clientRequestId: url.searchParams.get('ClientRequestId') });
  const latest = mode === 'good-v1' ? V1 : V2;
  const sets = mode === 'good-v1' ? setsV1 : setsV2;
  const all = mode === 'good-v1' ? changesV1 : [...changesV1, ...changesV2];
  if (url.pathname === '/version') return sendJson(res, [{ instance: 'Worldwide', latest }]);
  if (url.pathname === '/version/Worldwide') {
    return sendJson(res, {
      instance: 'Worldwide',
      latest,
      versions: latest === V1 ? [V1] : [V2, V1],
    });
  }
  if (url.pathname.startsWith('/endpoints/Worldwide')) {
    switch (mode) {
      case 'http-500':
        res.writeHead(500, { 'content-type': 'text/plain' });
        return void res.end('internal error');
      case 'rate-limited':
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '120' });
        return void res.end('{"error":"rate limited"}');
      case 'hang':
        return; // never answers; the client's deadline fires
      case 'truncated-connection': {
        const text = JSON.stringify(sets);
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        res.write(text.slice(0, 500));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      case 'truncated-json': {
        const text = JSON.stringify(sets).slice(0, 700);
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        return void res.end(text);
      }
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('[{"id": 1, "serviceArea": "Exchange",}]');
      case 'wrong-content-type':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end('<html><body>Please log in to the proxy</body></html>');
      case 'invalid-data':
        return sendJson(
          res,
          sets.map((set) =>
            set.id === 1 ? { ...set, category: 'Fast', ips: ['13.107.6.300/31'] } : set,
          ),
        );
      default: {
        const tenant = url.searchParams.get('TenantName') ?? undefined;
        return sendJson(
          res,
          filterEndpointSets(sets, tenant === undefined ? {} : { tenantName: tenant }),
        );
      }
    }
  }
  const changes = /^\/changes\/Worldwide\/(\d{10})$/.exec(url.pathname);
  if (changes !== null)
    return sendJson(
      res,
      all.filter((record) => record.version > changes[1]!),
    );
  sendNoRoute(res);
}

async function snapshot(): Promise<string> {
  const versions = await store.listVersions('Worldwide');
  const changes = await store.getChanges('Worldwide', { after: '0000000000' });
  const sets = await store.getEndpointSets('Worldwide', versions[0]!.version);
  return JSON.stringify({ versions: versions.map((v) => v.version), changes, sets });
}

const sync = (extra: { timeoutMs?: number; force?: boolean } = {}): Promise<SyncReport> =>
  syncOnce(store, {
    upstream: upstream.url,
    instances: ['Worldwide'],
    force: true,
    timeoutMs: 5000,
    ...extra,
  });

beforeAll(async () => {
  upstream = await listenOnLoopback(handle);
  dir = mkdtempSync(join(tmpdir(), 'ipurl-sync-faults-'));
  store = await createSqliteStore({ filename: join(dir, 'mirror.db') });
  // The server reads the same file (as `serve` next to a cron `sync` would).
  mirror = await serveStoreFile(join(dir, 'mirror.db'), { pollMs: 100 });
});

afterAll(async () => {
  await mirror?.close();
  await store?.close();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sync from a fault-injecting upstream', () => {
  let good: string;
  let goodEndpoints: string;

  it('takes the first version with its full change history, and the mirror serves it', async () => {
    const report = await sync();
    expect(report.outcome).toBe('updated');
    expect(report.instances[0]).toMatchObject({
      instance: 'Worldwide',
      previous: null,
      current: V1,
      added: [V1],
      changeRecords: changesV1.length,
    });
    expect(report.log).toEqual([]);
    const stored = await store.getChanges('Worldwide', { after: '0000000000' });
    expect(stored).toEqual(changesV1); // the upstream's records as they are: ids, effective dates
    // The tenant placeholder came back from the marker request.
    const set8 = (await store.getEndpointSets('Worldwide', V1))!.find((s) => s.id === 8)!;
    expect(set8.urls).toContain('autodiscover.<tenant>.onmicrosoft.com');
    await expect
      .poll(async () => (await rawGet(mirror.url, ENDPOINTS)).status, { timeout: 5000 })
      .toBe(200);
    goodEndpoints = (await rawGet(mirror.url, ENDPOINTS)).text;
    expect(JSON.parse(goodEndpoints)).toEqual(filterEndpointSets(setsV1));
    good = await snapshot();
  });

  it('a second run within the hour makes no request at all', async () => {
    const before = seen.length;
    const report = await syncOnce(store, { upstream: upstream.url, instances: ['Worldwide'] });
    expect(report.outcome).toBe('skipped');
    expect(seen.length).toBe(before);
  });

  const faults: Array<{ mode: Mode; kind: string; timeoutMs?: number }> = [
    { mode: 'http-500', kind: 'http-status' },
    { mode: 'hang', kind: 'timeout', timeoutMs: 400 },
    { mode: 'truncated-connection', kind: 'truncated' },
    { mode: 'truncated-json', kind: 'truncated' },
    { mode: 'invalid-json', kind: 'invalid-json' },
    { mode: 'wrong-content-type', kind: 'content-type' },
    { mode: 'invalid-data', kind: 'invalid-data' },
  ];

  faults.forEach((fault, index) => {
    it(`${fault.mode}: store unchanged, server still answering, /health shows ${fault.kind}`, async () => {
      mode = fault.mode;
      const report = await sync(
        fault.timeoutMs === undefined ? {} : { timeoutMs: fault.timeoutMs },
      );
      expect(report.outcome).toBe('failed');
      expect(report.error).toMatchObject({ code: 'ERR_UPSTREAM', kind: fault.kind });
      // Logged once per episode: only the first failure of the run of failures says so.
      expect(report.log.length).toBe(index === 0 ? 1 : 0);
      expect(report.state.failures).toBe(index + 1);
      expect(await snapshot()).toBe(good);
      const endpoints = await rawGet(mirror.url, ENDPOINTS);
      expect(endpoints.status).toBe(200);
      expect(endpoints.text).toBe(goodEndpoints);
      const health = (await rawGet(mirror.url, '/health')).json();
      expect(health.status).toBe('degraded');
      expect(health.sync.lastError.kind).toBe(fault.kind);
      expect(health.sync.failures).toBe(index + 1);
      expect(health.sync.lastSuccessAt).not.toBeNull();
      expect(health.instances).toEqual([{ instance: 'Worldwide', latest: V1 }]);
    });
  });

  it('a refused connection (upstream down) is one more failure of the same episode', async () => {
    const port = upstream.port;
    await upstream.close();
    try {
      const report = await sync({ timeoutMs: 2000 });
      expect(report.outcome).toBe('failed');
      expect(report.error).toMatchObject({ code: 'ERR_UPSTREAM', kind: 'refused' });
      expect(report.log).toEqual([]);
      expect(report.state.failures).toBe(faults.length + 1);
      expect(await snapshot()).toBe(good);
      expect((await rawGet(mirror.url, '/health')).json().sync.lastError.kind).toBe('refused');
      expect((await rawGet(mirror.url, ENDPOINTS)).text).toBe(goodEndpoints);
    } finally {
      upstream = await listenOnLoopback(handle, '127.0.0.1', port);
    }
  });

  it('429 with Retry-After: honoured without --force, and the ClientRequestId never changes', async () => {
    mode = 'rate-limited';
    const first = await sync();
    expect(first.error).toMatchObject({ kind: 'rate-limited', status: 429 });
    const until = Date.parse(first.state.retryAfterUntil!);
    expect(until - Date.now()).toBeGreaterThan(100_000);
    expect(until - Date.now()).toBeLessThanOrEqual(120_000);
    const before = seen.length;
    const again = await sync({ force: false }); // no request before Retry-After has passed
    expect(again.outcome).toBe('deferred');
    expect(seen.length).toBe(before);
    expect(await snapshot()).toBe(good);
    expect(new Set(seen.map((s) => s.clientRequestId)).size).toBe(1);
    expect(seen[0]!.clientRequestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('recovers when the upstream is good again: the new version lands, the episode ends', async () => {
    mode = 'good-v2';
    const later = new Date(Date.now() + 130_000); // past Retry-After
    const report = await syncOnce(store, {
      upstream: upstream.url,
      instances: ['Worldwide'],
      now: () => later,
      force: true,
      timeoutMs: 5000,
    });
    expect(report.outcome).toBe('updated');
    expect(report.instances[0]).toMatchObject({
      previous: V1,
      current: V2,
      added: [V2],
      changeRecords: changesV2.length,
    });
    expect(report.log.join('\n')).toMatch(/recovered after 9 failed attempt/);
    expect(await store.getChanges('Worldwide', { after: V1 })).toEqual(changesV2);
    const set8 = (await store.getEndpointSets('Worldwide', V2))!.find((s) => s.id === 8)!;
    expect(set8.urls).toEqual([
      '*.outlook.com',
      'autodiscover.<tenant>.onmicrosoft.com',
      'autodiscover.<tenant>.mail.onmicrosoft.com',
    ]);
    await expect
      .poll(async () => (await rawGet(mirror.url, '/health')).json().status, { timeout: 5000 })
      .toBe('ok');
    await expect
      .poll(
        async () =>
          (await rawGet(mirror.url, `/version/Worldwide?ClientRequestId=${CLIENT_ID}`)).json()
            .latest,
        { timeout: 5000 },
      )
      .toBe(V2);
    const contoso = (
      await rawGet(
        mirror.url,
        `/endpoints/Worldwide?TenantName=contoso&ClientRequestId=${CLIENT_ID}`,
      )
    ).json();
    expect(contoso).toEqual(filterEndpointSets(setsV2, { tenantName: 'contoso' }));
  });
});
