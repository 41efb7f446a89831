/**
 * The compressed binary trie the capacity cap (capacity-cap.ts) solves over: its leaves are a
 * group's aggregated prefixes, its inner nodes the longest common prefixes of their subtrees. An
 * optimal cover only uses trie nodes: any other supernet covering the same leaves contains the
 * trie node and is at least as large.
 *
 * Structure of arrays (half a million leaves make a million nodes), numbered in post-order:
 * children always have smaller ids than their parent, so a solver visits the nodes children-first
 * by counting up from 0, reading the arrays front to back (no order array, no random jumps).
 */
import { familyBits, type Cidr, type IpFamily } from './cidr.js';

export interface Trie {
  readonly family: IpFamily;
  /** Children (-1 for a leaf); always smaller ids than the node. */
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

export function newTrie(family: IpFamily, capacity: number): Trie {
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

/**
 * Add the subtree of sorted, disjoint `cidrs[lo..hi]` (children first); returns the node id and
 * the space its leaves list. The depth is at most the family's bit count.
 */
export function buildTrie(
  trie: Trie,
  group: number,
  cidrs: readonly Cidr[],
  lo: number,
  hi: number,
): [number, number] {
  const bits = familyBits(trie.family);
  if (lo === hi) {
    const cidr = cidrs[lo] as Cidr;
    const id = trie.count++;
    trie.group[id] = group;
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
  const [l, listedL] = buildTrie(trie, group, cidrs, lo, a - 1);
  const [r, listedR] = buildTrie(trie, group, cidrs, a, hi);
  const listed = listedL + listedR;
  const id = trie.count++;
  trie.group[id] = group;
  trie.leafCidr[id] = undefined;
  trie.left[id] = l;
  trie.right[id] = r;
  trie.plen[id] = p;
  trie.leaves[id] = (trie.leaves[l] as number) + (trie.leaves[r] as number);
  trie.cost[id] = 2 ** (bits - p) - listed;
  trie.firstLeaf[id] = first;
  return [id, listed];
}

/** A join of two groups' subtrees: never a cover. */
export function joinTries(trie: Trie, l: number, r: number): number {
  const id = trie.count++;
  trie.left[id] = l;
  trie.right[id] = r;
  trie.plen[id] = 0;
  trie.leaves[id] = (trie.leaves[l] as number) + (trie.leaves[r] as number);
  trie.cost[id] = Infinity;
  trie.firstLeaf[id] = undefined;
  trie.leafCidr[id] = undefined;
  return id;
}

/** The leaves below `v`, in sorted order. */
export function leavesBelow(trie: Trie, v: number): Cidr[] {
  const out: Cidr[] = [];
  const stack = [v];
  while (stack.length > 0) {
    const u = stack.pop() as number;
    const leaf = trie.leafCidr[u];
    if (leaf !== undefined) out.push(leaf);
    else stack.push(trie.right[u] as number, trie.left[u] as number); // left first: sorted order
  }
  return out;
}
