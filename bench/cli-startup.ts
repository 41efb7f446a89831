/**
 * CLI start-up cost (issue 10): CPU and wall time of short `ipurl` commands as cron jobs and
 * scripts run them (`node dist/cli/bin.js …`, the installed program), beside two anchors in the
 * same run: a bare `node -e 0`, and a bare Node loading the server's packages (fastify, pg, redis,
 * prom-client), which every command loaded at start before `serve` began loading the server only
 * when it runs.
 *
 * Figures are the child's user + system CPU and wall time from GNU time, median of 9 interleaved
 * rounds, so a shared machine's other work shifts every row alike.
 *
 * Run: `npm run build && npx tsx bench/cli-startup.ts` (writes bench/results/cli-startup.md). Not
 * a test; no assertions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/http-bench.js';

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);

const work = mkdtempSync(join(tmpdir(), 'ipurl-bench-startup-'));
const db = join(work, 'seeded.db');
const seeded = spawnSync(process.execPath, [BIN, 'seed', '--db', db], { encoding: 'utf8' });
if (seeded.status !== 0) throw new Error(`seed failed: ${seeded.stderr}`);

const SERVER_PACKAGES = ['fastify', 'pg', 'redis', 'prom-client'];
const ROWS: ReadonlyArray<{ name: string; args: readonly string[] }> = [
  { name: 'anchor: `node -e 0`', args: ['-e', '0'] },
  {
    name: 'anchor: node loading fastify, pg, redis, prom-client',
    args: [
      '--input-type=module',
      '-e',
      `await Promise.all(${JSON.stringify(SERVER_PACKAGES)}.map((m) => import(m)))`,
    ],
  },
  { name: '`ipurl --version`', args: [BIN, '--version'] },
  { name: '`ipurl lookup 52.112.0.1`', args: [BIN, 'lookup', '52.112.0.1', '--db', db] },
  {
    name: '`ipurl export Worldwide nftables`',
    args: [BIN, 'export', 'Worldwide', 'nftables', '--db', db],
  },
  { name: '`ipurl versions Worldwide`', args: [BIN, 'versions', 'Worldwide', '--db', db] },
];

interface Sample {
  readonly cpu: number;
  readonly wall: number;
}

function measure(args: readonly string[]): Sample {
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S %e', process.execPath, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr}`);
  const [user = 0, system = 0, wall = 0] = run.stderr
    .trim()
    .split('\n')
    .at(-1)!
    .split(' ')
    .map(Number);
  return { cpu: (user + system) * 1000, wall: wall * 1000 };
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const ROUNDS = 9;
const samples = ROWS.map(() => [] as Sample[]);
for (let round = 0; round < ROUNDS; round += 1) {
  ROWS.forEach((row, i) => samples[i]!.push(measure(row.args)));
}
rmSync(work, { recursive: true, force: true });

const cpu = samples.map((list) => median(list.map((s) => s.cpu)));
const wall = samples.map((list) => median(list.map((s) => s.wall)));
const lines = [
  '## CLI start-up (issue 10)',
  '',
  'Command: `npm run build && npx tsx bench/cli-startup.ts`. Each row is one process started the',
  'way cron starts the installed program (`node dist/cli/bin.js …`, store: a seeded SQLite file);',
  'CPU is user + system from GNU time; median of 9 interleaved rounds.',
  '',
  `Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end of the run.`,
  '',
  '| process | CPU ms | wall ms | CPU − bare node ms |',
  '|---|---|---|---|',
  ...ROWS.map(
    (row, i) =>
      `| ${row.name} | ${cpu[i]!.toFixed(0)} | ${wall[i]!.toFixed(0)} | ${(cpu[i]! - cpu[0]!).toFixed(0)} |`,
  ),
  '',
  `Loading the server's packages alone costs ${(cpu[1]! - cpu[0]!).toFixed(0)} ms of CPU over a bare Node in this run;`,
  '`ipurl serve` loads them when it starts, and no other command loads them at all.',
  '',
];
const text = lines.join('\n');
process.stdout.write(`${text}\n`);
writeFileSync(join(ROOT, 'bench', 'results', 'cli-startup.md'), text);
