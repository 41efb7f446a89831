/**
 * The change guard (issue 14): a new version from an upstream that takes away most of what an
 * instance covers, or suddenly covers far more of the IPv4 space, is held for a person to accept
 * instead of going straight into firewalls, proxies and PAC files.
 *
 * What is measured, between the version served now and the new one, over the service areas
 * present in BOTH versions (a service area appearing for the first time, such as MEM, is reported
 * but never trips the guard; one that disappears entirely is a removal of everything it covered
 * and always trips it, see `vanishedServiceAreas`):
 *
 * - address space per family, on the collapsed prefixes (core/cidr-aggregate.ts), never on prefix
 *   counts: Microsoft often replaces many small prefixes by a few larger ones, which removes no
 *   address at all. `removed` = addresses covered before and not after, as a fraction of the
 *   addresses covered before;
 * - IPv4 growth: addresses covered after ÷ addresses covered before;
 * - URLs: distinct URL patterns (letter case ignored) present before and not after, as a fraction
 *   of those present before.
 *
 * Pure: no I/O, deterministic, linear in the number of prefixes after sorting.
 */
import { aggregateCidrs } from './cidr-aggregate.js';
import { cidrRange, safeParseCidr, type Cidr, type IpFamily } from './cidr.js';
import type { EndpointSet } from './endpoint-set.js';

export interface GuardThresholds {
  /** Hold when more than this fraction of either family's address space goes (default 0.5; 1 = never). */
  readonly maxSpaceRemoval: number;
  /** Hold when more than this fraction of the URLs goes (default 0.5; 1 = never). */
  readonly maxUrlRemoval: number;
  /** Hold when the IPv4 space grows more than this factor (default 3; Infinity = never). */
  readonly maxIpv4Growth: number;
}

export const DEFAULT_GUARD_THRESHOLDS: GuardThresholds = {
  maxSpaceRemoval: 0.5,
  maxUrlRemoval: 0.5,
  maxIpv4Growth: 3,
};

export interface SpaceFigures {
  /** Addresses covered before / after / before-and-not-after, as decimal strings (IPv6 exceeds 2^53). */
  readonly before: string;
  readonly after: string;
  readonly removed: string;
  /** removed ÷ before (0 when nothing was covered before). */
  readonly removedFraction: number;
  /** Collapsed prefixes before and after (context for a person; not what is measured). */
  readonly prefixesBefore: number;
  readonly prefixesAfter: number;
}

export interface UrlFigures {
  readonly before: number;
  readonly after: number;
  readonly removed: number;
  readonly removedFraction: number;
}

export type GuardRule =
  'ipv4-removal' | 'ipv6-removal' | 'url-removal' | 'ipv4-growth' | 'service-area-removed';

export interface GuardTrip {
  readonly rule: GuardRule;
  /** The measured figure (a fraction, a growth factor, or the number of vanished service areas). */
  readonly value: number;
  /** The threshold it went past. */
  readonly limit: number;
  /** One sentence for people: what went, how much, what the limit is. */
  readonly message: string;
}

export interface GuardReport {
  /** True when at least one rule tripped: the version is held. */
  readonly held: boolean;
  readonly trips: readonly GuardTrip[];
  /** The service areas the figures cover (present in both versions), sorted. */
  readonly comparedServiceAreas: readonly string[];
  /** Present only in the new version: reported, never held. */
  readonly newServiceAreas: readonly string[];
  /** Present only in the old version: everything they covered is gone. */
  readonly vanishedServiceAreas: readonly string[];
  readonly ipv4: SpaceFigures;
  readonly ipv6: SpaceFigures;
  /** after ÷ before of the IPv4 space; null when nothing was covered before. */
  readonly ipv4Growth: number | null;
  readonly urls: UrlFigures;
  readonly thresholds: GuardThresholds;
}

/** Half-open address intervals [start, end), sorted and disjoint. */
type Intervals = Array<readonly [bigint, bigint]>;

function intervals(prefixes: readonly Cidr[]): Intervals {
  return prefixes.map((cidr) => {
    const { first, last } = cidrRange(cidr);
    return [first, last + 1n] as const;
  });
}

function total(list: Intervals): bigint {
  let sum = 0n;
  for (const [start, end] of list) sum += end - start;
  return sum;
}

/** Size of the intersection of two sorted disjoint interval lists (two pointers, linear). */
function overlap(a: Intervals, b: Intervals): bigint {
  let i = 0;
  let j = 0;
  let sum = 0n;
  while (i < a.length && j < b.length) {
    const [aStart, aEnd] = a[i]!;
    const [bStart, bEnd] = b[j]!;
    const start = aStart > bStart ? aStart : bStart;
    const end = aEnd < bEnd ? aEnd : bEnd;
    if (end > start) sum += end - start;
    if (aEnd < bEnd) i++;
    else j++;
  }
  return sum;
}

/** removed ÷ before as a number, exact enough for thresholds (six significant decimals). */
function fraction(part: bigint, whole: bigint): number {
  if (whole === 0n) return 0;
  return Number((part * 1_000_000_000n) / whole) / 1_000_000_000;
}

function collapsed(sets: readonly EndpointSet[], family: IpFamily): Cidr[] {
  const cidrs: Cidr[] = [];
  for (const set of sets) {
    for (const text of set.ips ?? []) {
      const parsed = safeParseCidr(text);
      // Validation runs before the guard; anything unparseable simply covers nothing here.
      if (parsed.ok && parsed.value.family === family) cidrs.push(parsed.value);
    }
  }
  return [...aggregateCidrs(cidrs).prefixes];
}

function spaceFigures(
  before: readonly EndpointSet[],
  after: readonly EndpointSet[],
  family: IpFamily,
): SpaceFigures {
  const old = collapsed(before, family);
  const next = collapsed(after, family);
  const oldIntervals = intervals(old);
  const newIntervals = intervals(next);
  const oldTotal = total(oldIntervals);
  const newTotal = total(newIntervals);
  const removed = oldTotal - overlap(oldIntervals, newIntervals);
  return {
    before: oldTotal.toString(),
    after: newTotal.toString(),
    removed: removed.toString(),
    removedFraction: fraction(removed, oldTotal),
    prefixesBefore: old.length,
    prefixesAfter: next.length,
  };
}

function urlSet(sets: readonly EndpointSet[]): Set<string> {
  const urls = new Set<string>();
  for (const set of sets) for (const url of set.urls ?? []) urls.add(url.toLowerCase());
  return urls;
}

function urlFigures(before: readonly EndpointSet[], after: readonly EndpointSet[]): UrlFigures {
  const old = urlSet(before);
  const next = urlSet(after);
  let removed = 0;
  for (const url of old) if (!next.has(url)) removed++;
  return {
    before: old.size,
    after: next.size,
    removed,
    removedFraction: old.size === 0 ? 0 : removed / old.size,
  };
}

const percent = (value: number): string => `${(value * 100).toFixed(1)} %`;

/** Check thresholds: each a number; removals within (0, 1], growth above 1 (Infinity allowed). */
export function thresholdProblems(thresholds: GuardThresholds): string[] {
  const problems: string[] = [];
  const removal = (name: string, value: number) => {
    if (!(Number.isFinite(value) && value > 0 && value <= 1)) {
      problems.push(
        `${name} must be a fraction above 0 and at most 1 (1 = never hold); received ${String(value)}`,
      );
    }
  };
  removal('the maximum address-space removal', thresholds.maxSpaceRemoval);
  removal('the maximum URL removal', thresholds.maxUrlRemoval);
  if (!(thresholds.maxIpv4Growth > 1)) {
    problems.push(
      `the maximum IPv4 growth must be a factor above 1 (or off); received ${String(thresholds.maxIpv4Growth)}`,
    );
  }
  return problems;
}

/** Compare the served version with a new one; `held` says whether the new one must wait. */
export function evaluateChange(
  before: readonly EndpointSet[],
  after: readonly EndpointSet[],
  thresholds: GuardThresholds = DEFAULT_GUARD_THRESHOLDS,
): GuardReport {
  const oldAreas = new Set(before.map((set) => set.serviceArea as string));
  const newAreas = new Set(after.map((set) => set.serviceArea as string));
  const compared = [...oldAreas].filter((area) => newAreas.has(area)).sort();
  const fresh = [...newAreas].filter((area) => !oldAreas.has(area)).sort();
  const vanished = [...oldAreas].filter((area) => !newAreas.has(area)).sort();
  const inCompared = (set: EndpointSet) =>
    newAreas.has(set.serviceArea) && oldAreas.has(set.serviceArea);
  const oldSets = before.filter(inCompared);
  const newSets = after.filter(inCompared);

  const ipv4 = spaceFigures(oldSets, newSets, 4);
  const ipv6 = spaceFigures(oldSets, newSets, 6);
  const urls = urlFigures(oldSets, newSets);
  const v4Before = BigInt(ipv4.before);
  const ipv4Growth =
    v4Before === 0n ? null : Number((BigInt(ipv4.after) * 1_000_000n) / v4Before) / 1_000_000;

  const trips: GuardTrip[] = [];
  const removal = (
    rule: GuardRule,
    what: string,
    figures: SpaceFigures | UrlFigures,
    limit: number,
    unit: string,
  ) => {
    if (figures.removedFraction > limit) {
      trips.push({
        rule,
        value: figures.removedFraction,
        limit,
        message: `${percent(figures.removedFraction)} of the ${what} would go (${figures.removed} of ${figures.before} ${unit}); the limit is ${percent(limit)}`,
      });
    }
  };
  removal('ipv4-removal', 'IPv4 address space', ipv4, thresholds.maxSpaceRemoval, 'addresses');
  removal('ipv6-removal', 'IPv6 address space', ipv6, thresholds.maxSpaceRemoval, 'addresses');
  removal('url-removal', 'URLs', urls, thresholds.maxUrlRemoval, 'URLs');
  if (ipv4Growth !== null && ipv4Growth > thresholds.maxIpv4Growth) {
    trips.push({
      rule: 'ipv4-growth',
      value: ipv4Growth,
      limit: thresholds.maxIpv4Growth,
      message: `the IPv4 address space would grow ${ipv4Growth.toFixed(2)}× (${ipv4.before} → ${ipv4.after} addresses); the limit is ${thresholds.maxIpv4Growth}×`,
    });
  }
  if (vanished.length > 0) {
    trips.push({
      rule: 'service-area-removed',
      value: vanished.length,
      limit: 0,
      message: `service area${vanished.length === 1 ? '' : 's'} ${vanished.join(', ')} would disappear entirely`,
    });
  }
  return {
    held: trips.length > 0,
    trips,
    comparedServiceAreas: compared,
    newServiceAreas: fresh,
    vanishedServiceAreas: vanished,
    ipv4,
    ipv6,
    ipv4Growth,
    urls,
    thresholds,
  };
}

/** One line for logs, status and the on-change command: why the version is held. */
export function describeGuardReport(report: GuardReport): string {
  if (!report.held) return 'within the change guard';
  return report.trips.map((trip) => trip.message).join('; ');
}
