/**
 * The catalog's source held in memory: every version of every instance (its endpoint sets, change
 * records and publish time) in maps, answering what the Catalog asks (service/catalog.ts
 * `CatalogSource`) exactly as the SQLite store answers for the same data, without a database. It
 * serves unit tests of the read use cases, which want real histories cheaply; it keeps no
 * webhooks, state, observations or held versions.
 *
 * Appends keep the Store's contract through the checks both adapters share (append-input.ts):
 * input validation, optimistic concurrency, change ids. What is stored is a JSON copy of the
 * input, as the adapters store JSON text, so later changes to the caller's objects do not reach
 * it and fields set to `undefined` are gone. Every append and overlay change moves the revision
 * and tells the `onRevision` listeners at once.
 */
import type { ChangeRecord } from '../../core/change-record.js';
import type { EndpointSet } from '../../core/endpoint-set.js';
import type { OverlayChange } from '../../core/overlay.js';
import { relaxedRulesColumn } from '../../core/sanity-policy.js';
import type {
  AppendVersionInput,
  AppendVersionResult,
  ChangesQuery,
  InstanceSummary,
  Store,
  VersionRecord,
} from '../../core/store.js';
import type { VersionId } from '../../core/version-id.js';
// In the order an append uses them.
import {
  validateAppendInput,
  checkLatest,
  isoTimestamp,
  assignChangeIds,
  duplicateChangeIdError,
} from '../append-input.js';
import { isoText, toInstanceSummaries, toVersionRecord } from '../store-rows.js';

/** What the memory source answers: the catalog's questions, and appends. */
export type MemoryCatalogMethods = Pick<
  Store,
  | 'listInstances'
  | 'listVersions'
  | 'getEndpointSets'
  | 'getChanges'
  | 'revision'
  | 'onRevision'
  | 'listOverlayChanges'
  | 'appendVersion'
>;

interface StoredInstance {
  /** Oldest first: appends only go forward, so this is version order. */
  readonly versions: VersionRecord[];
  readonly sets: Map<VersionId, readonly EndpointSet[]>;
  /** Ordered by version, then id: the order every adapter answers in. */
  readonly changes: ChangeRecord[];
  readonly changeIds: Set<number>;
}

/** A copy through JSON text, as the adapters store and read back every body. */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** First index of `records` (ordered by version) whose version is after `version`. */
function firstAfter(records: readonly ChangeRecord[], version: VersionId): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (records[mid]!.version > version) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class MemoryCatalogSource implements MemoryCatalogMethods {
  /** Which source, for logs (like `Store.kind`). */
  readonly kind = 'memory';
  private readonly instances = new Map<string, StoredInstance>();
  private overlay: readonly OverlayChange[] = [];
  private generation = 0;
  private readonly listeners = new Set<() => void>();

  async listInstances(): Promise<InstanceSummary[]> {
    // The rows the SQL reads (instance, version newest first) through the adapters' own mapping,
    // so the canonical order is decided in one place.
    const rows = [...this.instances].flatMap(([instance, stored]) =>
      stored.versions.map(({ version }) => ({ instance, version })).reverse(),
    );
    return toInstanceSummaries(rows);
  }

  async listVersions(instance: string): Promise<VersionRecord[]> {
    return [...(this.instances.get(instance)?.versions ?? [])].reverse();
  }

  async getEndpointSets(instance: string, version: VersionId): Promise<EndpointSet[] | undefined> {
    const sets = this.instances.get(instance)?.sets.get(version);
    return sets === undefined ? undefined : [...sets];
  }

  async getChanges(instance: string, query: ChangesQuery): Promise<ChangeRecord[]> {
    const changes = this.instances.get(instance)?.changes ?? [];
    if ('after' in query) return changes.slice(firstAfter(changes, query.after));
    return changes.filter((record) => record.version === query.version);
  }

  async revision(): Promise<string> {
    return `memory:${this.generation}`;
  }

  onRevision(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async listOverlayChanges(instance?: string): Promise<OverlayChange[]> {
    return this.overlay.filter((change) => instance === undefined || change.instance === instance);
  }

  /**
   * Put this overlay history in place of the one held (the overlay's own rules are the overlay
   * service's; a test states the history it wants). Moves the revision, as an overlay change does.
   */
  setOverlayChanges(changes: readonly OverlayChange[]): void {
    this.overlay = jsonCopy([...changes]).sort((a, b) => a.id - b.id);
    this.moved();
  }

  async appendVersion(input: AppendVersionInput): Promise<AppendVersionResult> {
    validateAppendInput(input);
    const { instance, version } = input;
    const stored = this.instances.get(instance);
    checkLatest(input, stored?.versions.at(-1)?.version ?? null);
    const publishedAt = isoTimestamp(input.publishedAt ?? new Date().toISOString(), 'publishedAt');
    const record = toVersionRecord(
      {
        instance,
        version,
        published_at: publishedAt,
        set_count: input.sets.length,
        relaxed_rules: relaxedRulesColumn(input.relaxedRules),
      },
      isoText,
    );
    const maxId = stored?.changes.reduce((max, change) => Math.max(max, change.id), 0) ?? 0;
    const changes = jsonCopy(assignChangeIds(input.changes, maxId));
    if (changes.some((change) => stored?.changeIds.has(change.id))) {
      throw duplicateChangeIdError(instance, undefined);
    }
    // Everything is checked: from here on nothing throws, so the append is whole or absent.
    const target = stored ?? {
      versions: [],
      sets: new Map<VersionId, readonly EndpointSet[]>(),
      changes: [],
      changeIds: new Set<number>(),
    };
    this.instances.set(instance, target);
    target.versions.push(record);
    target.sets.set(
      version,
      jsonCopy([...input.sets]).sort((a, b) => a.id - b.id),
    );
    // This version is after every stored one, so its records go last; by id among themselves.
    target.changes.push(...[...changes].sort((a, b) => a.id - b.id));
    for (const change of changes) target.changeIds.add(change.id);
    this.moved();
    return { version: record, changes, deliveries: [] };
  }

  private moved(): void {
    this.generation += 1;
    for (const listener of [...this.listeners]) listener();
  }
}
