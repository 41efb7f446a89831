/**
 * Classify benchmark (issue 5): a generated 1,000,000-line Squid native access.log classified
 * against Worldwide 2025013000. Target: under 5 s.
 *
 * Figures, each beside its anchor measured in the same run:
 * - in-process `classifyStream` over the file vs. a bare readline pass that only counts lines (the
 *   floor any line-oriented reader pays);
 * - the real command (`ipurl classify FILE --json`, a separate process over a seeded SQLite
 *   store, startup included) vs. `wc -l` on the same file.
 *
 * Run: `npx tsx bench/classify.ts` (writes bench/results/classify.md). Not a test; no assertions.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildLookupIndex } from '../src/core/lookup-index.js';
import { classifyStream } from '../src/service/classify.js';
import { loadBundledDataset } from '../src/service/bundle.js';
import { seedStore } from '../src/service/seed.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { REPO_ROOT, readBundled } from '../test/helpers/bundled-data.js';
import { mulberry32 } from './lib/random.js';

const LINES = 1_000_000;
const sets = readBundled('Worldwide', '2025013000');
const dir = mkdtempSync(join(tmpdir(), 'ipurl-bench-classify-'));
const log = join(dir, 'access.log');

const random = mulberry32(7);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const m365Hosts = sets
  .flatMap((s) => s.urls ?? [])
  .map((u) => u.replace('<tenant>', 'contoso').replace(/\*/g, () => pick(['a', 'eu', 'x1'])));
const m365Ips = sets.flatMap((s) =>
  (s.ips ?? []).filter((ip) => !ip.includes(':')).map((ip) => ip.split('/')[0]!),
);
const otherHosts = Array.from(
  { length: 5000 },
  (_, i) => `${pick(['www', 'cdn', 'api', 'img'])}.site${i}.${pick(['com', 'net', 'org', 'io'])}`,
);

async function generate(): Promise<void> {
  const out = createWriteStream(log);
  let time = 1_764_288_000;
  let chunk: string[] = [];
  for (let i = 0; i < LINES; i += 1) {
    if (i % 7 === 0) time += 1;
    const r = random();
    const bytes = Math.floor(random() * 200_000);
    const client = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    let line: string;
    if (r < 0.45)
      line = `${time}.${String(i % 1000).padStart(3, '0')}    ${i % 900} ${client} TCP_TUNNEL/200 ${bytes} CONNECT ${pick(m365Hosts)}:443 - HIER_DIRECT/${pick(m365Ips)} -`;
    else if (r < 0.6)
      line = `${time}.${String(i % 1000).padStart(3, '0')}    ${i % 900} ${client} TCP_MISS/200 ${bytes} GET http://${pick(m365Ips)}/x - HIER_DIRECT/${pick(m365Ips)} application/octet-stream`;
    else
      line = `${time}.${String(i % 1000).padStart(3, '0')}    ${i % 900} ${client} TCP_MISS/200 ${bytes} GET http://${pick(otherHosts)}/index.html - HIER_DIRECT/93.184.216.34 text/html`;
    chunk.push(line);
    if (chunk.length === 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = [];
    }
  }
  out.end(chunk.length > 0 ? `${chunk.join('\n')}\n` : '');
  await new Promise<void>((resolve) => out.on('finish', () => resolve()));
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

await generate();
const size = statSync(log).size;
const index = buildLookupIndex(sets);

const floor = await timed(async () => {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(log), crlfDelay: Infinity }))
    if (line.length >= 0) n += 1;
  return n;
});
const inProcess = await timed(() =>
  classifyStream(createReadStream(log, { highWaterMark: 1 << 20 }), { index, top: 10 }),
);

const db = join(dir, 'ipurl.db');
const store = await createSqliteStore({ filename: db });
await seedStore(store, await loadBundledDataset());
await store.close();
const wc = await timed(async () => execFileSync('wc', ['-l', log]).toString());
const command = await timed(async () =>
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'src/cli/bin.ts'),
      'classify',
      log,
      '--db',
      db,
      '--json',
      '--top',
      '10',
    ],
    { cwd: REPO_ROOT, maxBuffer: 1 << 24 },
  ).toString(),
);
const report = JSON.parse(command.value) as {
  requests: number;
  policies: { type1: { requestShare: number }; type2: { requestShare: number } };
  categories: Record<string, { requests: number }>;
};
rmSync(dir, { recursive: true, force: true });

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const lines = [
  '# Classify benchmark',
  '',
  `Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; shared with other work (load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} at the end of the run: figures are a floor).`,
  `Input: a generated Squid native access.log, ${LINES.toLocaleString('en-US')} lines, ${(size / 2 ** 20).toFixed(0)} MiB (45 % CONNECT to Microsoft 365 hosts, 15 % plain HTTP to Microsoft 365 IPs, 40 % to 5,000 other hosts). Data: Worldwide 2025013000. Command: \`npx tsx bench/classify.ts\`.`,
  '',
  '| what | time | lines/s | anchor (same file, same run) | ratio | target |',
  '|---|---:|---:|---|---:|---|',
  `| in-process classifyStream | **${s(inProcess.ms)}** | ${Math.round((LINES / inProcess.ms) * 1000).toLocaleString('en-US')} | readline pass counting lines: ${s(floor.ms)} | ${(inProcess.ms / floor.ms).toFixed(1)}× | < 5 s ${inProcess.ms < 5000 ? '✔' : '✘'} |`,
  `| \`ipurl classify FILE --json\` (separate process, tsx startup included) | **${s(command.ms)}** | ${Math.round((LINES / command.ms) * 1000).toLocaleString('en-US')} | \`wc -l\`: ${s(wc.ms)} | ${(command.ms / wc.ms).toFixed(1)}× | < 5 s ${command.ms < 5000 ? '✔' : '✘'} |`,
  '',
  `Result: ${report.requests.toLocaleString('en-US')} requests; Optimize ${report.categories.Optimize?.requests.toLocaleString('en-US')}, Allow ${report.categories.Allow?.requests.toLocaleString('en-US')}, Default ${report.categories.Default?.requests.toLocaleString('en-US')}, unmatched ${report.categories.unmatched?.requests.toLocaleString('en-US')}; direct under type 1: ${(report.policies.type1.requestShare * 100).toFixed(1)} %, type 2: ${(report.policies.type2.requestShare * 100).toFixed(1)} %.`,
  `In-process result agrees: ${inProcess.value.requests === report.requests ? 'yes' : 'NO'}. Memory stays flat: lookups go through a bounded cache, unmatched destinations through a capped table.`,
  '',
];
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'classify.md');
const { writeFileSync } = await import('node:fs');
writeFileSync(out, lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\nwritten to ${out}\n`);
