/**
 * Answers the three web methods (docs/api.md) from prepared bytes (prepared.ts). Each answer is
 * rendered once per content identity and store revision; later requests get the same Buffer and
 * ETag, so the hot path never touches the store, never filters and never serializes (a request
 * costs the same however large the data). Instances, versions and the data come from the
 * Catalog, which follows the store's revision.
 *
 * Content identity: `/changes/{i}/{v}` answers the records of versions after `v`, a suffix of the
 * instance's history; every `v` between two stored versions names the same suffix, so the key
 * is the suffix, not the string (a flood of distinct version strings renders nothing new).
 */
import type { ChangeRecord } from '../core/change-record.js';
import type { ServiceArea } from '../core/endpoint-set.js';
import { IpurlError } from '../core/errors.js';
import { filterEndpointSets } from '../core/filters.js';
import type { InstanceSummary } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import { renderRss, summarizeVersions } from '../formats/rss.js';
import { RETIRED_INSTANCES } from '../core/instance.js';
import { renderChangesCsv, renderEndpointsCsv, renderVersionCsv } from '../formats/wire-csv.js';
import {
  renderChangesJson,
  renderEndpointsJson,
  renderVersionJson,
  type VersionInfo,
} from '../formats/wire-json.js';
import type { Catalog } from './catalog.js';
import { prepare, type PreparedResponse } from './prepared.js';

export type { PreparedResponse } from './prepared.js';

export type WireFormat = 'JSON' | 'CSV' | 'RSS';

export interface VersionRequest {
  /** Any casing; undefined = every instance (docs/api.md, "GET /version"). */
  readonly instance?: string;
  readonly allVersions: boolean;
  readonly format: WireFormat;
  /** Normalised (lower-case, hyphenated); echoed in RSS item links. */
  readonly clientRequestId: string;
}

export interface EndpointsRequest {
  readonly instance: string;
  /**
   * Canonical areas; undefined = every area but the opt-in MEM, as Microsoft answers without
   * ServiceAreas (Common is added by the filter; docs/api.md).
   */
  readonly serviceAreas?: readonly ServiceArea[];
  /** Validated, lower-cased DNS label (docs/api.md, "GET /endpoints/{instance}"). */
  readonly tenantName?: string;
  readonly noIPv6: boolean;
  readonly format: 'JSON' | 'CSV';
}

export interface ChangesRequest {
  readonly instance: string;
  /** Ten digits (validated by the caller; docs/api.md, "GET /changes/{instance}/{version}"). */
  readonly version: VersionId;
  readonly singleVersion: boolean;
  readonly format: 'JSON' | 'CSV';
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
  /** The catalog the answers come from (instances, versions, caches). */
  readonly catalog: Catalog;
  /** Load the catalog and start following the store's revision. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Re-read the catalog now if the store's revision changed; true when it did. */
  refresh(): Promise<boolean>;
  /** Canonical instance names in canonical order (Microsoft's first, then by name). */
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
  /** Origin of RSS item links (docs/api.md, "GET /version"), default endpoints.office.com. */
  readonly publicUrl?: string;
}

export const CONTENT_TYPES: Readonly<Record<WireFormat, string>> = {
  JSON: 'application/json; charset=utf-8',
  CSV: 'text/csv; charset=utf-8',
  RSS: 'application/rss+xml; charset=utf-8',
};

/** First index of `records` (ordered by version) whose version is after (or at) `version`. */
function boundary(
  records: readonly ChangeRecord[],
  version: VersionId,
  inclusive: boolean,
): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = records[mid]!.version;
    if (v > version || (inclusive && v === version)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function versionInfo(s: InstanceSummary, allVersions: boolean): VersionInfo {
  return allVersions
    ? { instance: s.instance, latest: s.latest, versions: s.versions }
    : { instance: s.instance, latest: s.latest };
}

export function createWebService(catalog: Catalog, options: WebServiceOptions = {}): WebService {
  const summary = (name: string): InstanceSummary => catalog.resolve(name).summary;

  function changesOf(
    instance: string,
    format: 'JSON' | 'CSV',
    history: readonly ChangeRecord[],
    start: number,
    end: number,
  ): PreparedResponse | Promise<PreparedResponse> {
    return catalog.prepared(`c|${instance}|${format}|${start}|${end}`, () => {
      const records = history.slice(start, end);
      return format === 'CSV'
        ? prepare(renderChangesCsv(records), CONTENT_TYPES.CSV)
        : prepare(renderChangesJson(records), CONTENT_TYPES.JSON);
    });
  }

  return {
    catalog,
    start: () => catalog.start(),
    close: () => catalog.close(),
    refresh: () => catalog.refresh(),
    instances: () => catalog.instances(),
    resolveInstance: (name) => catalog.resolveInstance(name),
    instance: summary,

    version(request) {
      const one = request.instance === undefined ? undefined : summary(request.instance);
      if (request.format === 'RSS') {
        if (one === undefined) {
          throw new IpurlError(
            'ERR_MISSING_PARAMETER',
            'format RSS needs an instance: the feed is per instance (GET /version/{instance}?format=RSS, docs/api.md)',
          );
        }
        // Item links carry the ClientRequestId: it is part of what the feed contains.
        const key = `v|${one.instance}|RSS|${request.clientRequestId}`;
        return catalog.prepared(key, async () => {
          const records = await catalog.history(one.instance);
          const times = await catalog.publishTimes(one.instance);
          const text = renderRss({
            instance: one.instance,
            versions: summarizeVersions(one.versions, records, times),
            clientRequestId: request.clientRequestId,
            ...(options.publicUrl === undefined ? {} : { baseUrl: options.publicUrl }),
          });
          return prepare(text, CONTENT_TYPES.RSS);
        });
      }
      const key = `v|${one?.instance ?? '*'}|${request.format}|${request.allVersions ? 1 : 0}`;
      return catalog.prepared(key, () => {
        const infos =
          one === undefined
            ? // Like the live service: retired instances (Germany) are left out of the list; their
              // history stays under /version/{instance}.
              catalog
                .instances()
                .filter((s) => !RETIRED_INSTANCES.has(s.instance))
                .map((s) => versionInfo(s, request.allVersions))
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
      const resolved = catalog.resolve(request.instance);
      const areas =
        request.serviceAreas === undefined ? '*' : [...request.serviceAreas].sort().join(',');
      const key = `e|${resolved.instance}|${resolved.version}|${request.format}|${areas}|${request.tenantName ?? ''}|${request.noIPv6 ? 1 : 0}`;
      return catalog.prepared(key, async () => {
        const sets = await catalog.sets(resolved);
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
      // A version at or after the latest gives [] (docs/api.md, "GET /changes/..."); all such
      // requests share one entry.
      if (!request.singleVersion && request.version >= s.latest) {
        return changesOf(s.instance, request.format, [], 0, 0);
      }
      // The records of versions after v (or of v alone): one contiguous range of the history.
      const answer = (history: readonly ChangeRecord[]) => {
        const after = boundary(history, request.version, false);
        const start = request.singleVersion ? boundary(history, request.version, true) : after;
        const end = request.singleVersion ? after : history.length;
        return changesOf(s.instance, request.format, history, start, end);
      };
      const loaded = catalog.loadedHistory(s.instance);
      return loaded === undefined ? catalog.history(s.instance).then(answer) : answer(loaded);
    },

    revision: () => catalog.revision(),

    stats: () => {
      const stats = catalog.stats();
      return {
        hits: stats.prepared.hits,
        misses: stats.prepared.misses,
        entries: stats.prepared.entries,
        bytes: stats.prepared.bytes,
        revision: stats.revision,
      };
    },
  };
}
