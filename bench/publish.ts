/**
 * Publish benchmark (issue 3): a synthetic 20,000-set base version, then a next version with
 * 500,000 prefixes in total and realistic churn, published into a real SQLite file. Measures
 * validation + diff (the plan) and the atomic append, and peak RSS of the publishing process (a
 * fresh child, so the synthesiser's own memory does not count).
 * Target: diff + publish < 10 s and < 1 GiB on the 2-core test machine.
 *
 * Anchor, measured in the same run: JSON.parse of the same document text (the floor any publish
 * of this document pays), so the ratio says how much work publish adds beyond reading the input.
 *
 * Run: `npx tsx bench/publish.ts` (writes bench/results/publish.md). Not a test.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { diffVersions } from '../src/core/diff.js';
import type { EndpointSet, ServiceArea } from '../src/core/endpoint-set.js';
import { validateDocument } from '../src/core/validate.js';
import { planPublish, publish } from '../src/service/publish.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { mulberry32 } from './lib/random.js';

const SETS = 20_000;
const TARGET_PREFIXES = 500_000;
const AREAS: readonly ServiceArea[] = ['Exchange', 'SharePoint', 'Skype', 'Common'];
const DISPLAY: Record<ServiceArea, string> = {
  Exchange: 'Exchange Online',
  SharePoint: 'SharePoint Online and OneDrive for Business',
  Skype: 'Microsoft Teams',
  MEM: 'Microsoft Endpoint Manager',
  Common: 'Microsoft 365 Common and Office Online',
};

let nextV4 = 0;
let nextV6 = 1;
/** A fresh canonical IPv4 /24 (or a canonical IPv6 /48 for every fifth prefix). */
function freshPrefix(random: () => number): string {
  if (random() < 0.2) {
    // Skip a zero last group: `2603:1001:0::/48` is not canonical text (RFC 5952 §4.2.2).
    if ((nextV6 & 0xffff) === 0) nextV6++;
    const n = nextV6++;
    return `2603:${(0x1000 + (n >>> 16)).toString(16)}:${(n & 0xffff).toString(16)}::/48`;
  }
  const n = nextV4++;
  // 11.0.0.0 upwards in /24 steps: 16.7 M /24s available, far more than needed.
  const base = (11 << 24) + n * 256;
  return `${(base >>> 24) & 255}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.0/24`;
}

function makeSet(id: number, prefixes: number, random: () => number): EndpointSet {
  const serviceArea = AREAS[id % AREAS.length] as ServiceArea;
  const ips = Array.from({ length: prefixes }, () => freshPrefix(random));
  const urls = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) =>
    i === 0 ? `*.svc${id}.example.com` : `host${i}.svc${id}.example.net`,
  );
  return {
    id,
    serviceArea,
    serviceAreaDisplayName: DISPLAY[serviceArea],
    urls,
    ips,
    tcpPorts: '80,443',
    ...(id % 7 === 0 ? { udpPorts: '3478-3481' } : {}),
    expressRoute: id % 3 === 0,
    category: id % 5 === 0 ? 'Optimize' : id % 2 === 0 ? 'Allow' : 'Default',
    required: id % 4 !== 0,
    ...(id % 11 === 0 ? { notes: `Set ${id}: synthetic benchmark data` } : {}),
  };
}

/**
 * Next version: 2 % of sets gain/lose prefixes, 1 % removed, 1 % added (new ids), 0.5 % attribute
 * changes, and the rest untouched; every list is a new array (as after JSON parsing).
 */
function churn(base: readonly EndpointSet[], random: () => number, perSet: number): EndpointSet[] {
  const next: EndpointSet[] = [];
  let newId = SETS + 1;
  for (const set of base) {
    const r = random();
    if (r < 0.01) continue; // removed
    if (r < 0.03) {
      const ips = [...(set.ips ?? [])];
      ips.splice(0, Math.floor(random() * 5));
      for (let i = 0; i < 1 + Math.floor(random() * 8); i++) ips.push(freshPrefix(random));
      next.push({ ...set, ips, urls: [...(set.urls ?? []), `new${set.id}.example.org`] });
    } else if (r < 0.035) {
      next.push({
        ...set,
        expressRoute: !set.expressRoute,
        ips: [...(set.ips ?? [])],
        urls: [...(set.urls ?? [])],
      });
    } else {
      next.push({ ...set, ips: [...(set.ips ?? [])], urls: [...(set.urls ?? [])] });
    }
  }
  const removed = base.length - next.length;
  for (let i = 0; i < removed; i++) next.push(makeSet(newId++, perSet, random));
  // Bring the total to exactly TARGET_PREFIXES by growing or trimming the churned sets only, so
  // the untouched 96 % stay untouched.
  const churned = next.filter(
    (set) => set.id > SETS || (set.urls ?? []).some((url) => url.startsWith('new')),
  );
  let total = next.reduce((n, s) => n + (s.ips?.length ?? 0), 0);
  for (let i = 0; total !== TARGET_PREFIXES; i = (i + 1) % churned.length) {
    const ips = (churned[i] as EndpointSet).ips as string[];
    if (total < TARGET_PREFIXES) {
      ips.push(freshPrefix(random));
      total++;
    } else if (ips.length > 1) {
      ips.pop();
      total--;
    }
  }
  return next;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface ChildResult {
  readonly ms: number;
  readonly maxRssBytes: number;
  readonly status: string;
  readonly counts?: {
    records: number;
    add: number;
    change: number;
    remove: number;
    ipsAdded: number;
    ipsRemoved: number;
    urlsAdded: number;
    urlsRemoved: number;
  };
}

/**
 * Child mode: what `ipurl publish <instance> <file>` does, in a fresh process, so its time and
 * peak RSS are the publish's own and not the synthesiser's.
 */
async function child(db: string, file: string, nowIso: string): Promise<void> {
  const t = process.hrtime.bigint();
  const store = await createSqliteStore({ filename: db });
  const text = readFileSync(file, 'utf8');
  const result = await publish(store, 'Bench', text, { now: new Date(nowIso) });
  const elapsed = ms(t);
  await store.close();
  const out: ChildResult = {
    ms: elapsed,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    status: result.status,
    ...(result.status === 'published' ? { counts: result.plan.counts } : {}),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(db: string, file: string, nowIso: string): ChildResult {
  const here = fileURLToPath(import.meta.url);
  const loader = pathToFileURL(
    join(dirname(here), '..', 'node_modules', 'tsx', 'dist', 'loader.mjs'),
  ).href;
  const run = spawnSync(process.execPath, ['--import', loader, here, '--child', db, file, nowIso], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0)
    throw new Error(`publish child failed (${run.status ?? run.signal ?? '?'}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as ChildResult;
}

async function main(): Promise<void> {
  const random = mulberry32(20261128);
  const perSet = Math.floor(TARGET_PREFIXES / SETS);
  const base = Array.from({ length: SETS }, (_, i) => makeSet(i + 1, perSet, random));
  const next = churn(base, random, perSet);
  const nextText = JSON.stringify(next);
  const prefixes = next.reduce((n, s) => n + (s.ips?.length ?? 0), 0);
  const loadStart = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

  const dir = mkdtempSync(join(tmpdir(), 'ipurl-bench-publish-'));
  const db = join(dir, 'bench.db');
  writeFileSync(join(dir, 'base.json'), JSON.stringify(base));
  writeFileSync(join(dir, 'next.json'), nextText);
  try {
    // The base version: the first publish of a new instance (20,000 Add records), in a child.
    const first = runChild(db, join(dir, 'base.json'), '2026-11-01T00:00:00Z');
    if (first.status !== 'published') throw new Error('base not published');

    // Diagnostics in this process, before the next version is stored: the parts of the plan.
    const store = await createSqliteStore({ filename: db });
    let t = process.hrtime.bigint();
    const parsed: unknown = JSON.parse(nextText);
    const parseMs = ms(t);
    const known = await store.knownSetIds('Bench');
    t = process.hrtime.bigint();
    const validated = validateDocument(parsed, { knownSetIds: known });
    const validateMs = ms(t);
    if (validated.issues.length > 0)
      throw new Error(`synthetic data invalid: ${JSON.stringify(validated.issues.slice(0, 3))}`);
    const latest = (await store.listVersions('Bench'))[0]?.version ?? '';
    t = process.hrtime.bigint();
    const latestSets = (await store.getEndpointSets('Bench', latest)) ?? [];
    const readLatestMs = ms(t);
    t = process.hrtime.bigint();
    const drafts = diffVersions(latestSets, validated.sets, {
      version: '2026112800',
      effectiveDate: '20261228',
    });
    const diffMs = ms(t);
    // The plan writes nothing, so it can be repeated: best of three (the machine is shared).
    const planRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = process.hrtime.bigint();
      await planPublish(store, 'Bench', nextText, { now: new Date('2026-11-28T00:00:00Z') });
      planRuns.push(ms(t));
    }
    const planMs = Math.min(...planRuns);
    await store.close();

    // The measured figure: `publish` of the next version in a fresh process, file to commit.
    const result = runChild(db, join(dir, 'next.json'), '2026-11-28T00:00:00Z');
    if (result.status !== 'published' || result.counts === undefined)
      throw new Error('next not published');
    const publishMs = result.ms;
    const peakRss = result.maxRssBytes;

    const c = result.counts;
    const lines = [
      '# Publish benchmark',
      '',
      `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${mib(totalmem())} RAM, Node ${process.version}, SQLite file store (WAL).`,
      `Command: \`npx tsx bench/publish.ts\` (deterministic synthetic data, seed 20261128). Load average at start ${loadStart}, at end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (shared machine: figures vary with load).`,
      "Each publish runs in a fresh child process doing what `ipurl publish Bench next.json` does (open the store, read the file, publish); its time and peak RSS are that process's own.",
      '',
      `Data: base ${SETS} sets; next version ${next.length} sets with ${prefixes} prefixes (${(nextText.length / 1024 / 1024).toFixed(1)} MiB of JSON).`,
      `Churn: ${c.records} change records (${c.add} Add, ${c.change} Change, ${c.remove} Remove; IPs +${c.ipsAdded} −${c.ipsRemoved}, URLs +${c.urlsAdded} −${c.urlsRemoved}).`,
      '',
      '| measurement | time | target |',
      '| --- | ---: | --- |',
      `| **publish next version** (read file + parse + validate + diff + one-transaction append) | **${publishMs.toFixed(0)} ms** | < 10 000 ms |`,
      `| of which plan (parse + validate + read latest + diff, no write), best of 3 | ${planMs.toFixed(0)} ms (runs: ${planRuns.map((r) => r.toFixed(0)).join(', ')}) | |`,
      `| validateDocument alone | ${validateMs.toFixed(0)} ms | |`,
      `| reading the latest version's ${latestSets.length} sets from SQLite | ${readLatestMs.toFixed(0)} ms | |`,
      `| diffVersions alone (${drafts.length} records) | ${diffMs.toFixed(0)} ms | |`,
      `| anchor: JSON.parse of the document | ${parseMs.toFixed(0)} ms | |`,
      `| ratio publish / anchor | ${(publishMs / parseMs).toFixed(1)}× | |`,
      `| base publish (new instance, ${SETS} Add records, child process) | ${first.ms.toFixed(0)} ms | |`,
      '',
      '| memory | value | target |',
      '| --- | ---: | --- |',
      `| **peak RSS of the publishing process** (maxRSS) | **${mib(peakRss)}** | < 1024 MiB |`,
      `| peak RSS of the base publish process | ${mib(first.maxRssBytes)} | |`,
      '',
      `Verdict: ${publishMs < 10_000 && peakRss < 1024 ** 3 ? 'within target' : 'OUTSIDE target'}.`,
      '',
    ];
    const text = lines.join('\n');
    process.stdout.write(text);
    const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'publish.md');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [, , , db, file, nowIso] = process.argv;
  await child(db ?? '', file ?? '', nowIso ?? '');
} else {
  await main();
}
