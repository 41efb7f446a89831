/**
 * Capacity caps (`--max-entries N`, issue 11): a device object holds at most N prefixes. When the
 * prefixes of an object do not fit, some of them are replaced by a covering supernet, choosing
 * the covers that add the least address space (addresses the object then matches that the data
 * does not list) for the count.
 *
 * Model. The input is one or more groups of prefixes of one family; a group is a bucket that
 * may never merge with another (different category or ports, issue 11), so a cover never spans
 * two groups. Each group is aggregated exactly first (cidr-aggregate: no address added), then put
 * in a compressed binary trie: its leaves are the aggregated prefixes, its inner nodes the
 * longest common prefixes of their subtrees. An optimal cover only uses trie nodes: any other
 * supernet covering the same leaves contains the trie node and is at least as large.
 *
 * Two solvers over that trie, both returning covers (disjoint, sorted):
 * - `exact`: f(v, j) = least added space covering v's leaves with j entries inside v;
 *   f(v, 1) = size(v) − listed(v), f(v, j ≥ 2) = min over i of f(left, i) + f(right, j − i),
 *   arrays truncated at min(leaves, N). Optimal. Work Σ min(a,N)·min(b,N) over inner nodes, so it
 *   runs when that stays under EXACT_WORK_BUDGET (every real bucket; small and mid-size lists).
 * - `lagrangian`: for a price λ per entry, each node independently takes the cheaper of "one
 *   cover" (cost + λ) and "best of both children", in one linear pass; a bisection on λ finds
 *   the cheapest solution with at most N entries, spare entries are then given back greedily
 *   (split the cover whose split saves the most space). Every λ also yields a proven lower bound
 *   on the optimum (best(λ) − λ·N), reported as `lowerBound`, so each result carries its own
 *   certificate of how far from optimal it can be at most.
 *
 * Costs are computed in float64 (exact for IPv4, relative precision 2⁻⁵³ for IPv6); the added
 * space reported is recomputed exactly in bigint from the chosen covers.
 */
import { aggregateCidrs } from './cidr-aggregate.js';
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

// ---------------------------------------------------------------------------------------------
// The trie (structure of arrays: half a million leaves make a million nodes)

interface Trie {
  readonly family: IpFamily;
  left: Int32Array;
  right: Int32Array;
  /** Prefix length of the node. */
  plen: Uint8Array;
  /** Leaves below (1 for a leaf). */
  leaves: Int32Array;
  /** Added space of covering the node with itself; Infinity for a join of two groups. */
  cost: Float64Array;
  /** A leaf below each node (its first): the node's network is that leaf's, masked. */
  firstLeaf: (Cidr | undefined)[];
  /** IPv4 networks of the sorted group being built, as numbers (bigint shifts are slow). */
  numbers?: Float64Array;
  /** The leaf's prefix (leaves only). */
  leafCidr: (Cidr | undefined)[];
  /** The input group of each node. */
  group: Int32Array;
  count: number;
}

function newTrie(family: IpFamily, capacity: number): Trie {
  return {
    family,
    left: new Int32Array(capacity),
    right: new Int32Array(capacity),
    plen: new Uint8Array(capacity),
    leaves: new Int32Array(capacity),
    cost: new Float64Array(capacity),
    firstLeaf: new Array<Cidr | undefined>(capacity).fill(undefined),
    leafCidr: new Array<Cidr | undefined>(capacity).fill(undefined),
    group: new Int32Array(capacity),
    count: 0,
  };
}

function commonLength(family: IpFamily, a: bigint, b: bigint, limit: number): number {
  const bits = familyBits(family);
  const x = a ^ b;
  if (x === 0n) return limit;
  const length = family === 4 ? Math.clz32(Number(x)) : bits - x.toString(2).length;
  return Math.min(length, limit);
}

/** Build the subtree of sorted, disjoint `cidrs[lo..hi]`; returns the node id and listed space. */
function build(
  trie: Trie,
  group: number,
  cidrs: readonly Cidr[],
  lo: number,
  hi: number,
): [number, number] {
  const bits = familyBits(trie.family);
  const id = trie.count++;
  trie.group[id] = group;
  trie.leafCidr[id] = undefined;
  if (lo === hi) {
    const cidr = cidrs[lo] as Cidr;
    trie.left[id] = -1;
    trie.right[id] = -1;
    trie.plen[id] = cidr.prefix;
    trie.leaves[id] = 1;
    trie.cost[id] = 0;
    trie.firstLeaf[id] = cidr;
    trie.leafCidr[id] = cidr;
    return [id, 2 ** (bits - cidr.prefix)];
  }
  const first = cidrs[lo] as Cidr;
  const last = cidrs[hi] as Cidr;
  const numbers = trie.numbers;
  const limit = Math.min(first.prefix, last.prefix);
  const p =
    numbers !== undefined
      ? Math.min(limit, Math.clz32((numbers[lo] as number) ^ (numbers[hi] as number)))
      : commonLength(trie.family, first.network, last.network, limit);
  // First index whose bit p (counted from the top) is 1: the right subtree starts there.
  let a = lo + 1;
  let b = hi;
  if (numbers !== undefined) {
    const unit = 2 ** (31 - p);
    while (a < b) {
      const mid = (a + b) >> 1;
      if (Math.floor((numbers[mid] as number) / unit) % 2 === 1) b = mid;
      else a = mid + 1;
    }
  } else {
    const shift = BigInt(bits - 1 - p);
    while (a < b) {
      const mid = (a + b) >> 1;
      if ((((cidrs[mid] as Cidr).network >> shift) & 1n) === 1n) b = mid;
      else a = mid + 1;
    }
  }
  const [l, listedL] = build(trie, group, cidrs, lo, a - 1);
  const [r, listedR] = build(trie, group, cidrs, a, hi);
  const listed = listedL + listedR;
  trie.left[id] = l;
  trie.right[id] = r;
  trie.plen[id] = p;
  trie.leaves[id] = (trie.leaves[l] ?? 0) + (trie.leaves[r] ?? 0);
  trie.cost[id] = 2 ** (bits - p) - listed;
  trie.firstLeaf[id] = first;
  return [id, listed];
}

/** A join of two groups' subtrees: never a cover. */
function join(trie: Trie, l: number, r: number): number {
  const id = trie.count++;
  trie.left[id] = l;
  trie.right[id] = r;
  trie.plen[id] = 0;
  trie.leaves[id] = (trie.leaves[l] ?? 0) + (trie.leaves[r] ?? 0);
  trie.cost[id] = Infinity;
  trie.firstLeaf[id] = undefined;
  trie.leafCidr[id] = undefined;
  return id;
}

/** Post-order of the nodes below `root` (children before parents), iteratively. */
function postOrder(trie: Trie, root: number): Int32Array {
  const order = new Int32Array(trie.count);
  const stack: number[] = [root];
  let n = 0;
  while (stack.length > 0) {
    const v = stack.pop() as number;
    order[n++] = v;
    const l = trie.left[v] ?? -1;
    if (l !== -1) stack.push(l, trie.right[v] ?? -1);
  }
  // Reversed pre-order (node, right, left) is a valid children-first order.
  return order.subarray(0, n).reverse();
}

// ---------------------------------------------------------------------------------------------
// Exact solver

function exactWork(trie: Trie, order: Int32Array, k: number): number {
  let work = 0;
  for (const v of order) {
    const l = trie.left[v] ?? -1;
    if (l === -1) continue;
    const r = trie.right[v] ?? -1;
    work += Math.min(trie.leaves[l] ?? 0, k) * Math.min(trie.leaves[r] ?? 0, k);
  }
  return work;
}

/** Chosen covers (node ids) of the optimal solution with at most k entries. */
function solveExact(trie: Trie, order: Int32Array, root: number, k: number): number[] {
  const f = new Array<Float64Array | undefined>(trie.count);
  const split = new Array<Int32Array | undefined>(trie.count);
  for (const v of order) {
    const l = trie.left[v] ?? -1;
    const size = Math.min(trie.leaves[v] ?? 0, k);
    const fv = new Float64Array(size + 1).fill(Infinity);
    if (l === -1) {
      fv[1] = 0;
      f[v] = fv;
      continue;
    }
    const r = trie.right[v] ?? -1;
    const fl = f[l] as Float64Array;
    const fr = f[r] as Float64Array;
    const sv = new Int32Array(size + 1);
    fv[1] = trie.cost[v] ?? Infinity;
    for (let i = 1; i < fl.length; i++) {
      const a = fl[i] as number;
      if (a === Infinity) continue;
      const top = Math.min(fr.length - 1, size - i);
      for (let j = 1; j <= top; j++) {
        const total = a + (fr[j] as number);
        if (total < (fv[i + j] as number)) {
          fv[i + j] = total;
          sv[i + j] = i;
        }
      }
    }
    f[v] = fv;
    split[v] = sv;
  }
  const fr = f[root] as Float64Array;
  let bestJ = -1;
  for (let j = 1; j < fr.length; j++) {
    if (fr[j] !== Infinity && (bestJ === -1 || (fr[j] as number) < (fr[bestJ] as number)))
      bestJ = j;
  }
  if (bestJ === -1) return [];
  const covers: number[] = [];
  const stack: [number, number][] = [[root, bestJ]];
  while (stack.length > 0) {
    const [v, j] = stack.pop() as [number, number];
    const l = trie.left[v] ?? -1;
    if (l === -1 || j === 1) {
      covers.push(v);
      continue;
    }
    const i = (split[v] as Int32Array)[j] as number;
    stack.push([l, i], [trie.right[v] ?? -1, j - i]);
  }
  return covers;
}

// ---------------------------------------------------------------------------------------------
// Lagrangian solver

interface Priced {
  readonly best: Float64Array;
  readonly count: Int32Array;
  readonly cover: Uint8Array;
}

function newPriced(size: number): Priced {
  return { best: new Float64Array(size), count: new Int32Array(size), cover: new Uint8Array(size) };
}

/** One linear pass at price λ per entry, into `out` (reused between passes: no garbage). */
function price(trie: Trie, order: Int32Array, lambda: number, out: Priced): Priced {
  const { best, count, cover } = out;
  const { left, right, cost } = trie;
  for (let n = 0; n < order.length; n++) {
    const v = order[n] as number;
    const l = left[v] as number;
    if (l === -1) {
      best[v] = lambda;
      count[v] = 1;
      cover[v] = 1;
      continue;
    }
    const r = right[v] as number;
    const asCover = (cost[v] as number) + lambda;
    const asSplit = (best[l] as number) + (best[r] as number);
    // On a tie the cover wins: fewer entries for the same price.
    if (asCover <= asSplit) {
      best[v] = asCover;
      count[v] = 1;
      cover[v] = 1;
    } else {
      best[v] = asSplit;
      count[v] = (count[l] as number) + (count[r] as number);
      cover[v] = 0;
    }
  }
  return out;
}

function coversOf(trie: Trie, root: number, priced: { readonly cover: Uint8Array }): number[] {
  const covers: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop() as number;
    if (priced.cover[v] === 1) covers.push(v);
    else stack.push(trie.left[v] ?? -1, trie.right[v] ?? -1);
  }
  return covers;
}

/** Max-heap of (gain, node). */
class GainHeap {
  private readonly gains: number[] = [];
  private readonly nodes: number[] = [];
  get size(): number {
    return this.nodes.length;
  }
  push(gain: number, node: number): void {
    const g = this.gains;
    const n = this.nodes;
    g.push(gain);
    n.push(node);
    let i = n.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((g[p] as number) >= (g[i] as number)) break;
      [g[p], g[i]] = [g[i] as number, g[p] as number];
      [n[p], n[i]] = [n[i] as number, n[p] as number];
      i = p;
    }
  }
  pop(): number {
    const g = this.gains;
    const n = this.nodes;
    const top = n[0] as number;
    const lastG = g.pop() as number;
    const lastN = n.pop() as number;
    if (n.length > 0) {
      g[0] = lastG;
      n[0] = lastN;
      let i = 0;
      for (;;) {
        const a = 2 * i + 1;
        const b = a + 1;
        let m = i;
        if (a < n.length && (g[a] as number) > (g[m] as number)) m = a;
        if (b < n.length && (g[b] as number) > (g[m] as number)) m = b;
        if (m === i) break;
        [g[m], g[i]] = [g[i] as number, g[m] as number];
        [n[m], n[i]] = [n[i] as number, n[m] as number];
        i = m;
      }
    }
    return top;
  }
}

function solveLagrangian(
  trie: Trie,
  order: Int32Array,
  root: number,
  k: number,
): { covers: number[]; lowerBound: number } {
  let maxCost = 0;
  for (const v of order) {
    const c = trie.cost[v] ?? 0;
    if (c !== Infinity && c > maxCost) maxCost = c;
  }
  let lo = 0;
  let hi = maxCost + 1;
  const scratch = newPriced(trie.count);
  const atHi = price(trie, order, hi, newPriced(trie.count));
  let lowerBound = Math.max(0, (atHi.best[root] ?? 0) - hi * k);
  let feasibleCover = atHi.cover;
  const atZero = price(trie, order, 0, scratch);
  lowerBound = Math.max(lowerBound, atZero.best[root] ?? 0);
  if ((atZero.count[root] ?? 0) <= k) feasibleCover = atZero.cover.slice();
  else {
    // Costs are whole addresses: a relative precision of 1e-12 on λ separates every breakpoint
    // that matters; stop early on an exact hit.
    for (let step = 0; step < 80 && hi - lo > Math.max(1e-9, hi * 1e-12); step++) {
      const mid = (lo + hi) / 2;
      const priced = price(trie, order, mid, scratch);
      lowerBound = Math.max(lowerBound, (priced.best[root] ?? 0) - mid * k);
      const count = priced.count[root] ?? 0;
      if (count <= k) {
        hi = mid;
        feasibleCover.set(priced.cover);
        if (count === k) break;
      } else lo = mid;
    }
  }
  const feasible = { cover: feasibleCover };
  const covers = coversOf(trie, root, feasible);
  // Give spare entries back: split the cover whose split saves the most added space.
  const chosen = new Set(covers);
  let spare = k - covers.length;
  const heap = new GainHeap();
  const gain = (v: number): number =>
    (trie.cost[v] ?? 0) -
    (trie.cost[trie.left[v] ?? -1] ?? 0) -
    (trie.cost[trie.right[v] ?? -1] ?? 0);
  for (const v of covers) if ((trie.left[v] ?? -1) !== -1) heap.push(gain(v), v);
  while (spare > 0 && heap.size > 0) {
    const v = heap.pop();
    chosen.delete(v);
    for (const child of [trie.left[v] ?? -1, trie.right[v] ?? -1]) {
      chosen.add(child);
      if ((trie.left[child] ?? -1) !== -1) heap.push(gain(child), child);
    }
    spare -= 1;
  }
  return { covers: [...chosen], lowerBound };
}

// ---------------------------------------------------------------------------------------------

function leavesBelow(trie: Trie, v: number): Cidr[] {
  const out: Cidr[] = [];
  const stack = [v];
  while (stack.length > 0) {
    const u = stack.pop() as number;
    const leaf = trie.leafCidr[u];
    if (leaf !== undefined) out.push(leaf);
    else stack.push(trie.right[u] ?? -1, trie.left[u] ?? -1); // left first: sorted order
  }
  return out;
}

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
    isAggregated(group) ? group : aggregateCidrs(group).prefixes,
  );
  const families = new Set<IpFamily>();
  for (const group of aggregated) for (const cidr of group) families.add(cidr.family);
  if (families.size > 1) {
    throw new IpurlError('ERR_INVALID_PARAMETER', 'capPrefixes: one address family at a time');
  }
  const nonEmpty = aggregated.filter((group) => group.length > 0).length;
  const entriesBefore = aggregated.reduce((n, group) => n + group.length, 0);
  const inputSpace = totalSpace(aggregated.flat());
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
    if (family === 4) trie.numbers = Float64Array.from(group, (cidr) => Number(cidr.network));
    const [id] = build(trie, index, group, 0, group.length - 1);
    root = root === -1 ? id : join(trie, root, id);
  });
  const order = postOrder(trie, root);
  const method =
    options.method ??
    (exactWork(trie, order, maxEntries) <= EXACT_WORK_BUDGET ? 'exact' : 'lagrangian');
  let covers: number[];
  let bound: number | undefined;
  if (method === 'exact') covers = solveExact(trie, order, root, maxEntries);
  else {
    const solved = solveLagrangian(trie, order, root, maxEntries);
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
    const added = space(cidr) - totalSpace(from);
    addedSpace += added;
    out[trie.group[v] ?? 0]?.push(cidr);
    const merge = { into: cidr.text, from: from.map((c) => c.text), added };
    merges.push(merge);
    pairs.push([cidr, merge]);
  }
  for (const group of out) group.sort(compareCidrs);
  const coverOf = new Map<CapMerge, Cidr>();
  for (const [cidr, merge] of pairs) coverOf.set(merge, cidr);
  merges.sort((a, b) => compareCidrs(coverOf.get(a) as Cidr, coverOf.get(b) as Cidr));
  return {
    groups: out,
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
