/**
 * The `/endpoints` filters (docs/api.md, "GET /endpoints/{instance}"): service areas, tenant
 * substitution and NoIPv6, applied to the stored (publisher-form) sets of one version. The server
 * calls this once per (instance, version, normalised parameters) and caches the rendered bytes, so
 * the function favours clarity, but it shares arrays that need no change instead of copying them.
 */
import { OPT_IN_SERVICE_AREAS, type EndpointSet, type ServiceArea } from './endpoint-set.js';
import {
  hasTenantPlaceholder,
  parseTenantName,
  parseTenantNames,
  renderUrl,
  renderUrlForTenants,
} from './tenant.js';

export interface EndpointFilter {
  /**
   * Requested areas; `Common` is always included. Absent ⇒ every area except the
   * opt-in ones (MEM), as the live service answers a request without ServiceAreas.
   */
  readonly serviceAreas?: ReadonlySet<ServiceArea>;
  /** Substituted at `<tenant>` placeholders; absent ⇒ `*`. */
  readonly tenantName?: string;
  /**
   * Several tenants (device outputs, issue 11): each `<tenant>` URL once per tenant. Takes the
   * place of tenantName when given; the wire routes never use it.
   */
  readonly tenantNames?: readonly string[];
  /** Drop IPv6 prefixes, and sets left with neither urls nor ips. */
  readonly noIPv6?: boolean;
}

/**
 * The wire view of one version. Order is kept (by id, as stored); every member is kept exactly as
 * stored (`notes: ""` included); each set is emitted in the wire key order (docs/api.md).
 * A tenantName that is not a DNS label throws ERR_INVALID_TENANT_NAME.
 */
export function filterEndpointSets(
  sets: readonly EndpointSet[],
  filter: EndpointFilter = {},
): EndpointSet[] {
  const tenant = filter.tenantName === undefined ? undefined : parseTenantName(filter.tenantName);
  const tenants =
    filter.tenantNames === undefined ? undefined : parseTenantNames(filter.tenantNames);
  const areas = filter.serviceAreas;
  const out: EndpointSet[] = [];
  for (const set of sets) {
    if (set.serviceArea !== 'Common') {
      if (
        areas === undefined
          ? OPT_IN_SERVICE_AREAS.has(set.serviceArea)
          : !areas.has(set.serviceArea)
      )
        continue;
    }
    const urls =
      set.urls === undefined
        ? undefined
        : tenants !== undefined
          ? renderUrlsForTenants(set.urls, tenants)
          : renderUrls(set.urls, tenant);
    const ips = set.ips !== undefined && filter.noIPv6 === true ? dropIpv6(set.ips) : set.ips;
    // Our decision (docs/api.md): with NoIPv6, a set left with neither urls nor ips is dropped.
    if (filter.noIPv6 === true && urls === undefined && ips === undefined) continue;
    out.push(inWireOrder(set, urls, ips));
  }
  return out;
}

/**
 * Substitute the placeholder, then remove exact duplicates keeping the first (our decision): with
 * no TenantName `<tenant>.sharepoint.com` becomes `*.sharepoint.com`, which may already be listed.
 * The stored array is returned untouched when it has no placeholder.
 */
function renderUrls(urls: readonly string[], tenant: string | undefined): readonly string[] {
  if (!urls.some(hasTenantPlaceholder)) return urls;
  return [...new Set(urls.map((url) => renderUrl(url, tenant)))];
}

function renderUrlsForTenants(
  urls: readonly string[],
  tenants: readonly string[],
): readonly string[] {
  if (!urls.some(hasTenantPlaceholder)) return urls;
  return [...new Set(urls.flatMap((url) => renderUrlForTenants(url, tenants)))];
}

/** NoIPv6: every entry containing ':' goes; undefined (member omitted) when none is left. */
function dropIpv6(ips: readonly string[]): readonly string[] | undefined {
  if (!ips.some((ip) => ip.includes(':'))) return ips;
  const v4 = ips.filter((ip) => !ip.includes(':'));
  return v4.length > 0 ? v4 : undefined;
}

/** The set with the given urls/ips, members in wire order, absent ones omitted. */
function inWireOrder(
  set: EndpointSet,
  urls: readonly string[] | undefined,
  ips: readonly string[] | undefined,
): EndpointSet {
  return {
    id: set.id,
    serviceArea: set.serviceArea,
    serviceAreaDisplayName: set.serviceAreaDisplayName,
    ...(urls !== undefined ? { urls } : {}),
    ...(ips !== undefined ? { ips } : {}),
    ...(set.tcpPorts !== undefined ? { tcpPorts: set.tcpPorts } : {}),
    ...(set.udpPorts !== undefined ? { udpPorts: set.udpPorts } : {}),
    expressRoute: set.expressRoute,
    category: set.category,
    required: set.required,
    ...(set.notes !== undefined ? { notes: set.notes } : {}),
  };
}
