/**
 * The exact solver of the capacity cap (capacity-cap.ts) over its trie (capacity-cap-trie.ts):
 * f(v, j) = least added space covering v's leaves with j entries inside v;
 * f(v, 1) = size(v) − listed(v), f(v, j ≥ 2) = min over i of f(left, i) + f(right, j − i),
 * arrays truncated at min(leaves, N). Optimal. Work Σ min(a,N)·min(b,N) over inner nodes
 * (`exactWork`), so the cap runs it when that stays under its budget.
 */
import type { Trie } from './capacity-cap-trie.js';

/** Inner-loop steps the exact solver would take for at most k entries. */
export function exactWork(trie: Trie, k: number): number {
  const { left, right, leaves } = trie;
  let work = 0;
  for (let v = 0; v < trie.count; v++) {
    const l = left[v] as number;
    if (l === -1) continue;
    const r = right[v] as number;
    work += Math.min(leaves[l] as number, k) * Math.min(leaves[r] as number, k);
  }
  return work;
}

/** Chosen covers (node ids) of the optimal solution with at most k entries. */
export function solveExact(trie: Trie, root: number, k: number): number[] {
  const f = new Array<Float64Array | undefined>(trie.count);
  const split = new Array<Int32Array | undefined>(trie.count);
  // Post-order ids: children are solved before their parent.
  for (let v = 0; v < trie.count; v++) {
    const l = trie.left[v] as number;
    const size = Math.min(trie.leaves[v] as number, k);
    const fv = new Float64Array(size + 1).fill(Infinity);
    if (l === -1) {
      fv[1] = 0;
      f[v] = fv;
      continue;
    }
    const r = trie.right[v] as number;
    const fl = f[l] as Float64Array;
    const fr = f[r] as Float64Array;
    const sv = new Int32Array(size + 1);
    fv[1] = trie.cost[v] as number;
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
    // Children's tables are no longer needed once the parent has its own.
    f[l] = undefined;
    f[r] = undefined;
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
    const l = trie.left[v] as number;
    if (l === -1 || j === 1) {
      covers.push(v);
      continue;
    }
    const i = (split[v] as Int32Array)[j] as number;
    stack.push([l, i], [trie.right[v] as number, j - i]);
  }
  return covers;
}
