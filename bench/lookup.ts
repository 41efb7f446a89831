/**
 * Lookup index benchmark (issue 5): IP and host lookups per second through the compiled index,
 * each beside a linear scan of the same data (every prefix / every pattern tested in turn, the
 * way a script without an index answers "is this Microsoft 365?") measured in the same run.
 * Targets: ≥ 1,000,000 IPs/s and ≥ 300,000 hosts/s in-process.
 *
 * Data: the real Worldwide 2025013000 version. Queries: strings, as a log or CLI gives them, half
 * inside published prefixes/patterns and half outside; hosts in mixed case, some with a trailing
 * dot. The index figure includes parsing the query text.
 *
 * Run: `npx tsx bench/lookup.ts` (writes bench/results/lookup.md). Not a test; no assertions.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EndpointSet } from '../src/core/endpoint-set.js';
import {
  buildLookupIndex,
  parseIpv4,
  parseLookupQuery,
  plainHost,
} from '../src/core/lookup-index.js';
import { compileHostPattern } from '../src/core/url-pattern.js';
import { readBundled } from '../test/helpers/bundled-data.js';
import { mulberry32 } from './lib/random.js';

const VERSION = '2025013000';
const sets: EndpointSet[] = readBundled('Worldwide', VERSION);

const random = mulberry32(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

// --- queries ---------------------------------------------------------------------------------
const v4Prefixes = sets.flatMap((s) => (s.ips ?? []).filter((ip) => !ip.includes(':')));
const v6Prefixes = sets.flatMap((s) => (s.ips ?? []).filter((ip) => ip.includes(':')));
const fmt4 = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
function insideV4(): string {
  const [address = '', length = '32'] = pick(v4Prefixes).split('/');
  const start = parseIpv4(address);
  return fmt4(start + Math.floor(random() * 2 ** (32 - Number(length))));
}
const ipv4Queries = Array.from({ length: 1_000_000 }, (_, i) =>
  i % 2 === 0 ? insideV4() : fmt4(Math.floor(random() * 2 ** 32)),
);
const ipv6Queries = Array.from({ length: 200_000 }, (_, i) => {
  if (i % 2 === 0)
    return pick(v6Prefixes)
      .split('/')[0]!
      .replace(/::$/, `::${Math.floor(random() * 65535).toString(16)}`);
  return `2001:db8:${Math.floor(random() * 65535).toString(16)}::${Math.floor(random() * 65535).toString(16)}`;
});
const patterns = sets.flatMap((s) => s.urls ?? []);
const others = [
  'www.example.com',
  'news.example.org',
  'cdn.jsdelivr.net',
  'api.github.com',
  'a.b.c.example.net',
  'slack.com',
  'zoom.us',
  'google.com',
];
function host(i: number): string {
  let h: string;
  if (i % 2 === 0)
    h = pick(patterns)
      .replace('<tenant>', 'contoso')
      .replace(/\*/g, () => pick(['a', 'x.y', 'cdn1', 'eu']));
  else h = `${pick(['', 'img.', 'login.', 'x1.'])}${pick(others)}`;
  if (i % 3 === 0) h = h.toUpperCase();
  if (i % 5 === 0) h = `${h}.`;
  return h;
}
const hostQueries = Array.from({ length: 600_000 }, (_, i) => host(i));

// --- index -----------------------------------------------------------------------------------
const buildStart = performance.now();
const index = buildLookupIndex(sets);
const buildMs = performance.now() - buildStart;

// --- linear scans of the same data ------------------------------------------------------------
const linearV4 = v4Prefixes.map((cidr) => {
  const [address = '', length = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(length));
  const start = parseIpv4(address);
  return { start: start - (start % size), end: start - (start % size) + size };
});
const linearHosts = patterns.map((pattern) => compileHostPattern(pattern));
// Same parsing as the index's fast paths, so the ratio measures the search alone.
function linearIp(query: string): number {
  let value = parseIpv4(query);
  if (value < 0) {
    const parsed = parseLookupQuery(query);
    if (!parsed.ok || parsed.kind !== 'ipv4') return 0;
    value = parsed.value;
  }
  let n = 0;
  for (const p of linearV4) if (value >= p.start && value < p.end) n += 1;
  return n;
}
function linearHost(query: string): number {
  let host = plainHost(query);
  if (host === undefined) {
    const parsed = parseLookupQuery(query);
    if (!parsed.ok || parsed.kind !== 'host') return 0;
    host = parsed.host;
  }
  let n = 0;
  for (const test of linearHosts) if (test(host)) n += 1;
  return n;
}

/** Best of three passes, in queries per second. */
function rate(
  queries: readonly string[],
  fn: (q: string) => number,
  count = queries.length,
): { perSecond: number; hits: number } {
  let best = Infinity;
  let hits = 0;
  for (let pass = 0; pass < 3; pass += 1) {
    hits = 0;
    const start = performance.now();
    for (let i = 0; i < count; i += 1) hits += fn(queries[i]!) > 0 ? 1 : 0;
    best = Math.min(best, performance.now() - start);
  }
  return { perSecond: (count / best) * 1000, hits };
}

const count = (q: string): number => {
  const r = index.lookup(q);
  return 'ok' in r ? 0 : r.matches.length;
};
// Warm up the JIT on every path.
rate(ipv4Queries, count, 100_000);
rate(hostQueries, count, 100_000);

const v4 = rate(ipv4Queries, count);
const v4Linear = rate(ipv4Queries, linearIp, 200_000);
const v6 = rate(ipv6Queries, count);
const numeric = (() => {
  const numbers = ipv4Queries.map((q) => parseIpv4(q));
  let best = Infinity;
  for (let pass = 0; pass < 3; pass += 1) {
    const start = performance.now();
    let n = 0;
    for (const value of numbers) n += index.lookupIpv4(value).length;
    best = Math.min(best, performance.now() - start);
    if (n < 0) console.log(n);
  }
  return (numbers.length / best) * 1000;
})();
const hosts = rate(hostQueries, count);
const hostsLinear = rate(hostQueries, linearHost, 60_000);

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const lines = [
  '# Lookup index benchmark',
  '',
  `Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; shared with other work (load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} at the end of the run: figures are a floor).`,
  `Data: Worldwide ${VERSION} (${index.stats.sets} sets, ${index.stats.ipv4Prefixes} IPv4 + ${index.stats.ipv6Prefixes} IPv6 prefixes → ${index.stats.ipv4Intervals} + ${index.stats.ipv6Intervals} intervals; ${index.stats.exactHosts} exact hosts, ${index.stats.suffixPatterns} suffix patterns, ${index.stats.otherPatterns} other globs). Index built in ${buildMs.toFixed(1)} ms.`,
  'Queries are strings (parsing included), half inside the data and half outside; hosts in mixed case, some with a trailing dot. Best of 3 passes. Command: `npx tsx bench/lookup.ts`.',
  '',
  '| lookup | queries | index (per s) | linear scan of the same data (per s) | index / linear | target |',
  '|---|---:|---:|---:|---:|---|',
  `| IPv4 string → all matching sets | ${fmt(ipv4Queries.length)} (${fmt(v4.hits)} hit) | **${fmt(v4.perSecond)}** | ${fmt(v4Linear.perSecond)} | ${(v4.perSecond / v4Linear.perSecond).toFixed(1)}× | ≥ 1,000,000/s ${v4.perSecond >= 1_000_000 ? '✔' : '✘'} |`,
  `| IPv4 number (hot path, no parsing) | ${fmt(ipv4Queries.length)} | ${fmt(numeric)} | — | — | |`,
  `| IPv6 string → all matching sets | ${fmt(ipv6Queries.length)} (${fmt(v6.hits)} hit) | ${fmt(v6.perSecond)} | — | — | |`,
  `| host string → all matching sets | ${fmt(hostQueries.length)} (${fmt(hosts.hits)} hit) | **${fmt(hosts.perSecond)}** | ${fmt(hostsLinear.perSecond)} | ${(hosts.perSecond / hostsLinear.perSecond).toFixed(1)}× | ≥ 300,000/s ${hosts.perSecond >= 300_000 ? '✔' : '✘'} |`,
  '',
  'The linear scans test every IPv4 prefix (numeric range check) or every compiled host pattern',
  '(`compileHostPattern`, shExpMatch semantics) for each query, after the same query parsing.',
  '',
];
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'lookup.md');
writeFileSync(out, lines.join('\n'));
process.stdout.write(`${lines.join('\n')}\nwritten to ${out}\n`);
