/**
 * The data unit of the web service: an endpoint set (SPEC §4.2), in publisher form.
 *
 * Publisher form = the wire JSON shape, except that tenant-specific URLs keep the literal
 * placeholder `<tenant>` (SPEC §11.9); the wire renders it as `*` or as the TenantName.
 * Optional members are kept exactly as published: `notes: ""` is real data and is echoed.
 */

/** API value of a service area (SPEC §1.2). */
export type ServiceArea = 'Exchange' | 'SharePoint' | 'Skype' | 'Common';

/** Connectivity category, highest priority first (SPEC §9). */
export type Category = 'Optimize' | 'Allow' | 'Default';

export const SERVICE_AREAS: readonly ServiceArea[] = ['Exchange', 'SharePoint', 'Skype', 'Common'];

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
