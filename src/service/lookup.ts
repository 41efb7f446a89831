/**
 * The lookup use case shared by `ipurl lookup` and `GET /lookup/{instance}` (issue 5): compile a
 * version's sets into a lookup index once (DESIGN.md: "Lookups compile the data into an index once
 * per version"), keep the few most recent indexes, and answer queries with every matching set and
 * the category to apply (SPEC §9).
 */
import { IpurlError, describeValue, type Issue } from '../core/errors.js';
import { canonicalInstance } from '../core/instance.js';
import { buildLookupIndex, type LookupIndex, type LookupResult } from '../core/lookup-index.js';
import type { Store } from '../core/store.js';
import { isVersionId, type VersionId } from '../core/version-id.js';

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
}

export interface LookupResultJson {
  readonly query: string;
  readonly kind: LookupResult['kind'];
  readonly normalized: string;
  readonly mappedFrom?: string;
  /** Optimize > Allow > Default (SPEC §9); null = not a Microsoft 365 endpoint of this version. */
  readonly category: string | null;
  readonly matches: readonly LookupMatchJson[];
}

export interface LookupAnswer {
  readonly instance: string;
  readonly version: VersionId;
  readonly results: readonly LookupResultJson[];
}

export interface LookupService {
  /** The compiled index of `instance` (any case) at `version` (default latest). */
  index(
    instance: string,
    version?: string,
  ): Promise<{ instance: string; version: VersionId; index: LookupIndex }>;
  /** Look up every query; one bad query rejects the call, naming each bad value (ERR_INVALID_PARAMETER). */
  lookup(instance: string, queries: readonly string[], version?: string): Promise<LookupAnswer>;
}

export const MAX_QUERIES = 100;
const CACHE_SIZE = 8;

export function toResultJson(result: LookupResult): LookupResultJson {
  return {
    query: result.query,
    kind: result.kind,
    normalized: result.normalized,
    ...(result.mappedFrom === undefined ? {} : { mappedFrom: result.mappedFrom }),
    category: result.category,
    matches: result.matches.map(({ set, matched }) => ({
      id: set.id,
      serviceArea: set.serviceArea,
      category: set.category,
      required: set.required,
      expressRoute: set.expressRoute,
      ...(set.tcpPorts === undefined ? {} : { tcpPorts: set.tcpPorts }),
      ...(set.udpPorts === undefined ? {} : { udpPorts: set.udpPorts }),
      ...(set.notes === undefined ? {} : { notes: set.notes }),
      matched,
    })),
  };
}

export function createLookupService(store: Store): LookupService {
  const cache = new Map<string, LookupIndex>();

  async function resolve(
    requested: string,
    version: string | undefined,
  ): Promise<{ instance: string; version: VersionId }> {
    const summaries = await store.listInstances();
    const name = canonicalInstance(
      summaries.map((s) => s.instance),
      requested,
    );
    const summary = summaries.find((s) => s.instance === name);
    if (summary === undefined) {
      throw new IpurlError(
        'ERR_UNKNOWN_INSTANCE',
        `unknown instance ${JSON.stringify(describeValue(requested))}; instances: ${summaries.map((s) => s.instance).join(', ') || '(none: the store is empty)'}`,
      );
    }
    if (version === undefined) return { instance: summary.instance, version: summary.latest };
    if (!isVersionId(version)) {
      throw new IpurlError(
        'ERR_INVALID_VERSION',
        `version must be ten digits YYYYMMDDNN; received ${JSON.stringify(describeValue(version))}`,
      );
    }
    if (!summary.versions.includes(version)) {
      throw new IpurlError(
        'ERR_VERSION_NOT_FOUND',
        `${summary.instance} has no version ${version}; latest is ${summary.latest}`,
      );
    }
    return { instance: summary.instance, version };
  }

  async function index(requested: string, version?: string) {
    const resolved = await resolve(requested, version);
    const key = `${resolved.instance}/${resolved.version}`;
    let compiled = cache.get(key);
    if (compiled === undefined) {
      const sets = await store.getEndpointSets(resolved.instance, resolved.version);
      if (sets === undefined) throw new IpurlError('ERR_VERSION_NOT_FOUND', `${key} is not stored`);
      compiled = buildLookupIndex(sets);
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(key, compiled);
    }
    return { ...resolved, index: compiled };
  }

  return {
    index,
    async lookup(requested, queries, version) {
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
      const results: LookupResultJson[] = [];
      const issues: Issue[] = [];
      queries.forEach((query, i) => {
        const result = compiled.lookup(query);
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
    },
  };
}
