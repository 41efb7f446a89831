/**
 * Change records (docs/api.md, "GET /changes/{instance}/{version}"): what one published version
 * changed in one endpoint set. Field order of the wire form: id, endpointSetId,
 * [changeDescription], disposition, version, impact, previous, current, add, remove.
 */
import type { VersionId } from './version-id.js';

export type Disposition = 'Add' | 'Change' | 'Remove';

/** The impact enum, in the exact spelling of Microsoft's service. */
export type Impact =
  | 'AddedIp'
  | 'AddedUrl'
  | 'AddedIpAndUrl'
  | 'AddedSubstituteUrl'
  | 'RemovedIpOrUrl'
  | 'ChangedIsExpressRoute'
  | 'MovedIpOrUrl'
  | 'RemovedDuplicateIpOrUrl'
  | 'OtherNonPriorityChanges';

export const IMPACTS: readonly Impact[] = [
  'AddedIp',
  'AddedUrl',
  'AddedIpAndUrl',
  'AddedSubstituteUrl',
  'RemovedIpOrUrl',
  'ChangedIsExpressRoute',
  'MovedIpOrUrl',
  'RemovedDuplicateIpOrUrl',
  'OtherNonPriorityChanges',
];

/** Versions before this one carry no `impact` (docs/api.md: "from 2018112800"). */
export const FIRST_VERSION_WITH_IMPACT: VersionId = '2018112800';

/**
 * Scalar attributes in `previous`/`current`, in wire order. Real output encodes the two booleans
 * as the strings "true"/"false" (docs/api.md).
 */
export interface ChangeAttributes {
  readonly expressRoute?: 'true' | 'false';
  readonly serviceArea?: string;
  readonly category?: string;
  readonly required?: 'true' | 'false';
  readonly tcpPorts?: string;
  readonly udpPorts?: string;
  readonly notes?: string;
}

/** The members of `previous`/`current`, in their wire order. */
export const CHANGE_ATTRIBUTES: readonly (keyof ChangeAttributes)[] = [
  'expressRoute',
  'serviceArea',
  'category',
  'required',
  'tcpPorts',
  'udpPorts',
  'notes',
];

export interface ChangeAdd {
  /** `YYYYMMDD`: when the additions go live. */
  readonly effectiveDate: string;
  readonly ips?: readonly string[];
  readonly urls?: readonly string[];
}

export interface ChangeRemove {
  readonly ips?: readonly string[];
  readonly urls?: readonly string[];
}

export interface ChangeRecord {
  /** Unique and increasing per instance, never reused (docs/publishing.md, "Decisions"). */
  readonly id: number;
  readonly endpointSetId: number;
  /** Legacy preview-era free text; emitted only when stored. */
  readonly changeDescription?: string;
  readonly disposition: Disposition;
  readonly version: VersionId;
  readonly impact?: Impact;
  readonly previous?: ChangeAttributes;
  readonly current?: ChangeAttributes;
  readonly add?: ChangeAdd;
  readonly remove?: ChangeRemove;
}

/** A change record before the store gives it an id (a mirror passes the upstream's id). */
export type ChangeDraft = Omit<ChangeRecord, 'id'> & { readonly id?: number };
