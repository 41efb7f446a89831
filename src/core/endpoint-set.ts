/**
 * The data unit of the web service: an endpoint set (docs/api.md, "GET /endpoints/{instance}"),
 * in publisher form.
 *
 * Publisher form = the wire JSON shape, except that tenant-specific URLs keep the literal
 * placeholder `<tenant>` (docs/publishing.md, "The document"); the wire renders it as `*` or as the
 * TenantName.
 * Optional members are kept exactly as published: `notes: ""` is real data and is echoed.
 */

/**
 * API value of a service area. MEM (Microsoft Intune / Endpoint Manager, display name
 * "Microsoft Endpoint Manager") is the live service's fifth area, returned only when asked for.
 */
export type ServiceArea = 'Exchange' | 'SharePoint' | 'Skype' | 'MEM' | 'Common';

/** Connectivity category, highest priority first, as Microsoft's guidance ranks them. */
export type Category = 'Optimize' | 'Allow' | 'Default';

/** Every service area, in display order (sections of the page, accepted-value lists). */
export const SERVICE_AREAS: readonly ServiceArea[] = [
  'Exchange',
  'SharePoint',
  'Skype',
  'MEM',
  'Common',
];

/**
 * Areas the web service leaves out of `/endpoints` unless `ServiceAreas` names them, as the live
 * service does with MEM. The same default applies to PAC files and exports.
 */
export const OPT_IN_SERVICE_AREAS: ReadonlySet<ServiceArea> = new Set<ServiceArea>(['MEM']);

/** The areas of a request without `ServiceAreas` (every area but the opt-in ones). */
export const DEFAULT_SERVICE_AREAS: readonly ServiceArea[] = SERVICE_AREAS.filter(
  (area) => !OPT_IN_SERVICE_AREAS.has(area),
);

/**
 * Areas rendered in Microsoft's generated endpoint table (`ipurl docs`): its generator has no
 * MEM section, so the table stays exactly its output.
 */
export const DOCS_TABLE_SERVICE_AREAS: readonly ServiceArea[] = DEFAULT_SERVICE_AREAS;

/**
 * Optimize > Allow > Default: when one address is in several sets, the first wins (Microsoft's
 * priority rule for an address or URL listed in sets of different categories).
 */
export const CATEGORIES: readonly Category[] = ['Optimize', 'Allow', 'Default'];

export interface EndpointSet {
  readonly id: number;
  readonly serviceArea: ServiceArea;
  readonly serviceAreaDisplayName: string;
  readonly urls?: readonly string[];
  readonly ips?: readonly string[];
  readonly tcpPorts?: string;
  readonly udpPorts?: string;
  readonly expressRoute: boolean;
  readonly category: Category;
  readonly required: boolean;
  readonly notes?: string;
}

/**
 * Members of an endpoint set in wire order; also the CSV columns (docs/api.md,
 * "GET /endpoints/{instance}").
 */
export const ENDPOINT_SET_MEMBERS = [
  'id',
  'serviceArea',
  'serviceAreaDisplayName',
  'urls',
  'ips',
  'tcpPorts',
  'udpPorts',
  'expressRoute',
  'category',
  'required',
  'notes',
] as const;

/** The literal placeholder for a tenant name inside stored URLs (docs/publishing.md). */
export const TENANT_PLACEHOLDER = '<tenant>';

export function isServiceArea(value: string): value is ServiceArea {
  return (SERVICE_AREAS as readonly string[]).includes(value);
}

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}

/** Canonical casing of a service area given in any case (ServiceAreas ignores case), or none. */
export function canonicalServiceArea(value: string): ServiceArea | undefined {
  const lower = value.toLowerCase();
  return SERVICE_AREAS.find((area) => area.toLowerCase() === lower);
}
