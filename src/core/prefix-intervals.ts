/**
 * Elementary intervals of a set of address prefixes, built in O(n log n).
 *
 * Prefixes (CIDR blocks) form a laminar family: two of them are either disjoint or one contains
 * the other. Sorted by start (ascending) and then by end (descending), one sweep with a stack of
 * the prefixes still open yields every boundary point and, for the interval that starts there,
 * the innermost prefix covering it (its "owner"). The prefixes covering an interval are then the
 * owner and its ancestors on the stack, so they are kept as a tree (each group of identical
 * prefixes points to its parent) instead of one list per interval: memory stays linear however
 * deeply prefixes nest or however many sets repeat one prefix.
 *
 * The sorted list of matches of a group (its own items plus every ancestor's) is made on its first
 * lookup and kept when it is short (at most `precomputeLimit` items, the usual case: real data
 * nests two or three deep), so later lookups return a shared array; longer chains are collected
 * on every lookup, at a cost proportional to the number of matches returned. Building is one sort
 * and one linear sweep.
 */

export interface PrefixSpan<K, T> {
  readonly start: K;
  /** Exclusive end, or undefined when the prefix reaches the top of the address space. */
  readonly end: K | undefined;
  readonly item: T;
}

export interface IntervalTable<K, T> {
  /** Distinct boundary points, ascending: interval i is [points[i], points[i + 1]). */
  readonly points: readonly K[];
  /** For interval i, the innermost group covering it, or -1 when nothing covers it. */
  readonly owners: Int32Array;
  /** Every item covering an interval owned by `group`, sorted by `sortItems`. */
  readonly itemsOf: (group: number) => readonly T[];
  /** Number of distinct prefixes (groups of identical spans). */
  readonly groups: number;
}

export interface IntervalOptions<K, T> {
  readonly compare: (a: K, b: K) => number;
  /**
   * Optional: a number that orders spans by start ascending, then end descending, and is equal
   * exactly for identical spans (IPv4: start × 64 + prefix length). Makes the sort native.
   */
  readonly sortKey?: (span: PrefixSpan<K, T>) => number;
  /** Sorts a list in place and returns it (the order lookups report matches in). */
  readonly sortItems: (items: T[]) => T[];
  /** Longest list of matches kept per group (default 64). */
  readonly precomputeLimit?: number;
}

const EMPTY: readonly never[] = Object.freeze([]);

export function buildIntervals<K, T>(
  spans: readonly PrefixSpan<K, T>[],
  options: IntervalOptions<K, T>,
): IntervalTable<K, T> {
  const { compare, sortItems } = options;
  const limit = options.precomputeLimit ?? 64;

  // Sorted by start ascending, then end descending (the outer prefix before the inner one), with
  // identical prefixes (the same block listed by several sets) gathered into one group.
  const compareEnd = (a: K | undefined, b: K | undefined): number =>
    a === undefined ? (b === undefined ? 0 : 1) : b === undefined ? -1 : compare(a, b);
  const starts: K[] = [];
  const ends: Array<K | undefined> = [];
  const own: T[][] = [];
  const { sortKey } = options;
  if (sortKey !== undefined) {
    // Numeric keys: a native typed-array sort and a map, no comparator calls.
    const byKey = new Map<number, { span: PrefixSpan<K, T>; items: T[] }>();
    for (const span of spans) {
      const key = sortKey(span);
      const entry = byKey.get(key);
      if (entry === undefined) byKey.set(key, { span, items: [span.item] });
      else entry.items.push(span.item);
    }
    const keys = Float64Array.from(byKey.keys()).sort();
    for (const key of keys) {
      const entry = byKey.get(key)!;
      starts.push(entry.span.start);
      ends.push(entry.span.end);
      own.push(entry.items);
    }
  } else {
    const order = spans.map((_, i) => i);
    order.sort(
      (a, b) =>
        compare(spans[a]!.start, spans[b]!.start) || compareEnd(spans[b]!.end, spans[a]!.end),
    );
    for (const i of order) {
      const span = spans[i]!;
      const last = starts.length - 1;
      if (
        last >= 0 &&
        compare(starts[last]!, span.start) === 0 &&
        compareEnd(ends[last], span.end) === 0
      ) {
        own[last]!.push(span.item);
      } else {
        starts.push(span.start);
        ends.push(span.end);
        own.push([span.item]);
      }
    }
  }

  const points: K[] = [];
  const owners: number[] = [];
  const emit = (point: K, owner: number): void => {
    const last = points.length - 1;
    if (last >= 0 && compare(points[last]!, point) === 0) owners[last] = owner;
    else {
      points.push(point);
      owners.push(owner);
    }
  };

  // One sweep; groups are already in order.
  const parent = new Int32Array(starts.length).fill(-1);
  const stack: number[] = [];
  const top = (): number => (stack.length === 0 ? -1 : stack[stack.length - 1]!);
  for (let group = 0; group < starts.length; group += 1) {
    const start = starts[group]!;
    // Close every open prefix that ends at or before this one starts.
    while (stack.length > 0) {
      const end = ends[top()];
      if (end === undefined || compare(end, start) > 0) break;
      stack.pop();
      emit(end, top());
    }
    parent[group] = top();
    stack.push(group);
    emit(start, group);
  }
  while (stack.length > 0) {
    const end = ends[stack.pop()!];
    if (end !== undefined) emit(end, top());
  }

  // Match lists, made on first use and kept when short (memory at most `limit` per group). The
  // recursion follows the chain of enclosing prefixes: at most one level per prefix length.
  const chainLength = new Float64Array(starts.length);
  for (let group = 0; group < starts.length; group += 1) {
    const up = parent[group]!;
    chainLength[group] = own[group]!.length + (up === -1 ? 0 : chainLength[up]!);
  }
  const lists: Array<readonly T[] | undefined> = [];
  const sortedOwn: boolean[] = [];

  function itemsOf(group: number): readonly T[] {
    if (group < 0) return EMPTY;
    const ready = lists[group];
    if (ready !== undefined) return ready;
    if (chainLength[group]! > limit) {
      const collected: T[] = [];
      for (let g = group; g !== -1; g = parent[g]!)
        for (const item of own[g]!) collected.push(item);
      return sortItems(collected);
    }
    if (sortedOwn[group] !== true) {
      sortItems(own[group]!);
      sortedOwn[group] = true;
    }
    const up = parent[group]!;
    const list = up === -1 ? own[group]! : sortItems([...own[group]!, ...itemsOf(up)]);
    lists[group] = list;
    return list;
  }

  return { points, owners: Int32Array.from(owners), itemsOf, groups: starts.length };
}
