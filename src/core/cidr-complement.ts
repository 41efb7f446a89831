/**
 * The complement of a set of prefixes within a whole address family: what a full tunnel still
 * carries once the chosen prefixes are routed outside it (WireGuard `AllowedIPs`, docs/formats.md
 * "wireguard"). Pure; exact; shortest.
 *
 * Why it is the shortest: the excluded prefixes are merged into disjoint, non-adjacent address
 * ranges; what is left is a list of gaps between them. No prefix can cover parts of two gaps (it
 * would also cover the excluded range between them), so a minimal cover is the minimal cover of
 * each gap on its own, and the greedy split of a range into the largest aligned blocks is the
 * minimal cover of that range (a prefix of a range is always a block aligned to its own size).
 */
import { familyBits, makeCidr, type Cidr, type IpFamily } from './cidr.js';

interface Range {
  first: bigint;
  last: bigint;
}

function rangeOf(cidr: Cidr): Range {
  const size = 1n << BigInt(familyBits(cidr.family) - cidr.prefix);
  return { first: cidr.network, last: cidr.network + size - 1n };
}

/** Disjoint, sorted, non-adjacent ranges covering exactly the union of the prefixes. */
function mergedRanges(prefixes: readonly Cidr[]): Range[] {
  const ranges = prefixes
    .map(rangeOf)
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: Range[] = [];
  for (const range of ranges) {
    const last = out[out.length - 1];
    if (last !== undefined && range.first <= last.last + 1n) {
      if (range.last > last.last) last.last = range.last;
    } else {
      out.push({ ...range });
    }
  }
  return out;
}

/** The fewest prefixes covering exactly [first, last] (inclusive). */
export function rangeToCidrs(family: IpFamily, first: bigint, last: bigint): Cidr[] {
  const bits = familyBits(family);
  const out: Cidr[] = [];
  let start = first;
  while (start <= last) {
    // The largest block aligned at `start` that still ends within the range.
    let size = start === 0n ? 1n << BigInt(bits) : start & -start;
    while (start + size - 1n > last) size >>= 1n;
    let prefix = bits;
    for (let s = size; s > 1n; s >>= 1n) prefix -= 1;
    out.push(makeCidr(family, start, prefix));
    start += size;
  }
  return out;
}

/**
 * Every address of the family not in any of `excluded` (prefixes of other families are ignored),
 * as the shortest list of prefixes, in address order. Empty when `excluded` covers everything.
 */
export function complementCidrs(family: IpFamily, excluded: readonly Cidr[]): Cidr[] {
  const max = (1n << BigInt(familyBits(family))) - 1n;
  const out: Cidr[] = [];
  let next = 0n;
  for (const range of mergedRanges(excluded.filter((cidr) => cidr.family === family))) {
    if (range.first > next) out.push(...rangeToCidrs(family, next, range.first - 1n));
    next = range.last + 1n;
  }
  if (next <= max) out.push(...rangeToCidrs(family, next, max));
  return out;
}
