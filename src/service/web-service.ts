/**
 * Answers the three web methods (SPEC §3–§5) from prepared bytes. Each distinct request
 * (instance, version, normalised parameters) is rendered once; later requests get the same
 * Buffer and ETag from a bounded cache, so the hot path never touches the store, never filters
 * and never serializes (DESIGN.md "Hot paths never parse").
 *
 * The catalog of instances and versions is refreshed whenever `store.revision()` changes: polled
 * every `pollMs` (default 500 ms) and pushed by `store.onRevision` where the adapter has it, so a
 * version published by another process (the CLI on the same SQLite file, another replica on
 * PostgreSQL) is served within a second, and every cached response is dropped.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ChangeRecord } from '../core/change-record.js';
import type { EndpointSet, ServiceArea } from '../core/endpoint-set.js';
import { IpurlError, describeValue } from '../core/errors.js';
import { filterEndpointSets } from '../core/filters.js';
import type { InstanceSummary, Store } from '../core/store.js';
import { VERSION_ZERO, type VersionId } from '../core/version-id.js';
import { renderRss, summarizeVersions } from '../formats/rss.js';
import { renderChangesCsv, renderEndpointsCsv, renderVersionCsv } from '../formats/wire-csv.js';
import {
  renderChangesJson,
  renderEndpointsJson,
  renderVersionJson,
  type VersionInfo,
} from '../formats/wire-json.js';

export type WireFormat = 'JSON' | 'CSV' | 'RSS';

export interface VersionRequest {
  /** Any casing; undefined = every instance (SPEC §3.1). */
  readonly instance?: string;
  readonly allVersions: boolean;
  readonly format: WireFormat;
  /** Normalised (lower-case, hyphenated); echoed in RSS item links. */
  readonly clientRequestId: string;
}

export interface EndpointsRequest {
  readonly instance: string;
  /** Canonical areas; undefined = all (SPEC §4.3; Common is added by the filter). */
  readonly serviceAreas?: readonly ServiceArea[];
  /** Validated, lower-cased DNS label (SPEC §11.7). */
  readonly tenantName?: string;
  readonly noIPv6: boolean;
  readonly format: 'JSON' | 'CSV';
}

export interface ChangesRequest {
  readonly instance: string;
  /** Ten digits (validated by the caller, SPEC §5.1). */
  readonly version: VersionId;
  readonly singleVersion: boolean;
  readonly format: 'JSON' | 'CSV';
}

export interface PreparedResponse {
  readonly body: Buffer;
  /** Strong validator (RFC 9110 §8.8.3), quoted. */
  readonly etag: string;
  readonly contentType: string;
  /** The gzip representation, made on first demand, with its own strong ETag. */
  gzip(): { readonly body: Buffer; readonly etag: string };
}

export interface WebServiceStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  readonly bytes: number;
  /** The store revision the catalog reflects. */
  readonly revision: string | undefined;
}

export interface WebService {
  /** Load the catalog and start following the store's revision. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Re-read the catalog now if the store's revision changed; true when it did. */
  refresh(): Promise<boolean>;
  /** Canonical instance names, in canonical order (SPEC §1.1). */
  instances(): readonly InstanceSummary[];
  /** The canonical name for `name` in any case, or undefined. */
  resolveInstance(name: string): string | undefined;
  /** The summary of `name` in any case; ERR_UNKNOWN_INSTANCE (naming the served ones) otherwise. */
  instance(name: string): InstanceSummary;
  version(request: VersionRequest): PreparedResponse | Promise<PreparedResponse>;
  endpoints(request: EndpointsRequest): PreparedResponse | Promise<PreparedResponse>;
  changes(request: ChangesRequest): PreparedResponse | Promise<PreparedResponse>;
  stats(): WebServiceStats;
  /** The store revision the catalog reflects (changes whenever cached responses are dropped). */
  revision(): string | undefined;
}

export interface WebServiceOptions {
  /** Revision poll interval in ms (default 500; 0 disables polling). */
  readonly pollMs?: number;
  /** Prepared responses kept at most (default 1024). */
  readonly maxEntries?: number;
  /** Bytes of prepared responses kept at most (default 64 MiB). */
  readonly maxBytes?: number;
  /** Origin of RSS item links (SPEC §3.4), default `https://endpoints.office.com`. */
  readonly publicUrl?: string;
  /** Where background refresh failures go (the store may be briefly unreachable). */
  readonly onError?: (error: unknown) => void;
  /** Called after the catalog changed (new revision loaded). */
  readonly onRevision?: (revision: string) => void;
}

export const CONTENT_TYPES: Readonly<Record<WireFormat, string>> = {
  JSON: 'application/json; charset=utf-8',
  CSV: 'text/csv; charset=utf-8',
  RSS: 'application/rss+xml; charset=utf-8',
};

function prepare(text: string, contentType: string): PreparedResponse {
  const body = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 32);
  let gzipped: { body: Buffer; etag: string } | undefined;
  return {
    body,
    etag: `"${hash}"`,
    contentType,
    gzip() {
      gzipped ??= { body: gzipSync(body, { level: 9 }), etag: `"${hash}-gz"` };
      return gzipped;
    },
  };
}

/** Insertion-ordered Map as an LRU, bounded by entries and bytes. */
class PreparedCache {
  private entries = new Map<string, PreparedResponse>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(key: string): PreparedResponse | undefined {
    const found = this.entries.get(key);
    if (found === undefined) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    return found;
  }

  set(key: string, value: PreparedResponse): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.body.length;
      this.entries.delete(key);
    }
    this.entries.set(key, value);
    this.bytes += value.body.length;
    for (const [k, v] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.body.length;
    }
  }

  clear(): void {
    this.entries = new Map();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }
}

interface Catalog {
  readonly revision: string;
  readonly list: readonly InstanceSummary[];
  /** Lower-cased name → summary (instances match case-insensitively, SPEC §1.1). */
  readonly byLowerName: ReadonlyMap<string, InstanceSummary>;
}

export function createWebService(store: Store, options: WebServiceOptions = {}): WebService {
  const pollMs = options.pollMs ?? 500;
  const cache = new PreparedCache(options.maxEntries ?? 1024, options.maxBytes ?? 64 * 1024 * 1024);
  const inflight = new Map<string, Promise<PreparedResponse>>();
  // Endpoint sets per (instance, version): several parameter combinations share one read.
  const setsCache = new Map<string, Promise<EndpointSet[]>>();
  let catalog: Catalog = { revision: '', list: [], byLowerName: new Map() };
  let loaded = false;
  let generation = 0;
  let refreshing: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  async function loadCatalog(): Promise<boolean> {
    const revision = await store.revision();
    if (loaded && revision === catalog.revision) return false;
    const list = await store.listInstances();
    catalog = {
      revision,
      list,
      byLowerName: new Map(list.map((s) => [s.instance.toLowerCase(), s])),
    };
    loaded = true;
    generation += 1;
    cache.clear();
    inflight.clear();
    setsCache.clear();
    options.onRevision?.(revision);
    return true;
  }

  function refresh(): Promise<boolean> {
    refreshing ??= loadCatalog().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  function backgroundRefresh(): void {
    refresh().catch((error: unknown) => options.onError?.(error));
  }

  function summary(name: string): InstanceSummary {
    const found = catalog.byLowerName.get(name.toLowerCase());
    if (found === undefined) {
      const known = catalog.list.map((s) => s.instance).join(', ');
      throw new IpurlError(
        'ERR_UNKNOWN_INSTANCE',
        `instance ${JSON.stringify(describeValue(name))} is not served here; instances: ${known || '(none: the store is empty)'} (any letter case)`,
      );
    }
    return found;
  }

  /** Cached bytes for `key`, or render them once (concurrent misses share one render). */
  function cached(
    key: string,
    render: () => Promise<PreparedResponse>,
  ): PreparedResponse | Promise<PreparedResponse> {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const pending = inflight.get(key);
    if (pending !== undefined) return pending;
    const startedIn = generation;
    const promise = render().then(
      (prepared) => {
        if (generation === startedIn) {
          cache.set(key, prepared);
          inflight.delete(key);
        }
        return prepared;
      },
      (error: unknown) => {
        if (generation === startedIn) inflight.delete(key);
        throw error;
      },
    );
    inflight.set(key, promise);
    return promise;
  }

  function endpointSets(instance: string, version: VersionId): Promise<EndpointSet[]> {
    const key = `${instance}|${version}`;
    let pending = setsCache.get(key);
    if (pending === undefined) {
      pending = store.getEndpointSets(instance, version).then((sets) => {
        if (sets === undefined) {
          throw new IpurlError(
            'ERR_VERSION_NOT_FOUND',
            `version ${version} of ${instance} is listed but its sets are missing`,
          );
        }
        return sets;
      });
      pending.catch(() => setsCache.delete(key));
      setsCache.set(key, pending);
      if (setsCache.size > 32) setsCache.delete(setsCache.keys().next().value!);
    }
    return pending;
  }

  function versionInfo(s: InstanceSummary, allVersions: boolean): VersionInfo {
    return allVersions
      ? { instance: s.instance, latest: s.latest, versions: s.versions }
      : { instance: s.instance, latest: s.latest };
  }

  return {
    async start() {
      await refresh();
      if (store.onRevision) unsubscribe = store.onRevision(backgroundRefresh);
      if (pollMs > 0) {
        timer = setInterval(backgroundRefresh, pollMs);
        timer.unref();
      }
    },

    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      unsubscribe?.();
      unsubscribe = undefined;
      await refreshing?.catch(() => undefined);
    },

    refresh,

    instances: () => catalog.list,

    resolveInstance: (name) => catalog.byLowerName.get(name.toLowerCase())?.instance,

    instance: summary,

    version(request) {
      const one = request.instance === undefined ? undefined : summary(request.instance);
      if (request.format === 'RSS') {
        if (one === undefined) {
          throw new IpurlError(
            'ERR_MISSING_PARAMETER',
            'format RSS needs an instance: the feed is per instance (GET /version/{instance}?format=RSS, SPEC §3.4)',
          );
        }
        const key = `v|${one.instance}|RSS|${request.clientRequestId}`;
        return cached(key, async () => {
          const records = await store.getChanges(one.instance, { after: VERSION_ZERO });
          const text = renderRss({
            instance: one.instance,
            versions: summarizeVersions(one.versions, records),
            clientRequestId: request.clientRequestId,
            ...(options.publicUrl === undefined ? {} : { baseUrl: options.publicUrl }),
          });
          return prepare(text, CONTENT_TYPES.RSS);
        });
      }
      const key = `v|${one?.instance ?? '*'}|${request.format}|${request.allVersions ? 1 : 0}`;
      return cached(key, async () => {
        const infos =
          one === undefined
            ? catalog.list.map((s) => versionInfo(s, request.allVersions))
            : [versionInfo(one, request.allVersions)];
        if (request.format === 'CSV')
          return prepare(renderVersionCsv(infos, request.allVersions), CONTENT_TYPES.CSV);
        return prepare(
          renderVersionJson(one === undefined ? infos : infos[0]!),
          CONTENT_TYPES.JSON,
        );
      });
    },

    endpoints(request) {
      const s = summary(request.instance);
      const areas =
        request.serviceAreas === undefined ? '*' : [...request.serviceAreas].sort().join(',');
      const key = `e|${s.instance}|${s.latest}|${request.format}|${areas}|${request.tenantName ?? ''}|${request.noIPv6 ? 1 : 0}`;
      return cached(key, async () => {
        const sets = await endpointSets(s.instance, s.latest);
        const filtered = filterEndpointSets(sets, {
          ...(request.serviceAreas === undefined
            ? {}
            : { serviceAreas: new Set(request.serviceAreas) }),
          ...(request.tenantName === undefined ? {} : { tenantName: request.tenantName }),
          noIPv6: request.noIPv6,
        });
        return request.format === 'CSV'
          ? prepare(renderEndpointsCsv(filtered), CONTENT_TYPES.CSV)
          : prepare(renderEndpointsJson(filtered), CONTENT_TYPES.JSON);
      });
    },

    changes(request) {
      const s = summary(request.instance);
      // SPEC §11.8: a version at or after the latest gives []; all such requests share one entry.
      const after = !request.singleVersion && request.version >= s.latest;
      const key = after
        ? `c|${s.instance}|latest|${request.format}`
        : `c|${s.instance}|${request.version}|${request.singleVersion ? 1 : 0}|${request.format}`;
      return cached(key, async () => {
        const records: ChangeRecord[] = after
          ? []
          : await store.getChanges(
              s.instance,
              request.singleVersion ? { version: request.version } : { after: request.version },
            );
        return request.format === 'CSV'
          ? prepare(renderChangesCsv(records), CONTENT_TYPES.CSV)
          : prepare(renderChangesJson(records), CONTENT_TYPES.JSON);
      });
    },

    revision: () => (loaded ? catalog.revision : undefined),

    stats: () => ({
      hits: cache.hits,
      misses: cache.misses,
      entries: cache.size,
      bytes: cache.totalBytes,
      revision: loaded ? catalog.revision : undefined,
    }),
  };
}
