/**
 * `ipurl observe` against real DNS servers this test starts on loopback: dnsmasq with
 * host-records for real names of URL-only sets (Worldwide 2025013000), `local=/#/` so every other
 * name is NXDOMAIN, and one name forwarded to a small UDP responder that answers SERVFAIL. The
 * service runs over a real SQLite store with a fake clock (`now`) for first/last seen, TTL
 * updates and expiry; the CLI is run for its bad-input exits and a real run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDnsResolver } from '../../src/client/dns-resolver.js';
import type { Store } from '../../src/core/store.js';
import { observeOnce } from '../../src/service/observe.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { REPO_ROOT, readBundled } from '../helpers/bundled-data.js';
import { ipurlNodeArgs, runIpurl, type CliRun } from '../cli/run-cli.js';
import { describeWith, hasCommand } from '../helpers/system.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-observe-'));
const dbFile = join(dir, 'observe.db');
let store: Store;
let servfail: Socket;
const dnsmasqPids: number[] = [];

/** Answers every query with SERVFAIL (RCODE 2), echoing id and question. */
function startServfail(): Promise<number> {
  servfail = createSocket('udp4');
  servfail.on('message', (msg, rinfo) => {
    const reply = Buffer.from(msg);
    reply[2] = 0x81; // QR, RD
    reply[3] = 0x82; // RA, RCODE 2
    servfail.send(reply, rinfo.port, rinfo.address);
  });
  return new Promise((resolve) =>
    servfail.bind(0, '127.0.0.1', () => resolve(servfail.address().port)),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

async function startDnsmasq(records: string[], servfailPort: number, ttl: number): Promise<number> {
  const port = await freePort();
  const pidFile = join(dir, `dnsmasq-${port}.pid`);
  const args = [
    '--conf-file=/dev/null',
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    `--port=${port}`,
    '--no-resolv',
    '--no-hosts',
    '--local=/#/',
    `--server=/g.live.com/127.0.0.1#${servfailPort}`,
    `--pid-file=${pidFile}`,
    ...records.map((r) => `--host-record=${r},${ttl}`),
  ];
  const started = spawnSync('dnsmasq', args, { encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`dnsmasq: ${started.stderr}`);
  const { readFileSync } = await import('node:fs');
  dnsmasqPids.push(Number(readFileSync(pidFile, 'utf8').trim()));
  return port;
}

beforeAll(async () => {
  store = await createSqliteStore({ filename: dbFile });
  await store.appendVersion({
    instance: 'Worldwide',
    version: '2025013000',
    sets: readBundled('Worldwide', '2025013000'),
    changes: [],
    expectedLatest: null,
    notify: false,
  });
});
afterAll(async () => {
  for (const pid of dnsmasqPids) {
    try {
      process.kill(pid);
    } catch {
      /* already gone */
    }
  }
  servfail?.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const T1 = new Date('2026-11-01T10:00:00Z');
const hours = (n: number): Date => new Date(T1.getTime() + n * 3_600_000);
const WEEK = 7 * 86_400;

/** An observation as the first run at T1 stores it: first and last seen then, TTL 300 s. */
const seenOnlyAtT1 = (setId: number, name: string, address: string, family: 4 | 6) => ({
  instance: 'Worldwide',
  setId,
  name,
  address,
  family,
  firstSeen: T1.toISOString(),
  lastSeen: T1.toISOString(),
  ttl: 300,
});

describeWith('dnsmasq (a local DNS server)', hasCommand('dnsmasq'))('ipurl observe', () => {
  it('keeps first and last seen and TTL, reports SERVFAIL and refused answers per name, expires unseen addresses', async () => {
    const sf = await startServfail();
    // aka.ms (set 17) and admin.onedrive.com (set 35) are URL-only sets; addresses inside
    // Microsoft's ranges. ssw.live.com answers a documentation address: refused by the policy.
    const first = await startDnsmasq(
      [
        'aka.ms,20.70.246.20,2603:1030:b:3::152',
        'admin.onedrive.com,13.107.42.12,2620:1ec:42::12',
        'ssw.live.com,192.0.2.55',
      ],
      sf,
      300,
    );
    const r1 = await observeOnce(store, createDnsResolver(`127.0.0.1:${first}`), {
      instance: 'worldwide',
      expireSeconds: WEEK,
      now: T1,
    });
    expect(r1.names).toBe(102);
    expect(r1.errors).toEqual([
      { name: 'g.live.com', error: 'the resolver answered SERVFAIL (ESERVFAIL)' },
    ]);
    expect(r1.refused).toEqual([
      {
        name: 'ssw.live.com',
        address: '192.0.2.55',
        why: expect.stringMatching(/192\.0\.2\.55\/32 lies in 192\.0\.2\.0\/24/),
      },
    ]);
    expect(r1.added).toBe(4);
    let seen = await store.listObservations('Worldwide');
    expect(seen).toEqual([
      seenOnlyAtT1(17, 'aka.ms', '20.70.246.20', 4),
      seenOnlyAtT1(17, 'aka.ms', '2603:1030:b:3::152', 6),
      seenOnlyAtT1(35, 'admin.onedrive.com', '13.107.42.12', 4),
      seenOnlyAtT1(35, 'admin.onedrive.com', '2620:1ec:42::12', 6),
    ]);

    // An hour later another server answers aka.ms only, with a new TTL.
    const second = await startDnsmasq(['aka.ms,20.70.246.20,2603:1030:b:3::152'], sf, 600);
    const r2 = await observeOnce(store, createDnsResolver(`127.0.0.1:${second}`), {
      instance: 'Worldwide',
      expireSeconds: WEEK,
      now: hours(1),
    });
    expect(r2.added).toBe(0);
    seen = await store.listObservations('Worldwide');
    expect(
      seen.filter((o) => o.name === 'aka.ms').map((o) => [o.firstSeen, o.lastSeen, o.ttl]),
    ).toEqual([
      [T1.toISOString(), hours(1).toISOString(), 600],
      [T1.toISOString(), hours(1).toISOString(), 600],
    ]);

    // Eight days later: admin.onedrive.com was not seen for more than --expire 7d.
    const r3 = await observeOnce(store, createDnsResolver(`127.0.0.1:${second}`), {
      instance: 'Worldwide',
      expireSeconds: WEEK,
      now: hours(8 * 24),
    });
    expect(r3.expired).toBe(2);
    expect((await store.listObservations('Worldwide')).map((o) => o.name)).toEqual([
      'aka.ms',
      'aka.ms',
    ]);

    // The resolver goes away: every name fails, nothing expires, the outage is new once.
    const dead = await freePort();
    const r4 = await observeOnce(store, createDnsResolver(`127.0.0.1:${dead}`, 300, 1), {
      instance: 'Worldwide',
      expireSeconds: 60,
      now: hours(30 * 24),
    });
    expect(r4.resolverDown).toBe(true);
    expect(r4.newOutage).toBe(true);
    expect(r4.expired).toBe(0);
    expect(r4.errors).toHaveLength(102);
    const r5 = await observeOnce(store, createDnsResolver(`127.0.0.1:${dead}`, 300, 1), {
      instance: 'Worldwide',
      expireSeconds: 60,
      now: hours(31 * 24),
    });
    expect(r5.newOutage).toBe(false);
    expect(await store.listObservations('Worldwide')).toHaveLength(2);
    const r6 = await observeOnce(store, createDnsResolver(`127.0.0.1:${second}`), {
      instance: 'Worldwide',
      expireSeconds: WEEK,
      now: hours(32 * 24),
    });
    expect(r6.recovered).toBe(true);
  });
});

function ipurl(args: readonly string[]): Promise<CliRun> {
  return runIpurl(args, { env: { IPURL_DB: dbFile } });
}

describe('ipurl observe (command line)', { timeout: 120_000 }, () => {
  it('refuses a --resolver that is not host:port and an --expire unit it does not know (exit 2)', async () => {
    const resolver = await ipurl(['observe', 'Worldwide', '--resolver', 'dns.example.net']);
    expect(resolver.code).toBe(2);
    expect(resolver.stderr).toMatch(/--resolver: "dns\.example\.net" is not host:port/);
    const expire = await ipurl(['observe', 'Worldwide', '--expire', '7y']);
    expect(expire.code).toBe(2);
    expect(expire.stderr).toMatch(/--expire: "7y" has an unknown unit "y"/);
  });
});

describe('ipurl status and /metrics show observations', { timeout: 120_000 }, () => {
  it('status names the count and the last run', async () => {
    const status = await ipurl(['status']);
    expect(status.stdout).toMatch(
      /^observe Worldwide: \d+ observed addresses; last run \S+ via 127\.0\.0\.1:\d+/m,
    );
  });
});

describe('ipurl lookup --include-observed', { timeout: 120_000 }, () => {
  it('labels an observed address observed, and shows nothing observed without the flag', async () => {
    const withFlag = await ipurl(['lookup', '20.70.246.20', '--include-observed']);
    expect(withFlag.code, withFlag.stderr).toBe(0);
    expect(withFlag.stdout).toMatch(
      /^ {2}set {2}17 {2}observed aka\.ms \(first seen 2026-11-01T10:00:00\.000Z, last seen \S+, TTL 600 s\)$/m,
    );
    const without = await ipurl(['lookup', '20.70.246.20']);
    expect(without.stdout).not.toMatch(/observed/);
  });
});

describeWith('dnsmasq (a local DNS server)', hasCommand('dnsmasq'))(
  'ipurl observe --interval',
  { timeout: 120_000 },
  () => {
    it('keeps running, resolves again after the interval, and stops cleanly on SIGTERM', async () => {
      const sf = await startServfail();
      const port = await startDnsmasq(['aka.ms,20.70.246.21'], sf, 120);
      const child = spawn(
        process.execPath,
        ipurlNodeArgs([
          'observe',
          'Worldwide',
          '--resolver',
          `127.0.0.1:${port}`,
          '--interval',
          '10s',
          '--json',
        ]),
        { cwd: REPO_ROOT, env: { ...process.env, IPURL_DB: dbFile, NO_COLOR: '1' } },
      );
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      // Wait (bounded by the test timeout) for two runs: one at start, one after the interval.
      const runs = (): Array<{ lastRunAt: string; answered: number }> =>
        stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { lastRunAt: string; answered: number });
      while (runs().length < 2) await new Promise((r) => setTimeout(r, 200));
      const [first, second] = runs();
      expect(second!.lastRunAt > first!.lastRunAt).toBe(true);
      expect(first!.answered).toBeGreaterThan(0);
      const seen = (await store.listObservations('Worldwide')).find(
        (o) => o.address === '20.70.246.21',
      );
      // Seen by both runs: first seen at the first, last seen at the second.
      expect(seen).toMatchObject({ firstSeen: first!.lastRunAt, lastSeen: second!.lastRunAt });
      child.kill('SIGTERM');
      expect(await closed).toBe(0);
    });
  },
);
