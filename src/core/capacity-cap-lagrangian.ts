/**
 * The Lagrangian solver of the capacity cap (capacity-cap.ts) over its trie
 * (capacity-cap-trie.ts), for inputs too large for the exact one: for a price λ per entry, each
 * node independently takes the cheaper of "one cover" (cost + λ) and "best of both children", in
 * one linear pass; a bisection on λ finds the cheapest solution with at most N entries, spare
 * entries are then given back greedily (split the cover whose split saves the most space). Every
 * λ also yields a proven lower bound on the optimum (best(λ) − λ·N), so each result carries its
 * own certificate of how far from optimal it can be at most.
 */
import type { Trie } from './capacity-cap-trie.js';

interface Priced {
  readonly best: Float64Array;
  readonly count: Int32Array;
  readonly cover: Uint8Array;
}

function newPriced(size: number): Priced {
  return { best: new Float64Array(size), count: new Int32Array(size), cover: new Uint8Array(size) };
}

/**
 * One pass at price λ per entry, into `out` (reused between passes: no garbage). Node ids are in
 * post-order, so counting up visits children first and reads every array front to back.
 */
function price(trie: Trie, lambda: number, out: Priced): Priced {
  const { best, count, cover } = out;
  const { left, right, cost } = trie;
  const n = trie.count;
  for (let v = 0; v < n; v++) {
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

function coversOf(trie: Trie, root: number, cover: Uint8Array): number[] {
  const covers: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop() as number;
    if (cover[v] === 1) covers.push(v);
    else stack.push(trie.left[v] as number, trie.right[v] as number);
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

/** Covers (node ids) with at most k entries, and a proven lower bound of the optimum. */
export function solveLagrangian(
  trie: Trie,
  root: number,
  k: number,
): { covers: number[]; lowerBound: number } {
  let maxCost = 0;
  for (let v = 0; v < trie.count; v++) {
    const c = trie.cost[v] as number;
    if (c !== Infinity && c > maxCost) maxCost = c;
  }
  let lo = 0;
  let hi = maxCost + 1;
  const scratch = newPriced(trie.count);
  const atHi = price(trie, hi, newPriced(trie.count));
  let lowerBound = Math.max(0, (atHi.best[root] as number) - hi * k);
  let feasibleCover = atHi.cover;
  const atZero = price(trie, 0, scratch);
  lowerBound = Math.max(lowerBound, atZero.best[root] as number);
  if ((atZero.count[root] as number) <= k) feasibleCover = atZero.cover.slice();
  else {
    // Costs are whole addresses: a relative precision of 1e-12 on λ separates every breakpoint
    // that matters; stop early on an exact hit.
    for (let step = 0; step < 80 && hi - lo > Math.max(1e-9, hi * 1e-12); step++) {
      const mid = (lo + hi) / 2;
      const priced = price(trie, mid, scratch);
      lowerBound = Math.max(lowerBound, (priced.best[root] as number) - mid * k);
      const count = priced.count[root] as number;
      if (count <= k) {
        hi = mid;
        feasibleCover.set(priced.cover);
        if (count === k) break;
      } else lo = mid;
    }
  }
  const covers = coversOf(trie, root, feasibleCover);
  // Give spare entries back: split the cover whose split saves the most added space.
  const chosen = new Set(covers);
  let spare = k - covers.length;
  const heap = new GainHeap();
  const { left, right, cost } = trie;
  const gain = (v: number): number =>
    (cost[v] as number) -
    (cost[left[v] as number] as number) -
    (cost[right[v] as number] as number);
  for (const v of covers) if ((left[v] as number) !== -1) heap.push(gain(v), v);
  while (spare > 0 && heap.size > 0) {
    const v = heap.pop();
    chosen.delete(v);
    for (const child of [left[v] as number, right[v] as number]) {
      chosen.add(child);
      if ((left[child] as number) !== -1) heap.push(gain(child), child);
    }
    spare -= 1;
  }
  return { covers: [...chosen], lowerBound };
}
