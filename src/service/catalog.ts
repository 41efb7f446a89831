/**
 * The catalog every read use case works from (web service, page, PAC, exports, lookups, docs; the
 * server and the CLI alike): which instances and versions the store holds, following its
 * revision, the one `resolve(instance, version?)` with one wording for every refusal, and the
 * data read from the store once per revision: endpoint sets per version, the change history per
 * instance, the compiled lookup index per version, and the prepared responses (prepared.ts).
 *
 * The revision is polled every `pollMs` (default 500 ms) and pushed by `store.onRevision` where
 * the adapter has it, so a version published by another process (the CLI on the same SQLite
 * file, another replica on PostgreSQL) is served within a second; everything cached is dropped
 * with the old revision.
 */
import type { ChangeRecord } from '../core/change-record.js';
import type { EndpointSet } from '../core/endpoint-set.js';
import { IpurlError, describeValue } from '../core/errors.js';
import { buildLookupIndex, type LookupIndex } from '../core/lookup-index.js';
import type { InstanceSummary, Store } from '../core/store.js';
import { activeOverlay, type ActiveOverlay } from '../core/overlay.js';
import { VERSION_ZERO, isVersionId, type VersionId } from '../core/version-id.js';
import { PreparedCache, type PreparedCacheStats, type PreparedResponse } from './prepared.js';

/** What the catalog reads: a Store, or the bundled dataset (CLI on an empty store). */
export type CatalogSource = Pick<
  Store,
  'listInstances' | 'getEndpointSets' | 'getChanges' | 'revision'
> &
  Partial<Pick<Store, 'onRevision' | 'listVersions' | 'listOverlayChanges'>>;

export interface Resolved {
  /** Canonical instance name. */
  readonly instance: string;
  readonly version: VersionId;
  readonly summary: InstanceSummary;
}

export interface CatalogStats {
  readonly revision: string | undefined;
  readonly prepared: PreparedCacheStats;
  readonly sets: number;
  readonly histories: number;
  readonly lookupIndexes: number;
}

export interface CatalogOptions {
  /** Revision poll interval in ms (default 500; 0 disables polling). */
  readonly pollMs?: number;
  /** Prepared responses kept at most (default 2048). */
  readonly maxEntries?: number;
  /** Identity bytes of prepared responses kept at most (default 64 MiB). */
  readonly maxBytes?: number;
  /** Endpoint-set lists kept at most (default 64 versions). */
  readonly maxSets?: number;
  /**
   * Compiled lookup indexes kept at most (default 256: every bundled version of every instance,
   * about 17 MB for the 133 bundled versions).
   */
  readonly maxLookupIndexes?: number;
  /** Where background refresh failures go (the store may be briefly unreachable). */
  readonly onError?: (error: unknown) => void;
  /** Called after the catalog changed (new revision loaded). */
  readonly onRevision?: (revision: string) => void;
}

export interface Catalog {
  /** Load the catalog and start following the store's revision. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Re-read the catalog now if the store's revision changed; true when it did. */
  refresh(): Promise<boolean>;
  /** The store revision the catalog reflects; undefined before the first load. */
  revision(): string | undefined;
  /** Every instance, in canonical order (Microsoft's first, then by name; compareInstances). */
  instances(): readonly InstanceSummary[];
  /** The canonical name for `name` in any case, or undefined. */
  resolveInstance(name: string): string | undefined;
  /**
   * The instance (any case) and version (default its latest). Refusals, worded once:
   * ERR_UNKNOWN_INSTANCE naming the instances, ERR_INVALID_VERSION naming `parameter` and the
   * value, ERR_VERSION_NOT_FOUND naming the latest and oldest stored versions.
   */
  resolve(instance: string, version?: string, parameter?: string): Resolved;
  /** The endpoint sets of a resolved version, read once per revision (bounded). */
  sets(resolved: Resolved): Promise<readonly EndpointSet[]>;
  /** Every change record of an instance, ordered by version then id, read once per revision. */
  history(instance: string): Promise<readonly ChangeRecord[]>;
  /** When each stored version was published (ISO 8601); empty when the source does not say. */
  publishTimes(instance: string): Promise<ReadonlyMap<VersionId, string>>;
  /** The history when it is already read (synchronous hot path), else undefined. */
  loadedHistory(instance: string): readonly ChangeRecord[] | undefined;
  /**
   * The local overlay in force for an instance (core/overlay.ts); empty when the source has none.
   * Read once per store revision: every overlay change moves the revision.
   */
  overlay(instance: string): Promise<ActiveOverlay>;
  /**
   * A lookup index derived from a version's device view (overlay exclusions, labelled entries),
   * built once per `key` and store revision, in the same bound as `lookupIndex`: a flood of
   * distinct queries never rebuilds it per request.
   */
  derivedIndex(key: string, build: () => Promise<LookupIndex>): Promise<LookupIndex>;
  /** The compiled lookup index of a resolved version, built once per revision (bounded). */
  lookupIndex(resolved: Resolved): Promise<LookupIndex>;
  /** Prepared bytes for a content identity `key`, rendered once (see prepared.ts). */
  prepared(
    key: string,
    render: () => PreparedResponse | Promise<PreparedResponse>,
  ): PreparedResponse | Promise<PreparedResponse>;
  /** Count a prepared answer served without asking `prepared` (the fast path's URL memo). */
  countHit(): void;
  stats(): CatalogStats;
}

/** Prefixes (all versions together) whose lookup indexes a serving catalog builds ahead. */
const WARM_PREFIXES = 200_000;

/** The one wording of an unknown instance (HTTP 400, CLI exit 2). */
export function unknownInstance(requested: string, known: readonly string[]): IpurlError {
  return new IpurlError(
    'ERR_UNKNOWN_INSTANCE',
    `unknown instance ${JSON.stringify(describeValue(requested))}; instances: ${known.join(', ') || '(none: the store is empty)'} (any letter case)`,
  );
}

/** The one wording of a malformed version id. */
export function malformedVersion(value: string, parameter = 'version'): IpurlError {
  return new IpurlError(
    'ERR_INVALID_VERSION',
    `${parameter} must be exactly 10 digits YYYYMMDDNN, e.g. 2025013000; received ${JSON.stringify(describeValue(value))}`,
  );
}

/** The one wording of a version that is not stored. */
export function unknownVersion(summary: InstanceSummary, version: string): IpurlError {
  return new IpurlError(
    'ERR_VERSION_NOT_FOUND',
    `${summary.instance} has no version ${version}; latest is ${summary.latest}, oldest ${summary.versions.at(-1) ?? summary.latest} (${summary.versions.length} versions stored)`,
  );
}

/** A Map of promises bounded by entries, oldest dropped first; failures are not kept. */
class BoundedPromises<T> {
  private map = new Map<string, Promise<T>>();
  constructor(private readonly max: number) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    let pending = this.map.get(key);
    if (pending === undefined) {
      pending = load();
      const stored = pending;
      stored.catch(() => {
        if (this.map.get(key) === stored) this.map.delete(key);
      });
      this.map.set(key, stored);
      if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    }
    return pending;
  }

  clear(): void {
    this.map = new Map();
  }

  get size(): number {
    return this.map.size;
  }
}

interface Snapshot {
  readonly revision: string;
  readonly list: readonly InstanceSummary[];
  /** Lower-cased name → summary (instances match in any case, docs/api.md "Common conventions"). */
  readonly byLowerName: ReadonlyMap<string, InstanceSummary>;
  /** Stored versions per instance, for `includes` without scanning. */
  readonly versionSets: ReadonlyMap<string, ReadonlySet<string>>;
}

export function createCatalog(source: CatalogSource, options: CatalogOptions = {}): Catalog {
  const pollMs = options.pollMs ?? 500;
  const prepared = new PreparedCache({
    ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
  const setsCache = new BoundedPromises<readonly EndpointSet[]>(options.maxSets ?? 64);
  const historyCache = new BoundedPromises<readonly ChangeRecord[]>(64);
  const maxIndexes = options.maxLookupIndexes ?? 256;
  const indexCache = new BoundedPromises<LookupIndex>(maxIndexes);
  const derivedIndexes = new BoundedPromises<LookupIndex>(maxIndexes);
  const overlays = new BoundedPromises<ActiveOverlay>(64);
  let histories = new Map<string, readonly ChangeRecord[]>();
  let snapshot: Snapshot = {
    revision: '',
    list: [],
    byLowerName: new Map(),
    versionSets: new Map(),
  };
  let loaded = false;
  /** Set by start(): a catalog that follows the store serves requests (the server). */
  let serving = false;
  let refreshing: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  async function load(): Promise<boolean> {
    const revision = await source.revision();
    if (loaded && revision === snapshot.revision) return false;
    const list = await source.listInstances();
    snapshot = {
      revision,
      list,
      byLowerName: new Map(list.map((s) => [s.instance.toLowerCase(), s])),
      versionSets: new Map(list.map((s) => [s.instance, new Set(s.versions)])),
    };
    loaded = true;
    prepared.clear();
    setsCache.clear();
    historyCache.clear();
    histories = new Map();
    indexCache.clear();
    derivedIndexes.clear();
    overlays.clear();
    if (serving) warmLookupIndexes();
    options.onRevision?.(revision);
    return true;
  }

  function lookupIndex(resolved: Resolved): Promise<LookupIndex> {
    return indexCache.get(`${resolved.instance}|${resolved.version}`, async () =>
      buildLookupIndex(await sets(resolved)),
    );
  }

  /**
   * Compile lookup indexes before they are asked for, one after the other, each after an
   * event-loop turn: the newest versions first, taking each instance in turn, up to three quarters of the index
   * cache and WARM_PREFIXES prefixes in all, so the first /lookup after a start or a new version
   * (and a flood cycling recent versions) does not build on the request path, and the builds
   * that remain run on warmed-up code. Stops when the revision changes or the catalog closes.
   */
  function warmLookupIndexes(): void {
    const revision = snapshot.revision;
    const most = Math.floor((maxIndexes * 3) / 4);
    const queue: Resolved[] = [];
    for (let depth = 0; queue.length < most; depth += 1) {
      const before = queue.length;
      for (const summary of snapshot.list) {
        const version = summary.versions[depth];
        if (version !== undefined && queue.length < most)
          queue.push({ instance: summary.instance, version, summary });
      }
      if (queue.length === before) break;
    }
    const warm = async (): Promise<void> => {
      let budget = WARM_PREFIXES;
      for (const resolved of queue) {
        // One build at a time, each after a turn of the event loop, outside the render queue:
        // requests and the revision poll go first, and the store gets one read at a time.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!serving || budget <= 0 || snapshot.revision !== revision) return;
        for (const set of await sets(resolved)) budget -= set.ips?.length ?? 0;
        await lookupIndex(resolved);
      }
    };
    warm().catch((error: unknown) => options.onError?.(error));
  }

  function refresh(): Promise<boolean> {
    refreshing ??= load().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  function backgroundRefresh(): void {
    refresh().catch((error: unknown) => options.onError?.(error));
  }

  function sets(resolved: Resolved): Promise<readonly EndpointSet[]> {
    const { instance, version } = resolved;
    return setsCache.get(`${instance}|${version}`, async () => {
      const found = await source.getEndpointSets(instance, version);
      if (found === undefined) {
        throw new IpurlError(
          'ERR_VERSION_NOT_FOUND',
          `version ${version} of ${instance} is listed but its sets are missing`,
        );
      }
      return found;
    });
  }

  return {
    async start() {
      serving = true;
      await refresh();
      if (source.onRevision) unsubscribe = source.onRevision(backgroundRefresh);
      if (pollMs > 0) {
        timer = setInterval(backgroundRefresh, pollMs);
        timer.unref();
      }
    },

    async close() {
      serving = false;
      if (timer) clearInterval(timer);
      timer = undefined;
      unsubscribe?.();
      unsubscribe = undefined;
      await refreshing?.catch(() => undefined);
    },

    refresh,

    revision: () => (loaded ? snapshot.revision : undefined),

    instances: () => snapshot.list,

    resolveInstance: (name) => snapshot.byLowerName.get(name.toLowerCase())?.instance,

    resolve(requested, version, parameter = 'version') {
      const summary = snapshot.byLowerName.get(requested.toLowerCase());
      if (summary === undefined) {
        throw unknownInstance(
          requested,
          snapshot.list.map((s) => s.instance),
        );
      }
      if (version === undefined) {
        return { instance: summary.instance, version: summary.latest, summary };
      }
      if (!isVersionId(version)) throw malformedVersion(version, parameter);
      if (!snapshot.versionSets.get(summary.instance)?.has(version)) {
        throw unknownVersion(summary, version);
      }
      return { instance: summary.instance, version, summary };
    },

    sets,

    history(instance) {
      const seen = histories;
      return historyCache.get(instance, async () => {
        const records = await source.getChanges(instance, { after: VERSION_ZERO });
        if (seen === histories) histories.set(instance, records);
        return records;
      });
    },

    async publishTimes(instance) {
      const records = (await source.listVersions?.(instance)) ?? [];
      return new Map(records.map((r) => [r.version, r.publishedAt]));
    },

    loadedHistory: (instance) => histories.get(instance),

    overlay: (instance) =>
      overlays.get(instance, async () =>
        activeOverlay(instance, (await source.listOverlayChanges?.(instance)) ?? []),
      ),

    derivedIndex: (key, build) => derivedIndexes.get(key, build),

    lookupIndex,

    prepared: (key, render) => prepared.get(`${snapshot.revision}|${key}`, render),

    countHit: () => prepared.countHit(),

    stats: () => ({
      revision: loaded ? snapshot.revision : undefined,
      prepared: prepared.stats(),
      sets: setsCache.size,
      histories: historyCache.size,
      lookupIndexes: indexCache.size + derivedIndexes.size,
    }),
  };
}

/** A catalog loaded once, not following the store (the CLI: one command, one moment). */
export async function openCatalog(source: CatalogSource): Promise<Catalog> {
  const catalog = createCatalog(source, { pollMs: 0 });
  await catalog.refresh();
  return catalog;
}
