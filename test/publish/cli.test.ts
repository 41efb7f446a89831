/**
 * The publisher's command line (in-process runner, in its own folder) against a real SQLite file: dry run,
 * publish, no-op, invalid documents (exit 2, every issue on stderr), history tables, and webhooks
 * end to end with a real receiver on loopback (500 first, then accepted; `webhooks status` shows
 * the attempts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { loadBundledDataset } from '../../src/service/bundle.js';
import { seedStore } from '../../src/service/seed.js';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  deliverDue,
  verifySignature,
} from '../../src/service/webhooks.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { bundledUntil, readBundled } from '../helpers/bundled-data.js';
import { runIpurl, type CliRun } from '../cli/run-cli.js';
import { listenOnLoopback, type LoopbackServer } from '../helpers/upstream-server.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-cli-publish-'));
const db = join(dir, 'ipurl.db');

function ipurl(args: readonly string[], stdin?: string): Promise<CliRun> {
  return runIpurl(args, {
    cwd: dir,
    env: { IPURL_DB: db },
    ...(stdin === undefined ? {} : { stdin }),
  });
}

function nextDocument(): EndpointSet[] {
  const doc = structuredClone(readBundled('Worldwide', '2025013000')) as Array<
    EndpointSet & { ips?: string[] }
  >;
  doc[0]!.ips = [...(doc[0]!.ips ?? []), '145.0.100.0/24'];
  doc.splice(5, 1);
  return doc;
}

beforeAll(async () => {
  const store = await createSqliteStore({ filename: db });
  // The history as it stood at 2025013000: these tests publish the version after it.
  await seedStore(store, bundledUntil(await loadBundledDataset(), '2025013000'));
  await store.close();
  writeFileSync(join(dir, 'next.json'), JSON.stringify(nextDocument(), null, 2));
  const bad = structuredClone(readBundled('Worldwide', '2025013000')) as unknown as Array<
    Record<string, unknown>
  >;
  bad[0]!.ips = ['10.0.0.1/8'];
  bad[1]!.tcpPorts = '443-80';
  bad[2]!.category = 'Fast';
  writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ipurl publish', () => {
  it('--dry-run prints the plan grouped by disposition and stores nothing', async () => {
    const run = await ipurl([
      'publish',
      'Worldwide',
      'next.json',
      '--dry-run',
      '--effective-date',
      '20270115',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Plan \(dry run\): Worldwide \d{10}, after 2025013000$/m);
    expect(run.stdout).toMatch(/change records: 2 \(0 Add, 1 Change, 1 Remove\)/);
    expect(run.stdout).toMatch(/^Change \(1\)$/m);
    expect(run.stdout).toMatch(/^ {2}set 1 {2}AddedIp$/m);
    expect(run.stdout).toMatch(/\+ ip {2}145\.0\.100\.0\/24/);
    expect(run.stdout).toMatch(/^Remove \(1\)$/m);
    expect(run.stdout).toMatch(/additions effective 20270115/);
    expect(run.stdout).toMatch(/Dry run: nothing was stored\./);
    const versions = await ipurl(['versions', 'Worldwide', '--json']);
    expect((JSON.parse(versions.stdout) as Array<{ version: string }>)[0]?.version).toBe(
      '2025013000',
    );
  }, 120_000);

  it('rejects an invalid document with exit 2 and every issue on stderr', async () => {
    const run = await ipurl(['publish', 'Worldwide', 'bad.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/3 problems; nothing was stored \[ERR_VALIDATION\]/);
    expect(run.stderr).toMatch(/set 1 \[0\]\.ips\[0\]: .*10\.0\.0\.0\/8/);
    expect(run.stderr).toMatch(/\[1\]\.tcpPorts/);
    expect(run.stderr).toMatch(/\[2\]\.category/);
    const usage = await ipurl([
      'publish',
      'Worldwide',
      'next.json',
      '--notice-days',
      '5',
      '--effective-date',
      '20270101',
    ]);
    expect(usage.code).toBe(2);
    const missing = await ipurl(['publish', 'Worldwide', 'nope.json']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no such file/);
  }, 120_000);

  it('publishes from stdin, then re-publishing identical data is a no-op that says so (exit 0)', async () => {
    const run = await ipurl(
      ['publish', 'worldwide', '-', '--notice-days', '14'],
      JSON.stringify(nextDocument()),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Published: Worldwide (\d{10}), after 2025013000$/m);
    const version = /^Published: Worldwide (\d{10})/m.exec(run.stdout)?.[1];
    const again = await ipurl(['publish', 'Worldwide', 'next.json']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      new RegExp(`^No change: Worldwide ${version} already holds exactly this data`),
    );

    const versions = await ipurl(['versions', 'Worldwide']);
    expect(versions.code).toBe(0);
    expect(versions.stdout).toMatch(new RegExp(`^Worldwide: 37 versions, latest ${version}`));
    expect(versions.stdout).toMatch(
      /VERSION\s+PUBLISHED \(UTC\)\s+SETS\s+RECORDS\s+ADD\/CHG\/REM\s+IPS\s+URLS/,
    );
    expect(versions.stdout).toMatch(
      new RegExp(`^${version} .* 66 +2 +0/1/1 +\\+1 -\\d+ +\\+0 -\\d+$`, 'm'),
    );

    const changes = await ipurl(['changes', 'Worldwide', '--version', version ?? '']);
    expect(changes.code).toBe(0);
    expect(changes.stdout).toMatch(
      new RegExp(`^Worldwide: 2 change records in version ${version}`),
    );
    expect(changes.stdout).toMatch(/Change\s+AddedIp\s+\d{8}\s+1 IP\s+-/);
    const since = await ipurl(['changes', 'Worldwide', '--since', '2024103100', '--json']);
    expect((JSON.parse(since.stdout) as unknown[]).length).toBe(11 + 2);
  }, 120_000);
});

describe('ipurl webhooks', () => {
  let receiver: LoopbackServer;
  let url = '';
  const accepted = new Map<string, number>();
  const attempts: string[] = [];
  let secret = '';

  beforeAll(async () => {
    receiver = await listenOnLoopback((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const id = String(request.headers[DELIVERY_HEADER]);
        attempts.push(id);
        if (
          !verifySignature(body, secret, request.headers[SIGNATURE_HEADER] as string | undefined)
        ) {
          response.writeHead(401).end();
          return;
        }
        if (attempts.filter((a) => a === id).length === 1) {
          response.writeHead(500).end('try again');
          return;
        }
        accepted.set(id, (accepted.get(id) ?? 0) + 1);
        response.writeHead(204).end();
      });
    });
    url = `${receiver.url}/ipurl`;
  });
  afterAll(() => receiver.close());

  it('adds a webhook with a generated secret, delivers a publish after a 500, and shows the attempts', async () => {
    const add = await ipurl(['webhooks', 'add', 'China', url]);
    expect(add.code).toBe(0);
    secret = /secret \(shown once[^:]*\): (\S+)/.exec(add.stdout)?.[1] ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const list = await ipurl(['webhooks', 'list']);
    expect(list.stdout).toContain(url);
    expect(list.stdout).not.toContain(secret);

    const doc = structuredClone(readBundled('China', '2025013000')) as Array<
      EndpointSet & { urls?: string[] }
    >;
    doc[0]!.urls = [...(doc[0]!.urls ?? []), 'new.partner.example.cn'];
    const publish = await ipurl(['publish', 'China', '-'], JSON.stringify(doc));
    expect(publish.code).toBe(0);
    expect(publish.stdout).toMatch(/1 webhook delivery queued/);

    const first = await ipurl(['webhooks', 'deliver', '--allow-private-targets']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/attempt 1: HTTP 500: retry, next attempt /);
    const pending = await ipurl(['webhooks', 'status']);
    expect(pending.stdout).toMatch(
      /DELIVERY\s+WEBHOOK\s+VERSION\s+STATUS\s+ATTEMPTS\s+LAST CODE\s+LAST ERROR\s+LAST ATTEMPT\s+NEXT ATTEMPT/,
    );
    expect(pending.stdout).toMatch(/China \d{10}\s+pending\s+1\s+500\s+receiver answered HTTP 500/);

    // The retry is not due for 30 s; the status JSON shows when. Nothing is sent early.
    const early = await ipurl(['webhooks', 'deliver', '--allow-private-targets']);
    expect(early.stdout).toBe('no delivery due\n');
    const [delivery] = JSON.parse((await ipurl(['webhooks', 'status', '--json'])).stdout) as Array<{
      id: string;
      lastAttemptAt: string;
      nextAttemptAt: string;
    }>;
    // The first retry is due 30 s after the failed attempt (measured between the two stored
    // times, so a slow machine cannot make it look early).
    expect(
      Date.parse(delivery?.nextAttemptAt ?? '') - Date.parse(delivery?.lastAttemptAt ?? ''),
    ).toBe(30_000);

    // Thirty seconds later (a pinned clock stands for the wait), the next pass delivers it.
    const store = await createSqliteStore({ filename: db });
    try {
      const outcomes = await deliverDue(store, {
        allowPrivateTargets: true,
        now: () => new Date(Date.parse(delivery!.nextAttemptAt)),
      });
      expect(outcomes.map((o) => [o.id, o.attempt, o.statusCode, o.result])).toEqual([
        [delivery!.id, 2, 204, 'delivered'],
      ]);
    } finally {
      await store.close();
    }
    const done = await ipurl(['webhooks', 'status', '--status', 'delivered']);
    expect(done.stdout).toMatch(/China \d{10}\s+delivered\s+2\s+204\s+-/);
    expect([...accepted.values()]).toEqual([1]);
    expect(accepted.has(delivery!.id)).toBe(true);

    const removed = await ipurl(['webhooks', 'remove', '1']);
    expect(removed.code).toBe(0);
    expect((await ipurl(['webhooks', 'remove', '1'])).code).toBe(3);
  }, 180_000);
});
