/**
 * CIDR aggregation for the firewall exports (docs/formats.md, "Aggregation"): the smallest list of
 * prefixes covering exactly the same addresses as the input, with a report of what was merged.
 *
 * Callers aggregate within one (category, ports, address family) bucket only (an address keeps the
 * category and ports of its set; merging across them would widen what a rule allows). This module
 * does not know about buckets: it covers exactly the union of what it is given, never one address
 * more, so it is safe on any list a caller chose to put together.
 *
 * Steps: sort (the published order of `ips`), drop duplicates and prefixes inside another one, then
 * merge adjacent sibling halves (`a/n` + `a+2^(bits-n)/n` = `a/n-1`) bottom-up with a stack, which
 * yields the canonical minimal cover of the union.
 */
import { compareCidrs, familyBits, makeCidr, type Cidr } from './cidr.js';

export interface AggregateMerge {
  /** The prefix written out. */
  readonly into: string;
  /**
   * The input prefixes it stands for, canonical text, sorted, distinct: two or more (siblings
   * merged, or prefixes covered by a larger one), or a single one listed twice in the input.
   */
  readonly from: readonly string[];
  /** How many input entries (duplicates included) it replaces. */
  readonly inputs: number;
}

export interface AggregateResult {
  /** Sorted, disjoint, minimal. */
  readonly prefixes: readonly Cidr[];
  /** One entry per output prefix that replaces more than one input entry. */
  readonly merges: readonly AggregateMerge[];
}

interface Node {
  readonly cidr: Cidr;
  readonly from: string[];
  /** `from` as a set once it grows (a /16 covering thousands of inputs stays linear). */
  seen?: Set<string>;
  inputs: number;
}

/**
 * compareCidrs order. Half a million prefixes sort several times faster on a number key
 * (network · 64 + length, exact below 2⁵³) than through bigint comparisons, so IPv4 takes that
 * path; IPv6 (and a mixed list) sorts with compareCidrs.
 */
export function sortCidrs(input: readonly Cidr[]): Cidr[] {
  if (!input.every((cidr) => cidr.family === 4)) return [...input].sort(compareCidrs);
  const keys = new Float64Array(input.length);
  const index = new Uint32Array(input.length);
  input.forEach((cidr, i) => {
    keys[i] = Number(cidr.network) * 64 + cidr.prefix;
    index[i] = i;
  });
  index.sort((a, b) => (keys[a] as number) - (keys[b] as number));
  return Array.from(index, (i) => input[i] as Cidr);
}

/** Is `b` the upper sibling of `a` (same parent, `a` the lower half)? */
function areSiblings(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family || a.prefix !== b.prefix || a.prefix === 0) return false;
  const bit = 1n << BigInt(familyBits(a.family) - a.prefix);
  return (a.network & bit) === 0n && b.network === (a.network | bit);
}

function contains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const shift = BigInt(familyBits(outer.family) - outer.prefix);
  return inner.network >> shift === outer.network >> shift;
}

/**
 * Aggregate prefixes (either family; families never merge). The input is not modified.
 * `report: false` (the capacity cap, which reports its own merges) leaves `merges` empty and
 * skips keeping what each output prefix stands for.
 */
export function aggregateCidrs(
  input: readonly Cidr[],
  options: { readonly report?: boolean } = {},
): AggregateResult {
  const report = options.report ?? true;
  const sorted = sortCidrs(input);
  // 1. Duplicates and covered prefixes fold into the covering one.
  const disjoint: Node[] = [];
  for (const cidr of sorted) {
    const last = disjoint[disjoint.length - 1];
    if (last !== undefined && contains(last.cidr, cidr)) {
      if (!report) continue;
      if (last.seen === undefined && last.from.length > 8) last.seen = new Set(last.from);
      if (last.seen === undefined ? !last.from.includes(cidr.text) : !last.seen.has(cidr.text)) {
        last.from.push(cidr.text);
        last.seen?.add(cidr.text);
      }
      last.inputs += 1;
      continue;
    }
    disjoint.push({ cidr, from: report ? [cidr.text] : [], inputs: 1 });
  }
  // 2. Sibling halves merge into their parent, repeatedly (a stack keeps it linear).
  const stack: Node[] = [];
  for (const node of disjoint) {
    let current = node;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined || !areSiblings(top.cidr, current.cidr)) break;
      stack.pop();
      const parent = makeCidr(top.cidr.family, top.cidr.network, top.cidr.prefix - 1);
      // The lower half's list is owned by this loop: append in place (copying both lists at
      // every level is quadratic on long runs of siblings).
      const from = top.from;
      if (report) for (const text of current.from) from.push(text);
      current = { cidr: parent, from, inputs: top.inputs + current.inputs };
    }
    stack.push(current);
  }
  const merges: AggregateMerge[] = [];
  for (const node of report ? stack : []) {
    if (node.inputs > 1) {
      merges.push({ into: node.cidr.text, from: node.from, inputs: node.inputs });
    }
  }
  return { prefixes: stack.map((node) => node.cidr), merges };
}
