/**
 * Core domain benchmark: the pure functions the server, publisher and seeder call, on the real
 * bundled data and on a large synthetic document (20,000 sets, ~520,000 prefixes).
 *
 * Anchor for each figure, measured in the same run: JSON.parse of the same input's text, the
 * floor every caller pays to get the data at all; the ratio says how much work the function adds.
 *
 * Run: `npx tsx bench/core.ts` (writes bench/results/core.md). Not a test; no assertions.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffVersions } from '../src/core/diff.js';
import type { EndpointSet } from '../src/core/endpoint-set.js';
import { filterEndpointSets } from '../src/core/filters.js';
import { validateDocument } from '../src/core/validate.js';
import { bundledInstances, bundledVersions, readBundled } from '../test/helpers/bundled-data.js';

/** Median wall time in ms of `runs` runs of fn (after one warm-up run). */
function time(fn: () => unknown, runs: number): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}

function synthetic(): EndpointSet[] {
  const sets: EndpointSet[] = [];
  let n = 0;
  for (let id = 1; id <= 20_000; id++) {
    const ips: string[] = [];
    for (let k = 0; k < 25; k++) {
      const base = (11 << 24) + n++ * 256;
      ips.push(`${(base >>> 24) & 255}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.0/24`);
    }
    ips.push(`2603:1000:${id.toString(16)}::/48`);
    sets.push({
      id,
      serviceArea: 'Exchange',
      serviceAreaDisplayName: 'Exchange Online',
      urls: [`h${id}.example.com`, `*.w${id}.example.com`],
      ips,
      tcpPorts: '80,443',
      expressRoute: true,
      category: 'Optimize',
      required: true,
    });
  }
  return sets;
}

interface Row {
  readonly what: string;
  readonly ms: number;
  readonly anchorMs: number;
}

const rows: Row[] = [];
const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(3) : ms.toFixed(1));

// 1. /endpoints filters on the newest Worldwide version (the server caches the result per params).
const latest = readBundled('Worldwide', '2025013000');
const latestText = JSON.stringify(latest);
const parseLatest = time(() => JSON.parse(latestText), 200);
rows.push({
  what: 'filterEndpointSets, Worldwide 2025013000, no parameters',
  ms: time(() => filterEndpointSets(latest), 200),
  anchorMs: parseLatest,
});
rows.push({
  what: 'filterEndpointSets, Worldwide 2025013000, Exchange + TenantName + NoIPv6',
  ms: time(
    () =>
      filterEndpointSets(latest, {
        serviceAreas: new Set(['Exchange']),
        tenantName: 'contoso',
        noIPv6: true,
      }),
    200,
  ),
  anchorMs: parseLatest,
});

// 2. The seeder: diff of every consecutive pair of the whole bundled history.
const history = bundledInstances().map((instance) =>
  bundledVersions(instance).map((v) => [v, readBundled(instance, v)] as const),
);
const historyText = JSON.stringify(history);
rows.push({
  what: `diffVersions over the whole bundled history (${history.reduce((n, h) => n + h.length, 0)} versions)`,
  ms: time(() => {
    for (const versions of history) {
      let previous: EndpointSet[] = [];
      for (const [version, sets] of versions) {
        diffVersions(previous, sets, { version, effectiveDate: version.slice(0, 8) });
        previous = sets;
      }
    }
  }, 10),
  anchorMs: time(() => JSON.parse(historyText), 10),
});
rows.push({
  what: 'validateDocument over the whole bundled history',
  ms: time(() => {
    for (const versions of history) for (const [, sets] of versions) validateDocument(sets);
  }, 5),
  anchorMs: time(() => JSON.parse(historyText), 5),
});

// 3. A large publish: validate the document, then diff it against a version where 10% of sets changed.
const big = synthetic();
const bigText = JSON.stringify(big);
const parseBig = time(() => JSON.parse(bigText), 3);
const valid = validateDocument(JSON.parse(bigText)).sets;
const next = valid.map((s, i) =>
  i % 10 === 0
    ? { ...s, ips: (s.ips ?? []).slice(1), urls: [...(s.urls ?? []), `new${i}.example.com`] }
    : s,
);
rows.push({
  what: 'validateDocument, 20,000 sets / 520,000 prefixes',
  ms: time(() => validateDocument(JSON.parse(bigText)), 3) - parseBig,
  anchorMs: parseBig,
});
rows.push({
  what: 'diffVersions, same document, 2,000 sets changed',
  ms: time(
    () => diffVersions(valid, next, { version: '2026010100', effectiveDate: '20260131' }),
    3,
  ),
  anchorMs: parseBig,
});

const lines = [
  '# Core domain benchmark',
  '',
  `Run ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; machine shared with other work.`,
  'Command: `npx tsx bench/core.ts`. Median of several runs after a warm-up. Anchor: `JSON.parse` of the same input text, same run.',
  '',
  '| what | time (ms) | anchor: JSON.parse (ms) | ratio |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.what} | **${fmt(r.ms)}** | ${fmt(r.anchorMs)} | ${(r.ms / r.anchorMs).toFixed(2)}× |`,
  ),
  '',
];
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'core.md');
writeFileSync(out, lines.join('\n'));
console.log(lines.join('\n'));
