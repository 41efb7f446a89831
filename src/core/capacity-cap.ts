/**
 * Capacity caps (`--max-entries N`, issue 11): a device object holds at most N prefixes. When the
 * prefixes of an object do not fit, some of them are replaced by a covering supernet, choosing
 * the covers that add the least address space (addresses the object then matches that the data
 * does not list) for the count.
 *
 * Model. The input is one or more groups of prefixes of one family; a group is a bucket that
 * may never merge with another (different category or ports, issue 11), so a cover never spans
 * two groups. Each group is aggregated exactly first (cidr-aggregate: no address added), then put
 * in a compressed binary trie (capacity-cap-trie.ts) whose nodes are the only covers an optimal
 * answer needs. Two solvers over it, both returning covers (disjoint, sorted):
 * - `exact` (capacity-cap-exact.ts): dynamic programming over the trie, optimal; it runs when its
 *   work stays under EXACT_WORK_BUDGET (every real bucket; small and mid-size lists).
 * - `lagrangian` (capacity-cap-lagrangian.ts): a price per entry, bisected, then spare entries
 *   given back greedily; each result carries a proven lower bound of the optimum (`lowerBound`).
 *
 * Costs are computed in float64 (exact for IPv4, relative precision 2⁻⁵³ for IPv6); the added
 * space reported is recomputed exactly in bigint from the chosen covers.
 */
import { exactWork, solveExact } from './capacity-cap-exact.js';
import { solveLagrangian } from './capacity-cap-lagrangian.js';
import { buildTrie, joinTries, leavesBelow, newTrie } from './capacity-cap-trie.js';
import { aggregateCidrs, sortCidrs } from './cidr-aggregate.js';
import { compareCidrs, familyBits, makeCidr, type Cidr, type IpFamily } from './cidr.js';
import { IpurlError } from './errors.js';

/** Beyond this many inner-loop steps the Lagrangian solver runs instead of the exact one. */
export const EXACT_WORK_BUDGET = 60_000_000;

export type CapMethod = 'exact' | 'lagrangian';

export interface CapMerge {
  /** The cover written out. */
  readonly into: string;
  /** The (aggregated) prefixes it replaces, sorted. */
  readonly from: readonly string[];
  /** Addresses the cover matches that none of `from` lists. */
  readonly added: bigint;
}

export interface CapResult {
  /** Sorted, disjoint; at most maxEntries. One array per input group, in input order. */
  readonly groups: readonly (readonly Cidr[])[];
  readonly merges: readonly CapMerge[];
  /** Entries after exact aggregation, before the cap (per group summed). */
  readonly entriesBefore: number;
  readonly entriesAfter: number;
  /** Addresses listed by the input (union). */
  readonly inputSpace: bigint;
  /** Addresses added by the covers. */
  readonly addedSpace: bigint;
  readonly method: CapMethod;
  /** A proven lower bound of the least possible added space for this count (exact: = addedSpace). */
  readonly lowerBound: bigint;
}

export interface CapOptions {
  /** Default: exact when its work fits EXACT_WORK_BUDGET, else lagrangian. */
  readonly method?: CapMethod;
}

/** The rule quoted by every refusal. */
export const MAX_ENTRIES_RULE = 'a whole number of entries, at least 1';

/**
 * Already sorted, disjoint and without mergeable sibling halves (the output of aggregateCidrs,
 * which export buckets hand over): checked in one linear pass, so the cap does not sort again.
 */
function isAggregated(cidrs: readonly Cidr[]): boolean {
  for (let i = 1; i < cidrs.length; i++) {
    const a = cidrs[i - 1] as Cidr;
    const b = cidrs[i] as Cidr;
    if (a.family !== b.family) return false;
    const size = 1n << BigInt(familyBits(a.family) - a.prefix);
    if (b.network < a.network + size) return false;
    if (
      a.prefix === b.prefix &&
      b.network === a.network + size &&
      (a.network & ((size << 1n) - 1n)) === 0n
    )
      return false;
  }
  return true;
}

/** Σ sizes, exactly: IPv4 sums stay below 2⁵³ as numbers (no bigint per prefix). */
function totalSpace(cidrs: readonly Cidr[]): bigint {
  if (cidrs.every((c) => c.family === 4)) {
    let total = 0;
    for (const c of cidrs) total += 2 ** (32 - c.prefix);
    return BigInt(total);
  }
  return cidrs.reduce((n, c) => n + space(c), 0n);
}

function space(cidr: Cidr): bigint {
  return 1n << BigInt(familyBits(cidr.family) - cidr.prefix);
}

/**
 * Fit `groups` (prefixes of one family; groups never merge with each other) into at most
 * `maxEntries` prefixes with the least added address space. Throws ERR_INVALID_PARAMETER when
 * maxEntries is not a whole number ≥ 1 or is below the number of non-empty groups (each needs
 * one entry at least).
 */
export function capPrefixes(
  groups: readonly (readonly Cidr[])[],
  maxEntries: number,
  options: CapOptions = {},
): CapResult {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `max entries ${String(maxEntries)} is not accepted; expected ${MAX_ENTRIES_RULE}`,
    );
  }
  const aggregated = groups.map((group) =>
    isAggregated(group) ? group : aggregateCidrs(group, { report: false }).prefixes,
  );
  const families = new Set<IpFamily>();
  for (const group of aggregated) for (const cidr of group) families.add(cidr.family);
  if (families.size > 1) {
    throw new IpurlError('ERR_INVALID_PARAMETER', 'capPrefixes: one address family at a time');
  }
  const nonEmpty = aggregated.filter((group) => group.length > 0).length;
  const entriesBefore = aggregated.reduce((n, group) => n + group.length, 0);
  const inputSpace = aggregated.reduce((n, group) => n + totalSpace(group), 0n);
  const unchanged: CapResult = {
    groups: aggregated,
    merges: [],
    entriesBefore,
    entriesAfter: entriesBefore,
    inputSpace,
    addedSpace: 0n,
    method: 'exact',
    lowerBound: 0n,
  };
  if (entriesBefore <= maxEntries) return unchanged;
  if (nonEmpty > maxEntries) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `max entries ${maxEntries} cannot be met: ${nonEmpty} buckets that may not merge with each other need one entry each at least; accepted: ${nonEmpty} or more`,
      { details: { value: maxEntries, minimum: nonEmpty } },
    );
  }
  const family = [...families][0] as IpFamily;
  const trie = newTrie(family, 2 * entriesBefore + aggregated.length);
  let root = -1;
  aggregated.forEach((group, index) => {
    if (group.length === 0) return;
    if (family === 4) {
      const numbers = new Float64Array(group.length);
      for (let i = 0; i < group.length; i++) numbers[i] = Number((group[i] as Cidr).network);
      trie.numbers = numbers;
    }
    const [id] = buildTrie(trie, index, group, 0, group.length - 1);
    root = root === -1 ? id : joinTries(trie, root, id);
  });
  const method =
    options.method ?? (exactWork(trie, maxEntries) <= EXACT_WORK_BUDGET ? 'exact' : 'lagrangian');
  let covers: number[];
  let bound: number | undefined;
  if (method === 'exact') covers = solveExact(trie, root, maxEntries);
  else {
    const solved = solveLagrangian(trie, root, maxEntries);
    covers = solved.covers;
    bound = solved.lowerBound;
  }
  const out: Cidr[][] = aggregated.map(() => []);
  const merges: CapMerge[] = [];
  const pairs: [Cidr, CapMerge][] = [];
  let addedSpace = 0n;
  for (const v of covers) {
    const leaf = trie.leafCidr[v];
    if (leaf !== undefined) {
      out[trie.group[v] ?? 0]?.push(leaf);
      continue;
    }
    const from = leavesBelow(trie, v);
    const p = trie.plen[v] ?? 0;
    const bits = BigInt(familyBits(family) - p);
    const network = ((trie.firstLeaf[v] as Cidr).network >> bits) << bits;
    const cidr = makeCidr(family, network, p);
    // The node's cost is its added space, exact in float64 for IPv4 (below 2³²).
    const added = family === 4 ? BigInt(trie.cost[v] as number) : space(cidr) - totalSpace(from);
    addedSpace += added;
    out[trie.group[v] ?? 0]?.push(cidr);
    const merge = { into: cidr.text, from: from.map((c) => c.text), added };
    merges.push(merge);
    pairs.push([cidr, merge]);
  }
  const sorted = out.map((group) => sortCidrs(group));
  const coverOf = new Map<CapMerge, Cidr>();
  for (const [cidr, merge] of pairs) coverOf.set(merge, cidr);
  merges.sort((a, b) => compareCidrs(coverOf.get(a) as Cidr, coverOf.get(b) as Cidr));
  return {
    groups: sorted,
    merges,
    entriesBefore,
    entriesAfter: covers.length,
    inputSpace,
    addedSpace,
    method,
    // The float bound, rounded down with a margin for float error: still a valid lower bound.
    lowerBound:
      bound === undefined ? addedSpace : BigInt(Math.max(0, Math.floor(bound * (1 - 1e-12)))),
  };
}

/** `12.5 %` of the listed space, to two significant decimals (for reports). */
export function addedShare(result: Pick<CapResult, 'addedSpace' | 'inputSpace'>): string {
  if (result.inputSpace === 0n) return '0 %';
  const basisPoints = Number((result.addedSpace * 1_000_000n) / result.inputSpace) / 10_000;
  return `${basisPoints.toFixed(2)} %`;
}
