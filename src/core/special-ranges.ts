/**
 * The address rules of the sanity policy: the IANA special-purpose ranges (RFC 6890 and
 * successors) a published prefix must not overlap, the default route and the broadest prefix
 * allowed. A prefix trips a range when it contains it or lies inside it.
 */
import { safeParseCidr, type Cidr } from './cidr.js';
import type { SanityPolicy, SanityRule } from './sanity-policy.js';

interface SpecialRange {
  readonly rule: SanityRule;
  readonly cidr: Cidr;
  readonly what: string;
}

const RANGES: ReadonlyArray<readonly [SanityRule, string, string]> = [
  ['unspecified', '0.0.0.0/8', '"this network" (RFC 1122)'],
  ['unspecified', '::/128', 'the unspecified address (RFC 4291)'],
  ['loopback', '127.0.0.0/8', 'loopback (RFC 1122)'],
  ['loopback', '::1/128', 'loopback (RFC 4291)'],
  ['link-local', '169.254.0.0/16', 'link-local (RFC 3927)'],
  ['link-local', 'fe80::/10', 'link-local (RFC 4291)'],
  ['multicast', '224.0.0.0/4', 'multicast (RFC 5771)'],
  ['multicast', 'ff00::/8', 'multicast (RFC 4291)'],
  ['private', '10.0.0.0/8', 'private (RFC 1918)'],
  ['private', '172.16.0.0/12', 'private (RFC 1918)'],
  ['private', '192.168.0.0/16', 'private (RFC 1918)'],
  ['private', 'fc00::/7', 'unique local, private (RFC 4193)'],
  ['shared', '100.64.0.0/10', 'shared address space, carrier-grade NAT (RFC 6598)'],
  ['documentation', '192.0.2.0/24', 'documentation TEST-NET-1 (RFC 5737)'],
  ['documentation', '198.51.100.0/24', 'documentation TEST-NET-2 (RFC 5737)'],
  ['documentation', '203.0.113.0/24', 'documentation TEST-NET-3 (RFC 5737)'],
  ['documentation', '2001:db8::/32', 'documentation (RFC 3849)'],
  ['documentation', '3fff::/20', 'documentation (RFC 9637)'],
  ['benchmark', '198.18.0.0/15', 'benchmarking (RFC 2544)'],
  ['benchmark', '2001:2::/48', 'benchmarking (RFC 5180)'],
  ['reserved', '240.0.0.0/4', 'reserved, with the broadcast address (RFC 1112, RFC 919)'],
  ['reserved', '::ffff:0:0/96', 'IPv4-mapped (RFC 4291), never a route of its own'],
  ['reserved', '100::/64', 'discard-only (RFC 6666)'],
];

const SPECIAL: readonly SpecialRange[] = RANGES.map(([rule, text, what]) => {
  const parsed = safeParseCidr(text);
  if (!parsed.ok) throw new Error(`sanity-policy: bad range ${text}`);
  return { rule, cidr: parsed.value, what };
});

/** True when one prefix contains the other (IPv4 in plain numbers: this runs per prefix). */
function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const length = Math.min(a.prefix, b.prefix);
  if (a.family === 4) {
    const size = 2 ** (32 - length);
    return Math.floor(Number(a.network) / size) === Math.floor(Number(b.network) / size);
  }
  const shift = BigInt(128 - length);
  return a.network >> shift === b.network >> shift;
}

const allowedSets = new WeakMap<SanityPolicy, ReadonlySet<SanityRule>>();

/** The relaxed rules of a policy as a set, built once per policy. */
export function allowedOf(policy: SanityPolicy): ReadonlySet<SanityRule> {
  let set = allowedSets.get(policy);
  if (set === undefined) {
    set = new Set(policy.allow);
    allowedSets.set(policy, set);
  }
  return set;
}

/**
 * The special-purpose range an address (or prefix) overlaps, whatever a policy relaxes: its rule,
 * the range and what it is. Webhook delivery uses it on the addresses a target resolves to.
 */
export function specialRangeOf(
  cidr: Cidr,
): { rule: SanityRule; range: string; what: string } | undefined {
  const found = SPECIAL.find((range) => overlaps(cidr, range.cidr));
  return found === undefined
    ? undefined
    : { rule: found.rule, range: found.cidr.text, what: found.what };
}

/** The first unrelaxed rule a prefix trips, with why; undefined when it passes. */
export function prefixProblem(
  cidr: Cidr,
  policy: SanityPolicy,
): { rule: SanityRule; why: string } | undefined {
  const allowed = allowedOf(policy);
  if (cidr.prefix === 0 && !allowed.has('default-route')) {
    return {
      rule: 'default-route',
      why: `${cidr.text} is a default route: it covers every address`,
    };
  }
  for (const range of SPECIAL) {
    if (allowed.has(range.rule) || !overlaps(cidr, range.cidr)) continue;
    const relation = cidr.prefix >= range.cidr.prefix ? 'lies in' : 'covers';
    return {
      rule: range.rule,
      why: `${cidr.text} ${relation} ${range.cidr.text}, ${range.what}`,
    };
  }
  const min = cidr.family === 4 ? policy.limits.minPrefixV4 : policy.limits.minPrefixV6;
  if (cidr.prefix < min && !allowed.has('broad-prefix')) {
    return {
      rule: 'broad-prefix',
      why: `/${cidr.prefix} is broader than the IPv${cidr.family} limit /${min}`,
    };
  }
  return undefined;
}
