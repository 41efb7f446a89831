/**
 * The lookup index: "is this IP or host Microsoft 365, and in which category?" (ECOSYSTEM.md §0.4).
 * One version's sets are compiled once; a lookup then returns EVERY matching set (the same prefix
 * or host is often in several sets with different ports or categories, SPEC §4.2) and the
 * category to apply: Optimize over Allow over Default (SPEC §9).
 *
 * - IPv4: the prefixes cut the 32-bit space into elementary intervals, built in O(n log n) by one
 *   sweep (prefix-intervals.ts); each interval names the innermost prefix covering it, whose
 *   sorted list of (set, prefix) includes every enclosing prefix. A lookup is one binary search
 *   over a Float64Array of interval starts (numbers, no bigint), so overlapping prefixes cost
 *   nothing at lookup time.
 * - IPv6: the same over 128-bit keys kept as four 32-bit words (flat Uint32Array). IPv4-mapped
 *   addresses (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2) are looked up as IPv4.
 * - Hosts (lower-cased, trailing dot removed): an exact map for plain names; a suffix map for
 *   patterns with one leading `*` (`*.x.com`, `*cdn.x.net`, `*-files.sharepoint.com`), keyed by the
 *   domain after the pattern's first dot and reached by walking the host's labels; and a short
 *   list of regular expressions for the rest (`autodiscover.*.onmicrosoft.com`). `*` follows PAC
 *   shExpMatch (ECOSYSTEM.md wildcard table): any run of characters, so `*.x.com` matches
 *   `a.b.x.com` but never `x.com`. The tenant placeholder `<tenant>` (SPEC §11.9) stands for one
 *   DNS label (a tenant name is a label, SPEC §11.7).
 */
import {
  TENANT_PLACEHOLDER,
  type Category,
  type EndpointSet,
  type ServiceArea,
} from './endpoint-set.js';
import type { EntryOrigin } from './device-entry.js';
import { buildIntervals, type PrefixSpan } from './prefix-intervals.js';

export type LookupKind = 'ipv4' | 'ipv6' | 'host';

export interface MatchedSet {
  readonly id: number;
  readonly serviceArea: ServiceArea;
  readonly category: Category;
  readonly required: boolean;
  readonly expressRoute: boolean;
  readonly tcpPorts?: string;
  readonly udpPorts?: string;
  readonly notes?: string;
}

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
  /** The category to apply (SPEC §9), or null when nothing matched. */
  readonly category: Category | null;
}

export type ParsedQuery =
  | {
      readonly ok: true;
      readonly kind: 'ipv4';
      readonly value: number;
      readonly text: string;
      readonly mappedFrom?: string;
    }
  | {
      readonly ok: true;
      readonly kind: 'ipv6';
      readonly words: readonly [number, number, number, number];
      readonly text: string;
    }
  | { readonly ok: true; readonly kind: 'host'; readonly host: string }
  | { readonly ok: false; readonly reason: string };

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

/** The category to apply for a list of matches (SPEC §9), or null. */
export function bestCategory(matches: readonly LookupMatch[]): Category | null {
  let best: Category | null = null;
  for (const match of matches) {
    if (best === null || RANK[match.set.category] < RANK[best]) best = match.set.category;
  }
  return best;
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
// Address parsing (no allocation on the IPv4 hot path)

/** Dotted-quad IPv4 (four decimal octets, no leading-zero octal forms) → uint32, or -1. */
export function parseIpv4(text: string, from = 0, to = text.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // "01": ambiguous (octal in some parsers)
      octet = octet * 10 + (c - 48);
      digits += 1;
      if (octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots += 1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

/** IPv6 text (RFC 4291 §2.2, incl. `::` and a trailing dotted IPv4) → four 32-bit words, or undefined. */
export function parseIpv6(text: string): [number, number, number, number] | undefined {
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  if (address.length < 2 || address.length > 45) return undefined;
  const groups: number[] = [];
  let tail: number[] | undefined;
  let current = groups;
  const parts = address.split(':');
  const double = address.indexOf('::');
  if (double !== -1 && address.indexOf('::', double + 1) !== -1) return undefined;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i]!;
    if (part === '') {
      // `::` yields one or two empty parts (three when the address is just "::").
      if (double === -1) return undefined;
      if (tail === undefined) {
        tail = [];
        current = tail;
      }
      continue;
    }
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 < 0) return undefined;
      current.push(Math.floor(v4 / 65536), v4 % 65536);
      continue;
    }
    if (part.length > 4 || !/^[0-9a-fA-F]+$/.test(part)) return undefined;
    current.push(parseInt(part, 16));
  }
  let all: number[];
  if (tail === undefined) {
    if (groups.length !== 8) return undefined;
    all = groups;
  } else {
    const missing = 8 - groups.length - tail.length;
    if (missing < 1) return undefined;
    all = [...groups, ...Array<number>(missing).fill(0), ...tail];
  }
  return [
    all[0]! * 65536 + all[1]!,
    all[2]! * 65536 + all[3]!,
    all[4]! * 65536 + all[5]!,
    all[6]! * 65536 + all[7]!,
  ];
}

export function formatIpv4(value: number): string {
  return `${Math.floor(value / 16777216)}.${Math.floor(value / 65536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}

const HOST_CHARS = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/**
 * Classify a query: an IPv4/IPv6 address (brackets, port and zone allowed), a host (any case,
 * trailing dot, `host:port`), or a URL (`https://host/path`, `host/path`): its host is used.
 */
export function parseLookupQuery(query: string): ParsedQuery {
  let text = query.trim();
  if (text === '')
    return { ok: false, reason: 'empty query: expected an IP address, a host name or a URL' };
  if (text.length > 2048)
    return { ok: false, reason: `too long (${text.length} characters; at most 2048)` };
  if (text.includes('://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { ok: false, reason: 'not a valid URL' };
    }
    text = url.hostname;
    if (text === '') return { ok: false, reason: 'the URL has no host' };
  } else {
    const slash = text.search(/[/?#]/);
    if (slash !== -1) text = text.slice(0, slash);
    const at = text.lastIndexOf('@');
    if (at !== -1) text = text.slice(at + 1);
  }
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return { ok: false, reason: 'unclosed "[" around an IPv6 address' };
    const rest = text.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest))
      return { ok: false, reason: 'unexpected text after "]"' };
    text = text.slice(1, close);
    return parseAddressOrHost(text, true);
  }
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [host = '', port = ''] = text.split(':');
    if (!/^\d{1,5}$/.test(port))
      return { ok: false, reason: `"${port}" after ":" is not a port number` };
    text = host;
  }
  return parseAddressOrHost(text, colons > 1);
}

function parseAddressOrHost(text: string, ipv6: boolean): ParsedQuery {
  if (ipv6 || text.includes(':')) {
    const words = parseIpv6(text);
    if (words === undefined) return { ok: false, reason: 'not a valid IPv6 address' };
    if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
      return {
        ok: true,
        kind: 'ipv4',
        value: words[3],
        text: formatIpv4(words[3]),
        mappedFrom: text.toLowerCase(),
      };
    }
    return { ok: true, kind: 'ipv6', words, text: text.toLowerCase() };
  }
  if (/^[0-9.]+$/.test(text)) {
    const value = parseIpv4(text);
    if (value < 0)
      return {
        ok: false,
        reason: 'not a valid IPv4 address (four decimal octets 0–255, e.g. 52.112.0.1)',
      };
    return { ok: true, kind: 'ipv4', value, text };
  }
  let host = text.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (/[^\x20-\x7e]/.test(host)) {
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      return { ok: false, reason: 'not a valid host name' };
    }
  }
  if (host.length === 0 || host.length > 253 || !HOST_CHARS.test(host)) {
    return {
      ok: false,
      reason: 'not an IP address, a host name (letters, digits, "-", dots) or a URL',
    };
  }
  return { ok: true, kind: 'host', host };
}

/**
 * A query that is already a plain host name (letters, digits, `-`, `_`, dots; any case; an
 * optional trailing dot; at least one letter), lower-cased and without the trailing dot; else
 * undefined and the full parser decides.
 */
export function plainHost(query: string): string | undefined {
  const length = query.length;
  if (length === 0 || length > 254) return undefined;
  let upper = false;
  let letter = false;
  let previousDot = true;
  for (let i = 0; i < length; i += 1) {
    const c = query.charCodeAt(i);
    if (c >= 97 && c <= 122) letter = true;
    else if (c >= 65 && c <= 90) {
      letter = true;
      upper = true;
    } else if (c === 46) {
      if (previousDot) return undefined;
      previousDot = true;
      continue;
    } else if (!((c >= 48 && c <= 57) || c === 45 || c === 95)) return undefined;
    previousDot = false;
  }
  if (!letter) return undefined;
  const host = upper ? query.toLowerCase() : query;
  return host.charCodeAt(length - 1) === 46 ? host.slice(0, -1) : host;
}

// ---------------------------------------------------------------------------------------------
// Building

/** An IPv4 prefix as [start, end) over uint32 numbers; the item is the match it yields. */
type V4Prefix = PrefixSpan<number, LookupMatch>;

/** An IPv6 prefix over four 32-bit words; end undefined = the top of the space. */
type V6Prefix = PrefixSpan<readonly number[], LookupMatch>;

interface SuffixPattern {
  /** The pattern without its leading `*` (what the host must end with). */
  readonly tail: string;
  /** `<tenant>`: the part before `tail` must be exactly one non-empty label. */
  readonly oneLabel: boolean;
  readonly match: LookupMatch;
}

function compareWords(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 4; i += 1) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Words of `start + 2^(128-length)`, or undefined on overflow past the top. */
function v6End(start: readonly number[], length: number): number[] | undefined {
  if (length === 0) return undefined;
  const words = [...start];
  const word = Math.floor((length - 1) / 32);
  const bit = 32 - (length - 32 * word);
  let carry = 2 ** bit;
  for (let i = word; i >= 0 && carry > 0; i -= 1) {
    const sum = words[i]! + carry;
    words[i] = sum % 4294967296;
    carry = sum >= 4294967296 ? 1 : 0;
  }
  if (carry > 0) return undefined;
  for (let i = word + 1; i < 4; i += 1) words[i] = 0;
  return words;
}

function maskV6(words: readonly number[], length: number): number[] {
  return words.map((w, i) => {
    const keep = Math.max(0, Math.min(32, length - 32 * i));
    if (keep === 32) return w;
    if (keep === 0) return 0;
    const size = 2 ** (32 - keep);
    return w - (w % size);
  });
}

function toMatchedSet(set: EndpointSet): MatchedSet {
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
  const exact = new Map<string, LookupMatch[]>();
  const suffix = new Map<string, SuffixPattern[]>();
  const others: Array<{ regex: RegExp; match: LookupMatch }> = [];
  let suffixCount = 0;

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
    for (const url of set.urls ?? []) {
      const pattern = url.toLowerCase();
      const match: LookupMatch = { set: info, matched: url, ...labelled };
      const starCount = pattern.split('*').length - 1;
      const tenantCount = pattern.split(TENANT_PLACEHOLDER).length - 1;
      if (starCount === 0 && tenantCount === 0) {
        const list = exact.get(pattern) ?? [];
        list.push(match);
        exact.set(pattern, list);
        continue;
      }
      const leadingStar = starCount === 1 && tenantCount === 0 && pattern.startsWith('*');
      const leadingTenant =
        starCount === 0 && tenantCount === 1 && pattern.startsWith(TENANT_PLACEHOLDER);
      if (leadingStar || leadingTenant) {
        const tail = pattern.slice(leadingStar ? 1 : TENANT_PLACEHOLDER.length);
        const dot = tail.indexOf('.');
        if (dot !== -1 && dot < tail.length - 1) {
          const key = tail.slice(dot + 1);
          const list = suffix.get(key) ?? [];
          list.push({ tail, oneLabel: leadingTenant, match });
          suffix.set(key, list);
          suffixCount += 1;
          continue;
        }
      }
      const source = pattern
        .split(TENANT_PLACEHOLDER)
        .map((part) => part.split('*').map(escapeRegExp).join('.*'))
        .join('[a-z0-9-]+');
      others.push({ regex: new RegExp(`^${source}$`), match });
    }
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

  function lookupHost(host: string): readonly LookupMatch[] {
    let found: LookupMatch[] | undefined;
    const direct = exact.get(host);
    if (direct !== undefined) found = [...direct];
    // Walk the host's proper dot-suffixes: a.b.x.com → b.x.com, x.com, com.
    if (suffix.size > 0) {
      let dot = host.indexOf('.');
      while (dot !== -1) {
        const bucket = suffix.get(host.slice(dot + 1));
        if (bucket !== undefined) {
          for (const entry of bucket) {
            if (host.length >= entry.tail.length && host.endsWith(entry.tail)) {
              if (entry.oneLabel) {
                const head = host.slice(0, host.length - entry.tail.length);
                if (head === '' || head.includes('.')) continue;
              }
              (found ??= []).push(entry.match);
            }
          }
        }
        dot = host.indexOf('.', dot + 1);
      }
    }
    for (const other of others) {
      if (other.regex.test(host)) (found ??= []).push(other.match);
    }
    return found === undefined ? NONE : found.length > 1 ? sortMatches(found) : found;
  }

  return {
    lookupIpv4,
    lookupIpv6,
    lookupHost,
    lookup(query) {
      // Fast paths (no allocation beyond the result): a dotted quad, or a plain host name.
      const v4 = parseIpv4(query);
      if (v4 >= 0) {
        const matches = lookupIpv4(v4);
        return {
          query,
          kind: 'ipv4',
          normalized: query,
          matches,
          category: matches.length === 0 ? null : matches[0]!.set.category,
        };
      }
      const plain = plainHost(query);
      if (plain !== undefined) {
        const matches = lookupHost(plain);
        return {
          query,
          kind: 'host',
          normalized: plain,
          matches,
          category: matches.length === 0 ? null : matches[0]!.set.category,
        };
      }
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
      const result: LookupResult = {
        query,
        kind: parsed.kind,
        normalized,
        ...(parsed.kind === 'ipv4' && parsed.mappedFrom !== undefined
          ? { mappedFrom: parsed.mappedFrom }
          : {}),
        matches,
        category: bestCategory(matches),
      };
      return result;
    },
    stats: {
      sets: sets.length,
      ipv4Prefixes: v4.length,
      ipv6Prefixes: v6.length,
      ipv4Intervals: v4Starts.length,
      ipv6Intervals: v6Count,
      exactHosts: exact.size,
      suffixPatterns: suffixCount,
      otherPatterns: others.length,
    },
  };
}
