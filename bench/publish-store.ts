/**
 * Store part of the publish benchmark (issues 3 and 6: "publish time on SQLite and on
 * PostgreSQL"): `appendVersion` of a synthetic 20,000-set / 500,000-prefix version over a
 * 20,000-set base, into a real SQLite file and into the local PostgreSQL. The diff is computed
 * beforehand and not timed (bench/publish.ts measures diff + publish end to end).
 *
 * Each store runs in its own child process so its peak RSS is its own.
 * Anchors, measured in the same child: SQLite — writing the same version's JSON text to a file
 * and fsync-ing it (the floor for persisting those bytes on this disk); PostgreSQL — one INSERT
 * of the whole JSON text as a single value in one transaction (the floor for shipping and
 * committing those bytes to this server).
 *
 * Run: `npx tsx bench/publish-store.ts` (writes bench/results/publish-store.md). Not a test.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { diffVersions } from '../src/core/diff.js';
import type { EndpointSet, ServiceArea } from '../src/core/endpoint-set.js';
import type { Store } from '../src/core/store.js';
import { mulberry32 } from './lib/random.js';

const SETS = 20_000;
const PREFIXES = 500_000;
const POSTGRES_URL =
  process.env.IPURL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AREAS: readonly ServiceArea[] = ['Exchange', 'SharePoint', 'Skype', 'Common'];

let prefixCounter = 0;
function freshPrefix(): string {
  const base = (11 << 24) + prefixCounter++ * 256;
  return `${(base >>> 24) & 255}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.0/24`;
}

function makeSet(id: number, prefixes: number): EndpointSet {
  const serviceArea = AREAS[id % AREAS.length]!;
  return {
    id,
    serviceArea,
    serviceAreaDisplayName: serviceArea,
    urls: [`*.svc${id}.example.com`, `host.svc${id}.example.net`],
    ips: Array.from({ length: prefixes }, freshPrefix),
    tcpPorts: '80,443',
    expressRoute: id % 3 === 0,
    category: id % 5 === 0 ? 'Optimize' : id % 2 === 0 ? 'Allow' : 'Default',
    required: id % 4 !== 0,
    ...(id % 11 === 0 ? { notes: '' } : {}),
  };
}

/**
 * Base: 20,000 sets × 25 prefixes = 500,000; next: 1 % removed, as many new ids, 2 % with
 * prefixes swapped, topped up to exactly 500,000 prefixes (a few more sets gain one).
 */
function synthesise(): { base: EndpointSet[]; next: EndpointSet[] } {
  const random = mulberry32(20261128);
  const perSet = PREFIXES / SETS;
  const base = Array.from({ length: SETS }, (_, i) => makeSet(i + 1, perSet));
  const next: EndpointSet[] = [];
  for (const set of base) {
    const r = random();
    if (r < 0.01) continue;
    const ips = [...(set.ips ?? [])];
    if (r < 0.03) ips.splice(0, 3, freshPrefix(), freshPrefix());
    next.push({ ...set, ips });
  }
  let id = SETS;
  while (next.length < SETS) next.push(makeSet(++id, perSet));
  let total = next.reduce((n, s) => n + (s.ips?.length ?? 0), 0);
  for (let i = 0; total < PREFIXES; i = (i + 1) % next.length, total++)
    (next[i]!.ips as string[]).push(freshPrefix());
  return { base, next };
}

interface ChildResult {
  store: string;
  sets: number;
  prefixes: number;
  jsonMiB: number;
  changeRecords: number;
  baseAppendMs: number;
  nextAppendMs: number;
  readBackMs: number;
  anchorMs: number;
  anchor: string;
  peakRssMiB: number;
}

const now = () => process.hrtime.bigint();
const since = (t: bigint) => Number(now() - t) / 1e6;

async function child(kind: 'sqlite' | 'postgres'): Promise<void> {
  const { base, next } = synthesise();
  const nextText = JSON.stringify(next);
  const baseDrafts = diffVersions([], base, { version: '2026110100', effectiveDate: '20261201' });
  const nextDrafts = diffVersions(base, next, { version: '2026112800', effectiveDate: '20261228' });
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-bench-store-'));
  const schema = `ipurl_bench_${process.pid}`;
  let store: Store;
  let anchorMs: number;
  let anchor: string;
  if (kind === 'sqlite') {
    const { createSqliteStore } = await import('../src/store/sqlite/sqlite-store.js');
    store = await createSqliteStore({ filename: join(dir, 'bench.db') });
    const t = now();
    const fd = openSync(join(dir, 'anchor.json'), 'w');
    writeSync(fd, nextText);
    fsyncSync(fd);
    closeSync(fd);
    anchorMs = since(t);
    anchor = 'write + fsync the version JSON to a file';
  } else {
    const { createPostgresStore } = await import('../src/store/postgres/postgres-store.js');
    store = await createPostgresStore({ connectionString: POSTGRES_URL, schema });
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`CREATE TABLE ${schema}.anchor (body text)`);
    const t = now();
    await client.query('BEGIN');
    await client.query(`INSERT INTO ${schema}.anchor VALUES ($1)`, [nextText]);
    await client.query('COMMIT');
    anchorMs = since(t);
    await client.end();
    anchor = 'INSERT the version JSON as one text value, one transaction';
  }
  try {
    let t = now();
    await store.appendVersion({
      instance: 'Bench',
      version: '2026110100',
      sets: base,
      changes: baseDrafts,
      expectedLatest: null,
      notify: false,
    });
    const baseAppendMs = since(t);
    t = now();
    const result = await store.appendVersion({
      instance: 'Bench',
      version: '2026112800',
      sets: next,
      changes: nextDrafts,
      expectedLatest: '2026110100',
    });
    const nextAppendMs = since(t);
    t = now();
    const back = await store.getEndpointSets('Bench', '2026112800');
    const readBackMs = since(t);
    if (back?.length !== next.length) throw new Error('read back a different version');
    const out: ChildResult = {
      store: kind,
      sets: next.length,
      prefixes: next.reduce((n, s) => n + (s.ips?.length ?? 0), 0),
      jsonMiB: nextText.length / 1024 / 1024,
      changeRecords: result.changes.length,
      baseAppendMs,
      nextAppendMs,
      readBackMs,
      anchorMs,
      anchor,
      peakRssMiB: (process.resourceUsage().maxRSS * 1024) / 1024 / 1024,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}

async function parent(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const results: ChildResult[] = [];
  for (const kind of ['sqlite', 'postgres'] as const) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', kind], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 300_000,
    });
    if (run.status !== 0) throw new Error(`${kind} run failed (exit ${run.status}): ${run.stdout}`);
    results.push(JSON.parse(run.stdout.trim().split('\n').at(-1)!) as ChildResult);
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const first = results[0]!;
  const lines = [
    '# Store publish benchmark (appendVersion)',
    '',
    `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}; machine shared with other work (1-minute load average ${loadavg()[0]!.toFixed(1)} at the end of the run).`,
    'Command: `npx tsx bench/publish-store.ts` (deterministic synthetic data).',
    '',
    `Data: a ${SETS}-set base version, then a next version of ${first.sets} sets with ${first.prefixes} prefixes (${first.jsonMiB.toFixed(1)} MiB of JSON) and ${first.changeRecords} change records, appended in one transaction with one webhook-free outbox check. The diff is precomputed (bench/publish.ts times diff + publish end to end).`,
    '',
    '| store | append next version | anchor | anchor time | ratio | append base (20,000 Add records) | read the version back | peak RSS (whole process, data included) |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.store} | **${s(r.nextAppendMs)}** | ${r.anchor} | ${s(r.anchorMs)} | ${(r.nextAppendMs / r.anchorMs).toFixed(1)}× | ${s(r.baseAppendMs)} | ${s(r.readBackMs)} | ${r.peakRssMiB.toFixed(0)} MiB |`,
    ),
    '',
    `Target (issue 3, diff + publish): under 10 s and 1 GiB; the store's share: ${results.map((r) => `${r.store} ${s(r.nextAppendMs)}`).join(', ')}.`,
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(text);
  const out = join(dirname(self), 'results', 'publish-store.md');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
}

const childIndex = process.argv.indexOf('--child');
if (childIndex === -1) await parent();
else await child(process.argv[childIndex + 1] === 'postgres' ? 'postgres' : 'sqlite');
