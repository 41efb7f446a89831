/**
 * The change guard end to end (issue 14): a fake upstream on loopback publishes the real
 * Worldwide data, then a version that removes 60 % of the IPv4 address space.
 *
 * - `ipurl sync` (as cron runs it, through the CLI runner, with --output and --on-change) stores it as
 *   held: the server over the same store answers /endpoints, /changes/…/0000000000, the nftables
 *   export, the page, PAC and lookups byte for byte as before; the output file is untouched;
 *   /health and `ipurl status` show it with the figures; the on-change command gets a `held`
 *   event. `ipurl accept` releases it and it is served; `ipurl reject` drops another one for good.
 * - `serve --upstream` (a mirror) holds the same way, sends a `version.held` webhook, and
 *   `POST /admin/instances/{i}/versions/{v}/accept|reject` decide it over HTTP.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/start-server.js';
import { evaluateChange } from '../../src/core/change-guard.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { filterEndpointSets } from '../../src/core/filters.js';
import { verifySignature } from '../../src/service/webhooks.js';
import { readBundled } from '../helpers/bundled-data.js';
import { runIpurl, type CliRun } from '../cli/run-cli.js';
import { CLIENT_ID, rawGet, serveStoreFile } from '../helpers/server.js';
import { syncArgs } from '../helpers/sync-args.js';
import { listenOnLoopback, type LoopbackServer } from '../helpers/upstream-server.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

const V1 = '2025013000';
const V2 = '2026110200';
const V3 = '2026110300';
const V4 = '2026110400';
const REAL = readBundled('Worldwide', V1);
const TOKEN = 'guard-test-admin-token-0123456789';

/** Remove IPv4 prefixes, largest first, skipping any that would overshoot, until 60 % of the space is gone. */
function remove60(sets: readonly EndpointSet[]): EndpointSet[] {
  const prefixes = [
    ...new Set(sets.flatMap((set) => (set.ips ?? []).filter((ip) => !ip.includes(':')))),
  ].sort((a, b) => Number(a.split('/')[1]) - Number(b.split('/')[1]));
  let current = [...sets];
  for (const prefix of prefixes) {
    const next = current.map((set) =>
      set.ips === undefined ? set : { ...set, ips: set.ips.filter((ip) => ip !== prefix) },
    );
    const fraction = evaluateChange(sets, next).ipv4.removedFraction;
    if (fraction > 0.62) continue;
    current = next;
    if (fraction >= 0.6) return current;
  }
  throw new Error('could not build a 60 % removal');
}

const SETS_V2 = remove60(REAL);
const SETS_V3 = remove60(SETS_V2);
// V4: an ordinary change after V2 (one more IPv4 prefix in set 1).
const SETS_V4 = SETS_V2.map((set) =>
  set.id === 1 ? { ...set, ips: [...(set.ips ?? []), '13.107.64.0/24'] } : set,
);

function cli(db: string, args: string[]): Promise<CliRun> {
  return runIpurl([...args, '--db', db]);
}

/** What devices and clients get from a server: compared byte for byte across a hold. */
async function served(url: string): Promise<Record<string, string>> {
  const paths = [
    `/endpoints/Worldwide?ClientRequestId=${CLIENT_ID}`,
    `/changes/Worldwide/0000000000?ClientRequestId=${CLIENT_ID}`,
    `/version/Worldwide?ClientRequestId=${CLIENT_ID}`,
    '/export/Worldwide/nftables',
    '/pac/Worldwide?type=2',
    '/lookup/Worldwide?q=52.112.0.1',
    '/Worldwide',
  ];
  const out: Record<string, string> = {};
  for (const path of paths) {
    const answer = await rawGet(url, path);
    expect(answer.status, path).toBe(200);
    out[path] = answer.text;
  }
  return out;
}

const latestServed = async (url: string): Promise<string> =>
  (await rawGet(url, `/version/Worldwide?ClientRequestId=${CLIENT_ID}`)).json().latest as string;

/** The versions /health lists as held. */
const heldVersions = async (url: string): Promise<string[]> =>
  (await rawGet(url, '/health')).json().held.map((h: { version: string }) => h.version);

describe('the change guard with ipurl sync (cron) and a server on the same store', () => {
  let upstream: FakeUpstream;
  let dir: string;
  let db: string;
  let server: RunningServer;
  let output: string;
  let events: string;
  let sync: (extra?: string[]) => ReturnType<typeof cli>;
  let before: Record<string, string>;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    dir = mkdtempSync(join(tmpdir(), 'ipurl-guard-'));
    db = join(dir, 'edge.db');
    output = join(dir, 'm365.nft');
    events = join(dir, 'events.log');
    // The on-change command appends its event, versions and stdin to a log.
    const command = `{ echo "event=$IPURL_EVENT old=$IPURL_OLD_VERSION new=$IPURL_NEW_VERSION outputs=$IPURL_OUTPUTS"; cat; } >> ${events}`;
    sync = (extra = []) =>
      cli(
        db,
        syncArgs(
          upstream.url,
          ['Worldwide'],
          '--force',
          '--output',
          `nftables:${output}`,
          '--on-change',
          command,
          ...extra,
        ),
      );
    upstream.publish(V1, REAL);
    const first = await sync();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    server = await serveStoreFile(db, { pollMs: 100 });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a 60 % removal is held: served bytes and outputs unchanged, the command gets a held event', async () => {
    expect(await latestServed(server.url)).toBe(V1);
    before = await served(server.url);
    const nft = readFileSync(output, 'utf8');
    expect(nft).toContain('13.107.6.152/31');
    const eventsBefore = readFileSync(events, 'utf8');
    expect(eventsBefore).toMatch(/^event=changed old= new=2025013000 outputs=/);

    upstream.publish(V2, SETS_V2);
    const run = await sync();
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /ipurl sync: Worldwide: 2026110200 HELD by the change guard \(6[01]\.\d % of the IPv4 address space would go \(\d+ of \d+ addresses\); the limit is 50\.0 %\); still serving 2025013000\. Release: ipurl accept Worldwide 2026110200; drop: ipurl reject Worldwide 2026110200\n/,
    );
    expect(run.stdout).toContain(
      'Worldwide: told the on-change command that 2026110200 is held (still serving 2025013000), command exited 0',
    );

    // Nothing served changed, byte for byte, and the device file is untouched.
    await new Promise((resolve) => setTimeout(resolve, 400)); // several store polls of the server
    expect(await served(server.url)).toEqual(before);
    expect(readFileSync(output, 'utf8')).toBe(nft);

    const told = readFileSync(events, 'utf8').slice(eventsBefore.length);
    expect(told).toMatch(/^event=held old=2025013000 new=2026110200 outputs=\n/);
    expect(told).toMatch(
      /Worldwide 2026110200 held by the change guard; still serving 2025013000\n {2}6[01]\.\d % of the IPv4 address space would go/,
    );
    expect(told).toContain('release: ipurl accept Worldwide 2026110200');
  }, 300_000);

  it('/health and ipurl status show the held version with the figures that tripped the guard', async () => {
    const health = (await rawGet(server.url, '/health')).json();
    expect(health.status).toBe('degraded');
    expect(health.instances).toEqual([{ instance: 'Worldwide', latest: V1 }]);
    expect(health.held).toHaveLength(1);
    const [held] = health.held;
    expect(held).toMatchObject({
      instance: 'Worldwide',
      version: V2,
      servedVersion: V1,
      versions: [V2],
    });
    expect(held.figures.ipv4RemovedFraction).toBeGreaterThanOrEqual(0.6);
    expect(held.figures.ipv4RemovedFraction).toBeLessThanOrEqual(0.62);
    expect(held.figures.urlRemovedFraction).toBe(0);
    expect(held.reasons).toEqual([
      expect.stringMatching(/^6[01]\.\d % of the IPv4 address space would go/),
    ]);

    const status = await cli(db, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      /held: Worldwide 2026110200 \(held .*; still serving 2025013000\)\n {2}6[01]\.\d % of the IPv4 address space would go/,
    );
    expect(status.stdout).toMatch(
      /IPv4 −6[01]\.\d %, IPv6 −0\.0 %, URLs −0\.0 %, IPv4 growth 0\.[34]\d×/,
    );
    expect(status.stdout).toContain(
      'release: ipurl accept Worldwide 2026110200   drop: ipurl reject Worldwide 2026110200',
    );
    const json = JSON.parse((await cli(db, ['status', '--json'])).stdout);
    expect(json.held).toEqual(health.held);
  }, 300_000);

  it('the next run neither fetches nor re-holds it, and does not repeat the held event', async () => {
    const requests = upstream.requests.length;
    const eventsBefore = readFileSync(events, 'utf8');
    const run = await sync(['--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(upstream.requests.slice(requests)).toEqual(['/version']);
    expect(readFileSync(events, 'utf8')).toBe(eventsBefore);
    const json = JSON.parse(run.stdout);
    expect(json.outcome).toBe('held');
    expect(json.instances[0]).toMatchObject({
      outcome: 'held',
      current: V1,
      remote: V2,
      newlyHeld: false,
    });
  }, 300_000);

  it('ipurl accept releases it: appended with its change records and served; the next run acts on it', async () => {
    const accepted = await cli(db, ['accept', 'worldwide', V2]);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(
      /^accepted Worldwide 2026110200 \(6[01]\.\d % of the IPv4 address space would go .*\): appended 2026110200 after 2025013000, \d+ change records?; it is served now\n$/,
    );
    await expect.poll(() => latestServed(server.url), { timeout: 60_000 }).toBe(V2);
    const endpoints = (
      await rawGet(server.url, `/endpoints/Worldwide?ClientRequestId=${CLIENT_ID}`)
    ).json();
    expect(endpoints).toEqual(filterEndpointSets(SETS_V2));
    const changes = (
      await rawGet(server.url, `/changes/Worldwide/${V1}?ClientRequestId=${CLIENT_ID}`)
    ).json();
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((record: { version: string }) => record.version === V2)).toBe(true);
    const health = (await rawGet(server.url, '/health')).json();
    expect(health).toMatchObject({ status: 'ok', held: [] });

    // The outputs follow: the next run writes the accepted version and runs the command (changed).
    const run = await sync();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Worldwide: acted on 2025013000 → 2026110200');
    expect(readFileSync(output, 'utf8')).not.toBe(before['/export/Worldwide/nftables']);
    expect(readFileSync(events, 'utf8')).toMatch(/event=changed old=2025013000 new=2026110200/);
    // Deciding it again is not possible.
    const again = await cli(db, ['accept', 'Worldwide', V2]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(
      /version 2026110200 of Worldwide is not held any more: it was accepted at .* \[ERR_NOT_HELD\]/,
    );
  }, 300_000);

  it('ipurl reject drops the next one for good; an ordinary version after it is stored at once', async () => {
    const kept = await served(server.url);
    upstream.publish(V3, SETS_V3);
    expect((await sync()).stderr).toMatch(/Worldwide: 2026110300 HELD/);
    const rejected = await cli(db, ['reject', 'Worldwide', V3]);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toBe(
      'rejected Worldwide 2026110300: nothing was appended, 2026110200 stays served; sync waits for a newer upstream version\n',
    );
    const json = JSON.parse((await sync(['--json'])).stdout);
    expect(json.instances[0]).toMatchObject({ outcome: 'rejected', current: V2, remote: V3 });
    expect(json.exitCode).toBe(0);
    expect(await served(server.url)).toEqual(kept);
    expect((await rawGet(server.url, '/health')).json().held).toEqual([]);
    const late = await cli(db, ['accept', 'Worldwide', V3]);
    expect(late.code).toBe(3);
    expect(late.stderr).toMatch(/it was rejected at/);

    upstream.publish(V4, SETS_V4);
    const run = await sync();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Worldwide: 2026110200 → 2026110400');
    await expect.poll(() => latestServed(server.url), { timeout: 60_000 }).toBe(V4);
  }, 300_000);

  it('bad input: unknown instance, malformed version, a version never held', async () => {
    expect((await cli(db, ['accept', 'Mars', V2])).stderr).toMatch(/\[ERR_UNKNOWN_INSTANCE\]/);
    const malformed = await cli(db, ['reject', 'Worldwide', '20261103']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(
      /version must be ten digits YYYYMMDDNN, e.g. 2025022800; received "20261103" \[ERR_INVALID_VERSION\]/,
    );
    const never = await cli(db, ['accept', 'Worldwide', '2026110900']);
    expect(never.code).toBe(3);
    expect(never.stderr).toMatch(
      /no version 2026110900 of Worldwide is held; held now: none \[ERR_NOT_HELD\]/,
    );
    const threshold = await cli(db, syncArgs(upstream.url, [], '--guard-max-removal', '1.5'));
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toMatch(
      /--guard-max-removal must be a fraction above 0 and at most 1, such as 0\.5 \(1 or off: never hold\); received "1\.5"/,
    );
  }, 300_000);
});

describe('the change guard on a mirror (serve --upstream): webhooks and the admin routes', () => {
  let upstream: FakeUpstream;
  let dir: string;
  let mirror: RunningServer;
  let receiver: LoopbackServer;
  const received: Array<{ event: string | undefined; body: string; signed: boolean }> = [];
  const admin = (path: string, token: string | null = TOKEN) =>
    fetch(`${mirror.url}${path}`, {
      method: 'POST',
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    upstream.publish(V1, REAL);
    receiver = await listenOnLoopback((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = request.headers['x-ipurl-event'];
        received.push({
          event: typeof event === 'string' ? event : undefined,
          body,
          signed: verifySignature(
            body,
            'hook-secret',
            request.headers['x-ipurl-signature'] as string | undefined,
          ),
        });
        response.writeHead(204).end();
      });
    });
    dir = mkdtempSync(join(tmpdir(), 'ipurl-guard-mirror-'));
    mirror = await serveStoreFile(join(dir, 'mirror.db'), {
      pollMs: 100,
      adminToken: TOKEN,
      allowPrivateTargets: true,
      upstream: upstream.url,
      sync: { intervalMs: 150, checkIntervalMs: 0 },
    });
    // The first sync of the mirror (no expect.poll outside a test).
    for (let i = 0; i < 600 && (await latestServed(mirror.url).catch(() => '')) !== V1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await mirror.store.addWebhook({
      instance: 'Worldwide',
      url: `${receiver.url}/hook`,
      secret: 'hook-secret',
    });
  }, 300_000);

  afterAll(async () => {
    await mirror?.close();
    await upstream?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the 60 % removal, tells the webhook, and POST …/accept releases it', async () => {
    const before = await served(mirror.url);
    upstream.publish(V2, SETS_V2);
    await expect.poll(() => heldVersions(mirror.url), { timeout: 60_000 }).toEqual([V2]);
    expect(await served(mirror.url)).toEqual(before);
    await expect
      .poll(() => received.filter((r) => r.event === 'version.held').length, { timeout: 60_000 })
      .toBe(1);
    const hook = received.find((r) => r.event === 'version.held')!;
    expect(hook.signed).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({
      event: 'version.held',
      instance: 'Worldwide',
      version: V2,
      servedVersion: V1,
      reasons: [expect.stringMatching(/^6[01]\.\d % of the IPv4 address space would go/)],
    });

    expect((await admin(`/admin/instances/Worldwide/versions/${V2}/accept`, null)).status).toBe(
      401,
    );
    const response = await admin(`/admin/instances/worldwide/versions/${V2}/accept`);
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      status: string;
      held: { status: string };
      appended: Array<{ version: string }>;
    };
    expect(body.status).toBe('accepted');
    expect(body.held.status).toBe('accepted');
    expect(body.appended.map((a) => a.version)).toEqual([V2]);
    expect(await latestServed(mirror.url)).toBe(V2); // at once: the route refreshes the service
    expect(
      (await rawGet(mirror.url, `/endpoints/Worldwide?ClientRequestId=${CLIENT_ID}`)).json(),
    ).toEqual(filterEndpointSets(SETS_V2));
    await expect
      .poll(() => received.filter((r) => r.event === 'version.published').length, {
        timeout: 15_000,
      })
      .toBe(1);
  }, 300_000);

  it('POST …/reject drops the next one; the mirror does not hold it again', async () => {
    const kept = await served(mirror.url);
    upstream.publish(V3, SETS_V3);
    await expect.poll(() => heldVersions(mirror.url), { timeout: 60_000 }).toEqual([V3]);
    const response = await admin(`/admin/instances/Worldwide/versions/${V3}/reject`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'rejected',
      held: { version: V3, status: 'rejected' },
    });
    await new Promise((resolve) => setTimeout(resolve, 600)); // several sync loop runs
    const health = (await rawGet(mirror.url, '/health')).json();
    expect(health).toMatchObject({
      status: 'ok',
      held: [],
      instances: [{ instance: 'Worldwide', latest: V2 }],
    });
    expect(await served(mirror.url)).toEqual(kept);
    const listed = (await (
      await fetch(`${mirror.url}/admin/held?status=rejected`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    ).json()) as {
      held: Array<{ version: string; status: string }>;
    };
    expect(listed.held.map((h) => [h.version, h.status])).toEqual([[V3, 'rejected']]);

    const late = await admin(`/admin/instances/Worldwide/versions/${V3}/accept`);
    expect(late.status).toBe(404);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe('ERR_NOT_HELD');
  }, 300_000);
});
