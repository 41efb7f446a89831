/**
 * The data unit of the web service: an endpoint set (SPEC §4.2), in publisher form.
 *
 * Publisher form = the wire JSON shape, except that tenant-specific URLs keep the literal
 * placeholder `<tenant>` (SPEC §11.9); the wire renders it as `*` or as the TenantName.
 * Optional members are kept exactly as published: `notes: ""` is real data and is echoed.
 */

/**
 * API value of a service area. MEM (Microsoft Intune / Endpoint Manager, display name
 * "Microsoft Endpoint Manager") is the live service's fifth area, returned only when asked for.
 */
export type ServiceArea = 'Exchange' | 'SharePoint' | 'Skype' | 'MEM' | 'Common';

/** Connectivity category, highest priority first (SPEC §9). */
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

/** Optimize > Allow > Default: when one address is in several sets, the first wins (SPEC §9). */
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

/** Members of an endpoint set in wire order (SPEC §4.2); also the CSV columns (SPEC §4.6). */
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

/** The literal placeholder for a tenant name inside stored URLs (SPEC §11.9). */
export const TENANT_PLACEHOLDER = '<tenant>';

export function isServiceArea(value: string): value is ServiceArea {
  return (SERVICE_AREAS as readonly string[]).includes(value);
}

export function isCategory(value: string): value is Category {
  return (CATEGORIES as readonly string[]).includes(value);
}

/** Canonical casing of a service area given in any case, or undefined (SPEC §4.1: case-insensitive). */
export function canonicalServiceArea(value: string): ServiceArea | undefined {
  const lower = value.toLowerCase();
  return SERVICE_AREAS.find((area) => area.toLowerCase() === lower);
}
