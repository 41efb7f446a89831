/**
 * The lookup use case shared by `ipurl lookup` and `GET /lookup/{instance}` (issue 5): compile a
 * version's sets into a lookup index once per version (so a query never scans the sets; the
 * Catalog keeps them, bounded), and answer queries with every matching set and the category to
 * apply (Microsoft's priority rule: Optimize > Allow > Default). Over HTTP each distinct question
 * is answered once per store revision from prepared bytes.
 */
import { IpurlError, describeValue, type Issue } from '../core/errors.js';
import type { EntryOrigin } from '../core/device-entry.js';
import { CATEGORIES } from '../core/endpoint-set.js';
import {
  bestCategory,
  buildLookupIndex,
  type LookupIndex,
  type LookupMatch,
  type LookupResult,
  toMatchedSet,
} from '../core/lookup-index.js';
import type { VersionId } from '../core/version-id.js';
import type { Catalog } from './catalog.js';
import { deviceView, deviceViewKey, type DeviceViewRequest } from './device-view.js';
import { prepare, type PreparedResponse } from './prepared.js';

/** One match as the API and `--json` show it: the set's attributes plus what matched. */
export interface LookupMatchJson {
  readonly id: number;
  readonly serviceArea: string;
  readonly category: string;
  readonly required: boolean;
  readonly expressRoute: boolean;
  readonly tcpPorts?: string;
  readonly udpPorts?: string;
  readonly notes?: string;
  readonly matched: string;
  /** A labelled entry (observed, grace, local); absent for Microsoft's published data. */
  readonly origin?: EntryOrigin;
}

/** Labelled entries to look up beside the published data (service/device-view.ts). */
export interface LookupOptions {
  readonly device?: DeviceViewRequest | undefined;
}

export interface LookupResultJson {
  readonly query: string;
  readonly kind: LookupResult['kind'];
  readonly normalized: string;
  readonly mappedFrom?: string;
  /** Optimize > Allow > Default (Microsoft's rule); null = not a Microsoft 365 endpoint here. */
  readonly category: string | null;
  readonly matches: readonly LookupMatchJson[];
}

export interface LookupAnswer {
  readonly instance: string;
  readonly version: VersionId;
  readonly results: readonly LookupResultJson[];
}

export interface LookupService {
  /** The index of the labelled entries a device request asks for (classify), or undefined. */
  labelledIndex(
    instance: string,
    version: string | undefined,
    options: LookupOptions | undefined,
  ): Promise<LookupIndex | undefined>;
  /** The compiled index of `instance` (any case) at `version` (default latest). */
  index(
    instance: string,
    version?: string,
  ): Promise<{ instance: string; version: VersionId; index: LookupIndex }>;
  /**
   * Look up every query; one bad query rejects the call, naming each bad value
   * (ERR_INVALID_PARAMETER). With `options.device`, labelled entries match too, each match
   * carrying its `origin`, and count for the category.
   */
  lookup(
    instance: string,
    queries: readonly string[],
    version?: string,
    options?: LookupOptions,
  ): Promise<LookupAnswer>;
  /** The same answer as prepared JSON (GET /lookup/{instance}), once per distinct question. */
  prepared(
    instance: string,
    queries: readonly string[],
    version?: string,
    options?: LookupOptions,
  ): PreparedResponse | Promise<PreparedResponse>;
}

export const MAX_QUERIES = 100;

export function toResultJson(result: LookupResult): LookupResultJson {
  return {
    query: result.query,
    kind: result.kind,
    normalized: result.normalized,
    ...(result.mappedFrom === undefined ? {} : { mappedFrom: result.mappedFrom }),
    category: result.category,
    matches: result.matches.map(({ set, matched, origin }) => ({
      ...toMatchedSet(set),
      matched,
      ...(origin === undefined ? {} : { origin }),
    })),
  };
}

/** A result with more matches: sorted like the index sorts them, category recomputed. */
function withMatches(result: LookupResult, matches: readonly LookupMatch[]): LookupResult {
  const rank = (m: LookupMatch): number => CATEGORIES.indexOf(m.set.category);
  const sorted = [...matches].sort((a, b) => rank(a) - rank(b) || a.set.id - b.set.id);
  return { ...result, matches: sorted, category: bestCategory(sorted) };
}

export function createLookupService(catalog: Catalog): LookupService {
  async function index(requested: string, version?: string) {
    const resolved = catalog.resolve(requested, version);
    // With a local overlay in force, its exclusions come off the published data first.
    const overlay = await catalog.overlay(resolved.instance);
    if (overlay.revision > 0) {
      const key = `overlaid|${resolved.instance}|${resolved.version}`;
      const index = await catalog.derivedIndex(key, async () => {
        const view = await deviceView(catalog, resolved, await catalog.sets(resolved), {});
        return buildLookupIndex(view.published);
      });
      return { instance: resolved.instance, version: resolved.version, index };
    }
    return {
      instance: resolved.instance,
      version: resolved.version,
      index: await catalog.lookupIndex(resolved),
    };
  }

  /** The index of the labelled entries of a device view, or undefined when none is asked for. */
  async function labelledIndex(
    requested: string,
    version: string | undefined,
    options: LookupOptions | undefined,
  ): Promise<LookupIndex | undefined> {
    const resolved = catalog.resolve(requested, version);
    // The overlay's additions (labelled local) are looked up even when no device option is given.
    if (
      options?.device === undefined &&
      (await catalog.overlay(resolved.instance)).revision === 0
    ) {
      return undefined;
    }
    const device = options?.device ?? {};
    const key = `labelled|${resolved.instance}|${resolved.version}|${await deviceViewKey(resolved.instance, device)}`;
    return catalog.derivedIndex(key, async () => {
      const view = await deviceView(catalog, resolved, await catalog.sets(resolved), device);
      const origins = new Map(view.labelled.map(({ set, origin }) => [set, origin]));
      return buildLookupIndex([...origins.keys()], (set) => origins.get(set));
    });
  }

  async function lookup(
    requested: string,
    queries: readonly string[],
    version?: string,
    options?: LookupOptions,
  ): Promise<LookupAnswer> {
    if (queries.length === 0) {
      throw new IpurlError(
        'ERR_MISSING_PARAMETER',
        'give at least one q: an IPv4/IPv6 address, a host name or a URL (q is repeatable)',
      );
    }
    if (queries.length > MAX_QUERIES) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `at most ${MAX_QUERIES} queries per request; received ${queries.length}`,
      );
    }
    const { instance, version: v, index: compiled } = await index(requested, version);
    const labelled = await labelledIndex(instance, v, options);
    const results: LookupResultJson[] = [];
    const issues: Issue[] = [];
    queries.forEach((query, i) => {
      const published = compiled.lookup(query);
      const extra = labelled?.lookup(query);
      const result =
        'ok' in published || extra === undefined || 'ok' in extra || extra.matches.length === 0
          ? published
          : withMatches(published, [...published.matches, ...extra.matches]);
      if ('ok' in result)
        issues.push({ path: `q[${i}]`, value: describeValue(query), reason: result.reason });
      else results.push(toResultJson(result));
    });
    if (issues.length > 0) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        issues
          .map(
            (issue) =>
              `q ${JSON.stringify(issue.value)} is not an IP address, host name or URL: ${issue.reason}`,
          )
          .join('; '),
        { details: { issues } },
      );
    }
    return { instance, version: v, results };
  }

  return {
    index,
    labelledIndex,
    lookup,
    prepared(requested, queries, version, options) {
      const resolved = catalog.resolve(requested, version);
      const key = `lookup|${resolved.instance}|${resolved.version}|${JSON.stringify(queries)}`;
      const device = options?.device;
      if (device !== undefined) {
        // Keyed on what the labelled entries depend on (the observations, today's date).
        return deviceViewKey(resolved.instance, device).then((part) =>
          catalog.prepared(`${key}|${part}`, async () => {
            const answer = await lookup(resolved.instance, queries, resolved.version, options);
            return prepare(JSON.stringify(answer, null, 2), 'application/json; charset=utf-8', {
              cacheControl: 'no-cache',
            });
          }),
        );
      }
      return catalog.prepared(key, async () => {
        const answer = await lookup(resolved.instance, queries, resolved.version);
        return prepare(JSON.stringify(answer, null, 2), 'application/json; charset=utf-8', {
          cacheControl: 'no-cache',
        });
      });
    },
  };
}
