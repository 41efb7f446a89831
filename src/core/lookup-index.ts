/**
 * The lookup index: "is this IP or host Microsoft 365, and in which category?" (README.md, "Look up
 * and classify"). One version's sets are compiled once; a lookup then returns EVERY matching set
 * (the same prefix or host is often in several sets with different ports or categories) and the
 * category to apply: Optimize over Allow over Default, Microsoft's priority rule for such overlaps.
 *
 * - IPv4: the prefixes cut the 32-bit space into elementary intervals, built in O(n log n) by one
 *   sweep (prefix-intervals.ts); each interval names the innermost prefix covering it, whose
 *   sorted list of (set, prefix) includes every enclosing prefix. A lookup is one binary search
 *   over a Float64Array of interval starts (numbers, no bigint), so overlapping prefixes cost
 *   nothing at lookup time.
 * - IPv6: the same over 128-bit keys kept as four 32-bit words (flat Uint32Array). IPv4-mapped
 *   addresses (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2) are looked up as IPv4.
 * - Hosts (lower-cased, trailing dot removed): exact names, leading-`*` suffixes and the few other
 *   patterns, compiled by host-matcher.ts.
 */
import type { EntryOrigin } from './device-entry.js';
import type { Category, EndpointSet } from './endpoint-set.js';
import { buildHostMatcher } from './host-matcher.js';
import { parseIpv4 } from './ip-text.js';
import { compareWords, maskV6, parseIpv6, v6End } from './ipv6-words.js';
import { parseLookupQuery, plainHost } from './lookup-query.js';
import { buildIntervals, type PrefixSpan } from './prefix-intervals.js';

// The address and query parsers live in their own files; re-exported for the index's users.
export { formatIpv4, parseIpv4 } from './ip-text.js';
export { parseIpv6 } from './ipv6-words.js';
export { parseLookupQuery, plainHost, type ParsedQuery } from './lookup-query.js';

export type LookupKind = 'ipv4' | 'ipv6' | 'host';

/** What a match tells of its set: the attributes that decide how to treat the address or host. */
export type MatchedSet = Pick<
  EndpointSet,
  | 'id'
  | 'serviceArea'
  | 'category'
  | 'required'
  | 'expressRoute'
  | 'tcpPorts'
  | 'udpPorts'
  | 'notes'
>;

export interface LookupMatch {
  readonly set: MatchedSet;
  /** The prefix or host pattern (publisher form) that matched. */
  readonly matched: string;
  /** A labelled entry (observed, grace, local; core/device-entry.ts); absent for published data. */
  readonly origin?: EntryOrigin;
}

export interface LookupResult {
  readonly query: string;
  readonly kind: LookupKind;
  /** The address or host actually looked up (lower-cased host, canonical IPv4 of a mapped IPv6). */
  readonly normalized: string;
  /** Set when an IPv4-mapped IPv6 address was looked up as IPv4. */
  readonly mappedFrom?: string;
  /** Every match, highest category first, then by set id. */
  readonly matches: readonly LookupMatch[];
  /** The category to apply (the highest of the matches), or null when nothing matched. */
  readonly category: Category | null;
}

export interface LookupIndexStats {
  readonly sets: number;
  readonly ipv4Prefixes: number;
  readonly ipv6Prefixes: number;
  readonly ipv4Intervals: number;
  readonly ipv6Intervals: number;
  readonly exactHosts: number;
  readonly suffixPatterns: number;
  readonly otherPatterns: number;
}

export interface LookupIndex {
  /** Classify and look up an IP, host or URL; a query that is none of them gives `ok: false`. */
  lookup(
    query: string,
  ): LookupResult | { readonly ok: false; readonly query: string; readonly reason: string };
  /** Hot path: an IPv4 address as an unsigned 32-bit number. */
  lookupIpv4(address: number): readonly LookupMatch[];
  /** Hot path: a host already lower-cased, without trailing dot. */
  lookupHost(host: string): readonly LookupMatch[];
  lookupIpv6(words: readonly [number, number, number, number]): readonly LookupMatch[];
  readonly stats: LookupIndexStats;
}

const NONE: readonly LookupMatch[] = Object.freeze([]);
const RANK: Readonly<Record<Category, number>> = { Optimize: 0, Allow: 1, Default: 2 };

/** The category to apply for a list of matches (Optimize > Allow > Default), or null. */
export function bestCategory(matches: readonly LookupMatch[]): Category | null {
  let best: Category | null = null;
  for (const match of matches) {
    if (best === null || RANK[match.set.category] < RANK[best]) best = match.set.category;
  }
  return best;
}

/**
 * A result. Every match list the index returns is sorted (sortMatches), highest category first,
 * so the first match gives the category.
 */
function resultOf(
  query: string,
  kind: LookupKind,
  normalized: string,
  matches: readonly LookupMatch[],
  mappedFrom?: string,
): LookupResult {
  const category = matches.length === 0 ? null : matches[0]!.set.category;
  return mappedFrom === undefined
    ? { query, kind, normalized, matches, category }
    : { query, kind, normalized, mappedFrom, matches, category };
}

function sortMatches(matches: LookupMatch[]): LookupMatch[] {
  return matches.sort(
    (a, b) =>
      RANK[a.set.category] - RANK[b.set.category] ||
      a.set.id - b.set.id ||
      (a.matched < b.matched ? -1 : 1),
  );
}

// ---------------------------------------------------------------------------------------------
// Building

/** An IPv4 prefix as [start, end) over uint32 numbers; the item is the match it yields. */
type V4Prefix = PrefixSpan<number, LookupMatch>;

/** An IPv6 prefix over four 32-bit words; end undefined = the top of the space. */
type V6Prefix = PrefixSpan<readonly number[], LookupMatch>;

/**
 * The attributes a match shows of its set, in that order: an endpoint set, or a matched set copied
 * for the JSON answer. An empty `notes` says nothing and is left out.
 */
export function toMatchedSet(set: MatchedSet): MatchedSet {
  return {
    id: set.id,
    serviceArea: set.serviceArea,
    category: set.category,
    required: set.required,
    expressRoute: set.expressRoute,
    ...(set.tcpPorts === undefined ? {} : { tcpPorts: set.tcpPorts }),
    ...(set.udpPorts === undefined ? {} : { udpPorts: set.udpPorts }),
    ...(set.notes === undefined || set.notes === '' ? {} : { notes: set.notes }),
  };
}

/**
 * Compile one version's sets. Unparseable prefixes are skipped (the data is validated upstream).
 * `originOf` labels the matches of labelled entries (service/lookup.ts builds such an index from
 * the device view).
 */
export function buildLookupIndex(
  sets: readonly EndpointSet[],
  originOf?: (set: EndpointSet) => EntryOrigin | undefined,
): LookupIndex {
  const v4: V4Prefix[] = [];
  const v6: V6Prefix[] = [];
  const hostPatterns: Array<{ pattern: string; item: LookupMatch }> = [];

  for (const set of sets) {
    const info = toMatchedSet(set);
    const origin = originOf?.(set);
    const labelled = origin === undefined ? {} : { origin };
    for (const cidr of set.ips ?? []) {
      const slash = cidr.indexOf('/');
      const address = slash === -1 ? cidr : cidr.slice(0, slash);
      const match: LookupMatch = { set: info, matched: cidr, ...labelled };
      if (!address.includes(':')) {
        const length = slash === -1 ? 32 : Number(cidr.slice(slash + 1));
        const value = parseIpv4(address);
        if (value < 0 || !Number.isInteger(length) || length < 0 || length > 32) continue;
        const size = 2 ** (32 - length);
        const start = value - (value % size);
        v4.push({ start, end: start + size, item: match });
      } else {
        const length = slash === -1 ? 128 : Number(cidr.slice(slash + 1));
        const words = parseIpv6(address);
        if (words === undefined || !Number.isInteger(length) || length < 0 || length > 128)
          continue;
        const start = maskV6(words, length);
        v6.push({ start, end: v6End(start, length), item: match });
      }
    }
    for (const url of set.urls ?? [])
      hostPatterns.push({ pattern: url, item: { set: info, matched: url, ...labelled } });
  }

  // Elementary intervals (O(n log n), see prefix-intervals.ts).
  const v4Table = buildIntervals(v4, {
    compare: (x, y) => x - y,
    // start × 64 + prefix length (< 2^38): ascending start, then the larger block first.
    sortKey: (p) => p.start * 64 + (32 - Math.log2(p.end! - p.start)),
    sortItems: sortMatches,
  });
  const v4Starts = Float64Array.from(v4Table.points);
  const v4Owners = v4Table.owners;
  const v6Table = buildIntervals(v6, { compare: compareWords, sortItems: sortMatches });
  const v6Starts = new Uint32Array(v6Table.points.length * 4);
  v6Table.points.forEach((point, i) => {
    for (let w = 0; w < 4; w += 1) v6Starts[i * 4 + w] = point[w]!;
  });
  const v6Owners = v6Table.owners;
  const v6Count = v6Table.points.length;

  function lookupIpv4(address: number): readonly LookupMatch[] {
    let lo = 0;
    let hi = v4Starts.length - 1;
    if (hi < 0 || address < v4Starts[0]!) return NONE;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (v4Starts[mid]! <= address) lo = mid;
      else hi = mid - 1;
    }
    return v4Table.itemsOf(v4Owners[lo]!);
  }

  function compareAt(index: number, words: readonly number[]): number {
    const base = index * 4;
    for (let w = 0; w < 4; w += 1) {
      const d = v6Starts[base + w]! - words[w]!;
      if (d !== 0) return d;
    }
    return 0;
  }

  function lookupIpv6(words: readonly [number, number, number, number]): readonly LookupMatch[] {
    if (v6Count === 0 || compareAt(0, words) > 0) return NONE;
    let lo = 0;
    let hi = v6Count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (compareAt(mid, words) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return v6Table.itemsOf(v6Owners[lo]!);
  }

  const hosts = buildHostMatcher(hostPatterns, sortMatches);
  const lookupHost = hosts.match;

  return {
    lookupIpv4,
    lookupIpv6,
    lookupHost,
    lookup(query) {
      // Fast paths (no allocation beyond the result): a dotted quad, or a plain host name.
      const v4 = parseIpv4(query);
      if (v4 >= 0) return resultOf(query, 'ipv4', query, lookupIpv4(v4));
      const plain = plainHost(query);
      if (plain !== undefined) return resultOf(query, 'host', plain, lookupHost(plain));
      const parsed = parseLookupQuery(query);
      if (!parsed.ok) return { ok: false, query, reason: parsed.reason };
      let matches: readonly LookupMatch[];
      let normalized: string;
      if (parsed.kind === 'ipv4') {
        matches = lookupIpv4(parsed.value);
        normalized = parsed.text;
      } else if (parsed.kind === 'ipv6') {
        matches = lookupIpv6(parsed.words);
        normalized = parsed.text;
      } else {
        matches = lookupHost(parsed.host);
        normalized = parsed.host;
      }
      const mappedFrom = parsed.kind === 'ipv4' ? parsed.mappedFrom : undefined;
      return resultOf(query, parsed.kind, normalized, matches, mappedFrom);
    },
    stats: {
      sets: sets.length,
      ipv4Prefixes: v4.length,
      ipv6Prefixes: v6.length,
      ipv4Intervals: v4Starts.length,
      ipv6Intervals: v6Count,
      exactHosts: hosts.exactHosts,
      suffixPatterns: hosts.suffixPatterns,
      otherPatterns: hosts.otherPatterns,
    },
  };
}
