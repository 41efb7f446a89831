/**
 * Lookup index build time (issue 14 item 5): `buildLookupIndex` on 10,000, 40,000 and 100,000 random
 * IPv4 prefixes (nested, repeated across sets, the shape a hostile upstream could send), measured
 * in the same run, with two anchors beside it: a plain `Array.prototype.sort` of the same number
 * of random numbers (what O(n log n) costs on this machine right now), and the previous
 * algorithm (one scan of every prefix per interval point, quadratic) at 10,000.
 *
 * Growth check: n log n predicts t(40k) / t(10k) = 4 × log(40000) / log(10000) ≈ 4.60; a
 * quadratic build gives 16. Figures are CPU time of this process (process.cpuUsage), median of
 * 9 builds per size, so a shared machine's waiting time does not count.
 *
 * Run: `npx tsx bench/lookup-index-build.ts` (writes bench/results/lookup-index-build.md). Not a
 * test; no assertions.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Category, EndpointSet } from '../src/core/endpoint-set.js';
import { buildLookupIndex, formatIpv4 } from '../src/core/lookup-index.js';
import { mulberry32 } from './lib/random.js';

const CATEGORIES: readonly Category[] = ['Optimize', 'Allow', 'Default'];

function randomSets(count: number, seed: number): EndpointSet[] {
  const random = mulberry32(seed);
  const ips: string[][] = Array.from({ length: 100 }, () => []);
  for (let i = 0; i < count; i += 1) {
    const length = 8 + Math.floor(random() * 25);
    const size = 2 ** (32 - length);
    const raw = Math.floor(random() * 2 ** 32);
    ips[Math.floor(random() * 100)]!.push(`${formatIpv4(raw - (raw % size))}/${length}`);
  }
  return ips.map((list, i) => ({
    id: i + 1,
    serviceArea: 'Common',
    serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
    ips: list,
    tcpPorts: '443',
    expressRoute: false,
    category: CATEGORIES[i % 3]!,
    required: true,
  }));
}

function cpuMs(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** The previous build: for every interval point, scan every prefix (kept here as the anchor). */
function quadraticBuild(sets: readonly EndpointSet[]): number {
  const v4: Array<{ start: number; end: number }> = [];
  for (const set of sets) {
    for (const cidr of set.ips ?? []) {
      const [address = '', length = '32'] = cidr.split('/');
      const start = address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
      v4.push({ start, end: start + 2 ** (32 - Number(length)) });
    }
  }
  const points = [...new Set(v4.flatMap((p) => [p.start, p.end]))].sort((a, b) => a - b);
  let total = 0;
  for (const point of points) total += v4.filter((p) => p.start <= point && point < p.end).length;
  return total;
}

// 100,000: the sanity policy's ceiling per version (max-prefixes), the largest index a request
// can make the server build with the default policy.
const SIZES = [10_000, 40_000, 100_000] as const;
const ROUNDS = 9;
const build: Record<number, number[]> = { 10_000: [], 40_000: [], 100_000: [] };
const sortAnchor: Record<number, number[]> = { 10_000: [], 40_000: [], 100_000: [] };
const inputs = Object.fromEntries(SIZES.map((n) => [n, randomSets(n, n)])) as Record<
  number,
  EndpointSet[]
>;
let intervals: Record<number, number> = {};

buildLookupIndex(inputs[10_000]!); // warm-up (JIT)
for (let round = 0; round < ROUNDS; round += 1) {
  for (const n of SIZES) {
    const sets = inputs[n]!;
    let index: ReturnType<typeof buildLookupIndex> | undefined;
    build[n]!.push(cpuMs(() => (index = buildLookupIndex(sets))));
    intervals = { ...intervals, [n]: index!.stats.ipv4Intervals };
    const numbers = Array.from({ length: n }, () => Math.random());
    sortAnchor[n]!.push(cpuMs(() => numbers.sort((a, b) => a - b)));
  }
}
const quadratic10k = cpuMs(() => quadraticBuild(inputs[10_000]!));

const b10 = median(build[10_000]!);
const b40 = median(build[40_000]!);
const s10 = median(sortAnchor[10_000]!);
const s40 = median(sortAnchor[40_000]!);
const nlogn = (4 * Math.log(40_000)) / Math.log(10_000);
const lines = [
  '## Lookup index build (issue 14 item 5)',
  '',
  'Command: `npx tsx bench/lookup-index-build.ts`. Random IPv4 prefixes (/8 to /32, nested and',
  'overlapping, spread over 100 sets), CPU time of this process, median of 9 builds per size, all',
  'sizes in the same run.',
  '',
  `Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}; shared (load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the end of the run).`,
  '',
  '| prefixes | intervals | buildLookupIndex ms | sort of n numbers ms (anchor) |',
  '|---|---|---|---|',
  ...SIZES.map(
    (n) =>
      `| ${n.toLocaleString('en-US')} | ${intervals[n]} | ${median(build[n]!).toFixed(1)} | ${median(sortAnchor[n]!).toFixed(1)} |`,
  ),
  '',
  `Growth 10k → 40k: **${(b40 / b10).toFixed(2)}×** (n log n predicts ${nlogn.toFixed(2)}×, quadratic 16×;`,
  `the sort anchor grew ${(s40 / s10).toFixed(2)}× in the same run). Build time in sorts of n`,
  `numbers: ${(b10 / s10).toFixed(2)} at 10k, ${(b40 / s40).toFixed(2)} at 40k (not rising = no`,
  'faster than n log n).',
  `The previous, quadratic build took ${quadratic10k.toFixed(0)} ms at 10,000 prefixes in this run`,
  `(${(quadratic10k / b10).toFixed(0)}× the new build).`,
  '',
  `At 100,000 prefixes, the most one version may hold under the default sanity policy, the build`,
  `takes ${median(build[100_000]!).toFixed(0)} ms: the longest a lookup of a version not yet indexed keeps the event`,
  'loop busy (the index is then cached per version). Raising `--max-prefixes` raises this bound',
  'in proportion (n log n).',
  '',
];
const text = lines.join('\n');
process.stdout.write(`${text}\n`);
writeFileSync(
  join(dirname(fileURLToPath(import.meta.url)), 'results', 'lookup-index-build.md'),
  text,
);
