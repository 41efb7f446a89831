/**
 * The export use case, shared by `ipurl export` and `GET /export/{instance}/{target}`: pick a
 * stored version, select sets, render one target (src/formats/export/).
 *
 * Selection, in this order:
 * 1. pending additions (export-pending.ts): excluded unless `includePending`;
 * 2. service areas (Common always included), tenant substitution, through the same core filter
 *    as `/endpoints` (docs/api.md, "GET /endpoints/{instance}");
 * 3. categories, required only, address family (IPv4 only drops IPv6 and vice versa; host
 *    patterns are kept either way: a target that takes no hosts simply does not carry them).
 * Labelled entries (`device`: observed, grace, local; service/device-view.ts) pass the same
 * selection and reach the renderer beside the published sets, each with its origin.
 */
import {
  CATEGORIES,
  DEFAULT_SERVICE_AREAS,
  type Category,
  type EndpointSet,
  type ServiceArea,
} from '../core/endpoint-set.js';
import { IpurlError, describeValue } from '../core/errors.js';
import { filterEndpointSets } from '../core/filters.js';
import { parseTenantName } from '../core/tenant.js';
import { formatYmd, type VersionId } from '../core/version-id.js';
import { checkName, unsupportedError } from '../formats/export/export-model.js';
import { EXPORT_TARGETS, getTarget } from '../formats/export/export-registry.js';
import { MAX_ENTRIES_RULE } from '../core/capacity-cap.js';
import {
  UNSUPPORTED_POLICIES,
  type ExportResult,
  type TargetInfo,
  type UnsupportedPolicy,
} from '../formats/export/export-types.js';
import type { Catalog } from './catalog.js';
import { deviceView, type DeviceViewRequest } from './device-view.js';
import { findPending, withoutPending, type PendingEntry } from './export-pending.js';
import { selectFile } from './export-select-file.js';

export { selectFile } from './export-select-file.js';

export { findPending, type PendingEntry } from './export-pending.js';

export interface ExportRequest {
  readonly instance: string;
  readonly target: string;
  /** Default: the latest stored version. */
  readonly version?: string;
  /** Default: every category. */
  readonly categories?: readonly Category[];
  /** Default: every area; Common is always included. */
  readonly serviceAreas?: readonly ServiceArea[];
  readonly requiredOnly?: boolean;
  /** Only this address family (default both). */
  readonly family?: 4 | 6;
  readonly tenantName?: string;
  /** Several tenants: each `<tenant>` URL once per tenant (takes the place of tenantName). */
  readonly tenantNames?: readonly string[];
  readonly includePending?: boolean;
  /** Default true (targets that aggregate). */
  readonly aggregate?: boolean;
  /** Default 'error'. */
  readonly onUnsupported?: UnsupportedPolicy;
  /** Object-name prefix, default `m365`. */
  readonly name?: string;
  /** Squid: where the ACL files are installed (default /etc/squid/ipurl). */
  readonly squidDir?: string;
  /** Only this file of a multi-file target (see selectFile); the policy applies to its kinds. */
  readonly file?: string;
  /** One file is wanted (HTTP): a multi-file target without `file` is a 400 listing the files. */
  readonly singleFile?: boolean;
  /** openvpn: server `push "…"` lines. */
  readonly push?: boolean;
  /** windows-routes: the interface alias the routes use. */
  readonly interfaceAlias?: string;
  /** dnsmasq: ipset= lines and an ipset file instead of nftset= and nftables. */
  readonly ipset?: boolean;
  /** dnsmasq: seconds an address stays in its set (default 1 day). */
  readonly setTimeout?: number;
  /** Today, for pending additions (tests pin it). */
  readonly now?: Date;
  /** Capacity cap per bucket (IP targets; issue 11). */
  readonly maxEntries?: number;
  /** With maxEntries: merging across the port buckets of a category is allowed. */
  readonly mergeAcrossPorts?: boolean;
  /**
   * Labelled entries (service/device-view.ts): `includeObserved` with `observations`,
   * `graceSeconds`, and the overlay. Each is written with its origin in a comment.
   */
  readonly device?: Omit<DeviceViewRequest, 'now'> | undefined;
}

export interface ExportOutcome extends ExportResult {
  readonly target: TargetInfo;
  readonly instance: string;
  readonly version: VersionId;
  /** Pending additions left out (empty with includePending). */
  readonly pendingExcluded: readonly PendingEntry[];
  /** Pending additions written (includePending). */
  readonly pendingIncluded: readonly PendingEntry[];
}

export const DEFAULT_EXPORT_NAME = 'm365';
export const DEFAULT_SQUID_DIR = '/etc/squid/ipurl';

// ---------------------------------------------------------------------------------------------
// Parsing of the shared options (CLI flags and query parameters give the same text)

function listItems(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** `Optimize,Allow` in any case → categories in priority order. */
export function parseCategories(text: string, parameter = 'categories'): Category[] {
  const out = new Set<Category>();
  for (const item of listItems(text)) {
    const found = CATEGORIES.find((category) => category.toLowerCase() === item.toLowerCase());
    if (found === undefined) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `${parameter}: unknown category ${JSON.stringify(describeValue(item))}; accepted: ${CATEGORIES.join(', ')} (comma-separated)`,
      );
    }
    out.add(found);
  }
  if (out.size === 0) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${parameter} is empty; accepted: ${CATEGORIES.join(', ')} (comma-separated)`,
    );
  }
  return CATEGORIES.filter((category) => out.has(category));
}

export function parseFamily(text: string, parameter = 'family'): 4 | 6 {
  const value = text.trim().toLowerCase().replace(/^ipv/, '');
  if (value === '4') return 4;
  if (value === '6') return 6;
  throw new IpurlError(
    'ERR_INVALID_PARAMETER',
    `${parameter} must be 4 or 6 (or ipv4/ipv6); received ${JSON.stringify(describeValue(text))}`,
  );
}

export function parseUnsupportedPolicy(
  text: string,
  parameter = 'onUnsupported',
): UnsupportedPolicy {
  const value = text.trim().toLowerCase();
  const found = UNSUPPORTED_POLICIES.find((policy) => policy === value);
  if (found === undefined) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${parameter} must be one of ${UNSUPPORTED_POLICIES.join(', ')}; received ${JSON.stringify(describeValue(text))}`,
    );
  }
  return found;
}

/** `--max-entries` / `maxEntries=`: a whole number ≥ 1. */
export function parseMaxEntries(text: string, parameter = 'maxEntries'): number {
  const trimmed = text.trim();
  const value = /^[0-9]{1,9}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isInteger(value) || value < 1) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${parameter} must be ${MAX_ENTRIES_RULE} (e.g. 1000); received ${JSON.stringify(describeValue(text))}`,
      { details: { value: describeValue(text), accepted: MAX_ENTRIES_RULE } },
    );
  }
  return value;
}

function checkCapacityRequest(request: ExportRequest, target: TargetInfo): void {
  if (request.maxEntries === undefined) {
    if (request.mergeAcrossPorts === true) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        'mergeAcrossPorts (--merge-across-ports) only applies with maxEntries (--max-entries N)',
      );
    }
    return;
  }
  if (!target.aggregates) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `maxEntries (--max-entries) applies to the IP targets (${EXPORT_TARGETS.filter(
        (t) => t.aggregates,
      )
        .map((t) => t.name)
        .join(', ')}); target ${target.name} does not merge prefixes`,
    );
  }
  if (request.aggregate === false) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      'maxEntries (--max-entries) merges prefixes and cannot be combined with aggregate=false (--no-aggregate)',
    );
  }
}

// ---------------------------------------------------------------------------------------------

export async function exportEndpoints(
  catalog: Catalog,
  request: ExportRequest,
): Promise<ExportOutcome> {
  const target = getTarget(request.target);
  checkCapacityRequest(request, target);
  const tenants = [
    ...new Set(
      (request.tenantNames ?? (request.tenantName === undefined ? [] : [request.tenantName])).map(
        parseTenantName,
      ),
    ),
  ];
  const tenantName = tenants.length === 0 ? undefined : tenants.join(', ');
  const resolved = catalog.resolve(request.instance, request.version);
  const { instance, version } = resolved;
  const stored = await catalog.sets(resolved);

  const today = formatYmd(request.now ?? new Date());
  // The history is read once per store revision (the catalog), not per export.
  const records = await catalog.history(instance);
  const pending = findPending(records, version, today);
  const includePending = request.includePending === true;
  const live = includePending ? [...stored] : withoutPending(stored, pending);

  const areas = request.serviceAreas;
  // Split-tunnel targets default to Optimize (Microsoft's split-tunnel guidance).
  const categories = request.categories ?? target.defaultCategories;
  const select = (input: readonly EndpointSet[]): EndpointSet[] =>
    selectSets(input, request, tenants, categories);
  // Always through the device view: the instance's local overlay applies to every export.
  const view = await deviceView(catalog, resolved, live, {
    ...(request.device ?? {}),
    ...(request.now !== undefined ? { now: request.now } : {}),
  });
  const sets = select(view.published);
  // Labelled entries pass the same selection, one by one so each keeps its origin.
  const labelled = view.labelled.flatMap(({ set, origin }) =>
    select([set]).map((selected) => ({ set: selected, origin })),
  );

  const aggregate = target.aggregates && request.aggregate !== false;
  const onUnsupported = request.onUnsupported ?? 'error';
  const selection = [
    `categories=${(categories ?? CATEGORIES).join(',')}; serviceAreas=${areas === undefined ? `${DEFAULT_SERVICE_AREAS.join(',')} (default; MEM only when named)` : ['Common', ...areas.filter((a) => a !== 'Common')].join(',')}; requiredOnly=${request.requiredOnly === true}`,
    `family=${request.family === undefined ? 'IPv4+IPv6' : `IPv${request.family} only`}; ${tenants.length > 1 ? 'tenantNames' : 'tenantName'}=${tenantName ?? 'none (tenant placeholder written as *)'}`,
    includePending
      ? `pending additions (effective after ${today}): included (${pending.length})`
      : `pending additions (effective after ${today}): excluded (${pending.length})`,
    ...view.description,
  ];
  const result = target.render({
    instance,
    version,
    sets,
    ...(labelled.length > 0 ? { labelled } : {}),
    selection,
    aggregate,
    onUnsupported,
    // Checked for every target, also those whose files carry no name (list).
    name: checkName(request.name ?? DEFAULT_EXPORT_NAME),
    squidDir: request.squidDir ?? DEFAULT_SQUID_DIR,
    ...(request.family !== undefined ? { family: request.family } : {}),
    ...(request.push !== undefined ? { push: request.push } : {}),
    ...(request.interfaceAlias !== undefined ? { interfaceAlias: request.interfaceAlias } : {}),
    ...(request.ipset !== undefined ? { ipset: request.ipset } : {}),
    ...(request.setTimeout !== undefined ? { setTimeout: request.setTimeout } : {}),
    ...(request.maxEntries !== undefined
      ? {
          maxEntries: request.maxEntries,
          // Ports do not reach a target that carries none: its buckets are (category, family).
          mergeAcrossPorts: request.mergeAcrossPorts === true || !target.ports,
        }
      : {}),
  });
  // The policy applies to what the requested files carry: `list --file ipv4` does not fail on a
  // URL the urls.txt file could not hold.
  const files =
    request.file === undefined && request.singleFile !== true
      ? result.files
      : [selectFile(result.files, request.file, target.name)];
  const kinds = new Set(files.flatMap((file) => file.kinds));
  const relevant = result.summary.unsupported.filter((entry) =>
    entry.kind === 'ports' ? kinds.has('ipv4') || kinds.has('ipv6') : kinds.has(entry.kind),
  );
  if (onUnsupported === 'error' && relevant.length > 0)
    throw unsupportedError(target.name, relevant);
  return {
    files,
    // With one file chosen, the summary speaks about that file's kinds only.
    summary:
      request.file === undefined
        ? { ...result.summary, unsupported: relevant }
        : {
            ...result.summary,
            unsupported: relevant,
            merges: result.summary.merges.filter((m) =>
              kinds.has(m.family === 4 ? 'ipv4' : 'ipv6'),
            ),
            written: {
              url: kinds.has('url') ? result.summary.written.url : 0,
              ipv4: kinds.has('ipv4') ? result.summary.written.ipv4 : 0,
              ipv6: kinds.has('ipv6') ? result.summary.written.ipv6 : 0,
            },
          },
    target,
    instance,
    version,
    pendingExcluded: includePending ? [] : pending,
    pendingIncluded: includePending ? pending : [],
  };
}

/** Service areas, tenants, family, categories and requiredOnly applied to some sets. */
function selectSets(
  input: readonly EndpointSet[],
  request: ExportRequest,
  tenants: readonly string[],
  categories: readonly Category[] | undefined,
): EndpointSet[] {
  const areas = request.serviceAreas;
  let sets = filterEndpointSets(input, {
    ...(areas !== undefined ? { serviceAreas: new Set(areas) } : {}),
    ...(tenants.length === 1 ? { tenantName: tenants[0] } : {}),
    ...(tenants.length > 1 ? { tenantNames: tenants } : {}),
    ...(request.family === 4 ? { noIPv6: true } : {}),
  });
  sets = sets.filter(
    (set) =>
      (categories === undefined || categories.includes(set.category)) &&
      (request.requiredOnly !== true || set.required),
  );
  if (request.family === 6) {
    sets = sets.flatMap((set) => {
      const ips = (set.ips ?? []).filter((ip) => ip.includes(':'));
      if (ips.length === 0 && (set.urls ?? []).length === 0) return [];
      const { ips: _i, ...rest } = set;
      return [{ ...rest, ...(ips.length > 0 ? { ips } : {}) }];
    });
  }
  return sets;
}
