/**
 * Capacity cap benchmark (issue 11): cap 500,000 IPv4 prefixes to 10,000 entries
 * (src/core/capacity-cap.ts), beside plain exact aggregation of the same input
 * (src/core/cidr-aggregate.ts), each in its own child process so its peak RSS is its own.
 * Target: the cap under 5 s.
 *
 * Input: 500,000 distinct random prefixes /20–/32 (lengths weighted towards /24–/32, as in real
 * block lists), from a fixed seed, parsed from text as an export parses published data; both
 * measurements include parsing. The cap also reports the certified gap: its added space beside
 * the proven lower bound of the optimum that the Lagrangian solver computes.
 *
 * Run: `npx tsx bench/capacity-cap.ts` (writes bench/results/capacity-cap.md). No assertions.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aggregateCidrs } from '../src/core/cidr-aggregate.js';
import { addedShare, capPrefixes } from '../src/core/capacity-cap.js';
import { parseCidr } from '../src/core/cidr.js';
import { mulberry32 } from './lib/random.js';

const N = 500_000;
const CAP = 10_000;

function input(): string[] {
  const random = mulberry32(2026);
  const out = new Set<string>();
  const lengths = [20, 21, 22, 23, 24, 24, 24, 25, 26, 27, 28, 29, 30, 31, 32, 32, 32];
  while (out.size < N) {
    const prefix = lengths[Math.floor(random() * lengths.length)] as number;
    const size = 2 ** (32 - prefix);
    const network = Math.floor((random() * 2 ** 32) / size) * size;
    out.add(
      `${network >>> 24}.${(network >>> 16) & 255}.${(network >>> 8) & 255}.${network & 255}/${prefix}`,
    );
  }
  return [...out];
}

function child(mode: string): void {
  const texts = input();
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const cidrs = texts.map(parseCidr);
  let line: Record<string, unknown>;
  if (mode === 'aggregate') {
    const result = aggregateCidrs(cidrs);
    line = { entries: result.prefixes.length };
  } else {
    const result = capPrefixes([cidrs], CAP);
    line = {
      entries: result.entriesAfter,
      aggregated: result.entriesBefore,
      method: result.method,
      merges: result.merges.length,
      added: result.addedSpace.toString(),
      share: addedShare(result),
      lowerBound: result.lowerBound.toString(),
    };
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpuStart);
  const cpuSeconds = (used.user + used.system) / 1e6;
  process.stdout.write(
    JSON.stringify({
      ...line,
      seconds,
      cpuSeconds,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const run = (mode: string): Record<string, number | string> =>
    JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', self, mode], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      }),
    ) as Record<string, number | string>;
  const rounds = [1, 2, 3].map(() => ({ aggregate: run('aggregate'), cap: run('cap') }));
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[1] as number;
  const agg = median(rounds.map((r) => Number(r.aggregate.seconds)));
  const cap = median(rounds.map((r) => Number(r.cap.seconds)));
  const aggCpu = median(rounds.map((r) => Number(r.aggregate.cpuSeconds)));
  const capCpu = median(rounds.map((r) => Number(r.cap.cpuSeconds)));
  const aggRss = median(rounds.map((r) => Number(r.aggregate.maxRssMiB)));
  const capRss = median(rounds.map((r) => Number(r.cap.maxRssMiB)));
  const c = rounds[0]?.cap ?? {};
  const added = Number(c.added);
  const bound = Number(c.lowerBound);
  const gap = bound > 0 ? ((added - bound) / bound) * 100 : 0;
  const cpu = cpus()[0]?.model ?? 'unknown';
  const md = `# Capacity cap benchmark

Machine: ${cpu} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; shared with other work (load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} at the end of the run).
Input: ${N.toLocaleString('en')} distinct random IPv4 prefixes /20–/32 (seed 2026), parsed from text; each
measurement in its own process (peak RSS = that process's maxRSS, Node's baseline included), median of 3 rounds.
Command: \`npx tsx bench/capacity-cap.ts\`.

| step | entries out | wall time (s) | CPU time (s) | peak RSS (MiB) |
|---|---:|---:|---:|---:|
| plain exact aggregation (cidr-aggregate) | ${Number(rounds[0]?.aggregate.entries).toLocaleString('en')} | ${agg.toFixed(2)} | ${aggCpu.toFixed(2)} | ${aggRss.toFixed(0)} |
| cap to ${CAP.toLocaleString('en')} entries (capacity-cap, ${String(c.method)}; includes the same aggregation) | ${Number(c.entries).toLocaleString('en')} | **${cap.toFixed(2)}** | **${capCpu.toFixed(2)}** | ${capRss.toFixed(0)} |

Both include parsing the 500,000 texts. Cap / aggregation: ${(cap / agg).toFixed(2)}× wall, ${(capCpu / aggCpu).toFixed(2)}× CPU.
Target < 5 s: wall ${cap < 5 ? '**met**' : '**not met**'}, CPU ${capCpu < 5 ? '**met**' : '**not met**'} (wall time on this shared 2-core machine includes waiting for the CPU).

Cap result: ${Number(c.aggregated).toLocaleString('en')} aggregated prefixes → ${Number(c.entries).toLocaleString('en')} entries
in ${Number(c.merges).toLocaleString('en')} covers, added ${added.toLocaleString('en')} addresses (${String(c.share)} of the listed space).
Proven lower bound of the optimum for ${CAP.toLocaleString('en')} entries: ${bound.toLocaleString('en')} addresses, so this
result is at most **${gap.toFixed(3)} %** above optimal on this input.
Rounds (aggregate s / cap s): ${rounds.map((r) => `${Number(r.aggregate.seconds).toFixed(2)} / ${Number(r.cap.seconds).toFixed(2)}`).join(', ')}.
`;
  const out = join(dirname(self), 'results', 'capacity-cap.md');
  writeFileSync(out, md);
  process.stdout.write(md);
}

const mode = process.argv[2];
if (mode === 'aggregate' || mode === 'cap') child(mode);
else main();
