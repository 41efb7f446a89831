/**
 * The publisher document as publish reads it (service/publish.ts): parsed with a depth bound,
 * compared with the stored version, kept in the publisher's list order, and checked for set ids
 * that come back after removal.
 */
import type { EndpointSet } from '../core/endpoint-set.js';
import { type Issue } from '../core/errors.js';
import { parseJsonInput } from '../core/json-depth.js';

/**
 * Ids that come back after removal: `knownSetIds` remembers every id ever published, the latest
 * version holds the live ones (an id names one thing for ever: docs/publishing.md, "Decisions").
 */
export function reusedIdIssues(
  sets: readonly EndpointSet[],
  knownSetIds: ReadonlyMap<number, string>,
  latestIds: ReadonlySet<number>,
  alreadyReported: ReadonlySet<string>,
  document: unknown,
): Issue[] {
  const issues: Issue[] = [];
  const rawIndex = new Map<number, number>();
  if (Array.isArray(document)) {
    document.forEach((raw: unknown, index) => {
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && !rawIndex.has(id)) rawIndex.set(id, index);
    });
  }
  for (const set of sets) {
    if (!knownSetIds.has(set.id) || latestIds.has(set.id)) continue;
    const index = rawIndex.get(set.id);
    const path = index === undefined ? 'id' : `[${index}].id`;
    if (alreadyReported.has(`${set.id}:${path}`)) continue;
    issues.push({
      path,
      value: String(set.id),
      setId: set.id,
      reason: `endpoint set ${set.id} was published before and removed; set ids are never reused, give the new set an id that was never published`,
    });
  }
  return issues;
}

/**
 * Validation normalises values (lower-case host patterns, one copy of a repeated entry) and sorts
 * the lists; the stored version keeps the publisher's list order, because the wire emits stored
 * order (docs/publishing.md, "Decisions": order is the publisher's) and Microsoft's own history
 * is not in ordinal order: what is published is what is served, and replaying the bundled history
 * reproduces its change records exactly.
 */
export function inPublisherOrder(sets: readonly EndpointSet[], document: unknown): EndpointSet[] {
  const rawById = new Map<number, { urls?: unknown; ips?: unknown }>();
  if (Array.isArray(document)) {
    for (const raw of document as unknown[]) {
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && !rawById.has(id))
        rawById.set(id, raw as { urls?: unknown; ips?: unknown });
    }
  }
  // Linear: walk the publisher's list and keep each normalised value at its first appearance.
  const reorder = (
    values: readonly string[] | undefined,
    raw: unknown,
    key: (text: string) => string,
  ): readonly string[] | undefined => {
    if (values === undefined || !Array.isArray(raw)) return values;
    const pending = new Set(values);
    const ordered: string[] = [];
    for (const item of raw as unknown[]) {
      if (typeof item !== 'string') continue;
      const value = key(item);
      if (pending.delete(value)) ordered.push(value);
    }
    // Anything validation produced that is not spelled so in the document keeps its place at the end.
    for (const value of pending) ordered.push(value);
    return ordered;
  };
  return sets
    .map((set) => {
      const raw = rawById.get(set.id);
      if (raw === undefined) return set;
      const urls = reorder(set.urls, raw.urls, (text) => text.toLowerCase());
      const ips = reorder(set.ips, raw.ips, (text) => text);
      return {
        ...set,
        ...(urls === undefined ? {} : { urls }),
        ...(ips === undefined ? {} : { ips }),
      };
    })
    .sort((a, b) => a.id - b.id);
}

/** Parse the document text; not JSON at all is a 400-class error before any validation. */
export function parseJsonDocument(text: string): unknown {
  return parseJsonInput(text, 'document', 'a JSON array of endpoint sets');
}

/**
 * Same data as far as the service can tell: every member equal, urls and ips compared as sets
 * (the diff treats a reordering as no change, and validation normalises list order).
 */
export function setsEqual(a: readonly EndpointSet[], b: readonly EndpointSet[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (comparable(a[i]) !== comparable(b[i])) return false;
  }
  return true;
}

function comparable(set: EndpointSet | undefined): string {
  if (set === undefined) return '';
  const sorted = (list: readonly string[] | undefined): string[] | undefined =>
    list === undefined ? undefined : [...list].sort();
  return canonicalJson({ ...set, urls: sorted(set.urls), ips: sorted(set.ips) });
}

/** JSON with sorted keys: stored bodies and validated documents may order members differently. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
