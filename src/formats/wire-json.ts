/**
 * Wire JSON of the three web methods (docs/api.md), byte for byte in the style of the real service:
 * Json.NET's indented output (two spaces, CRLF, `"key": value`, no final newline), as seen in the
 * real `/endpoints/Worldwide` response (test/fixtures/wire). Key order and omission rules are those
 * docs/api.md lists; the renderers build ordered plain objects and one serializer writes them, so
 * order can never drift between formats.
 */
import {
  CHANGE_ATTRIBUTES,
  type ChangeAttributes,
  type ChangeRecord,
} from '../core/change-record.js';
import type { EndpointSet } from '../core/endpoint-set.js';
import type { VersionId } from '../core/version-id.js';

type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

const NEWLINE = '\r\n';

/** Json.NET `Formatting.Indented`: objects and non-empty arrays one member per line. */
export function stringifyIndented(value: JsonValue, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    if (items.length === 0) return '[]';
    return `[${NEWLINE}${items.map((item) => inner + stringifyIndented(item, inner)).join(`,${NEWLINE}`)}${NEWLINE}${indent}]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: JsonValue });
  if (entries.length === 0) return '{}';
  return `{${NEWLINE}${entries
    .map(([key, member]) => `${inner}${JSON.stringify(key)}: ${stringifyIndented(member, inner)}`)
    .join(`,${NEWLINE}`)}${NEWLINE}${indent}}`;
}

/**
 * One endpoint set in wire order (docs/api.md, "GET /endpoints/{instance}"): urls, ips omitted when
 * empty; port strings and notes echoed whenever stored (the live service sends `"udpPorts": ""` and
 * `"notes": ""`).
 */
export function endpointSetToWire(set: EndpointSet): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {
    id: set.id,
    serviceArea: set.serviceArea,
    serviceAreaDisplayName: set.serviceAreaDisplayName,
  };
  if (set.urls !== undefined && set.urls.length > 0) out.urls = set.urls;
  if (set.ips !== undefined && set.ips.length > 0) out.ips = set.ips;
  if (set.tcpPorts !== undefined) out.tcpPorts = set.tcpPorts;
  if (set.udpPorts !== undefined) out.udpPorts = set.udpPorts;
  out.expressRoute = set.expressRoute;
  out.category = set.category;
  out.required = set.required;
  if (set.notes !== undefined) out.notes = set.notes;
  return out;
}

export function renderEndpointsJson(sets: readonly EndpointSet[]): string {
  return stringifyIndented(sets.map(endpointSetToWire));
}

export interface VersionInfo {
  readonly instance: string;
  readonly latest: VersionId;
  /** Newest first, latest included (docs/api.md, "GET /version"); only with AllVersions. */
  readonly versions?: readonly VersionId[];
}

function versionToWire(info: VersionInfo): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = { instance: info.instance, latest: info.latest };
  if (info.versions !== undefined) out.versions = info.versions;
  return out;
}

/** `/version/{instance}` is one object, `/version` an array (docs/api.md, "GET /version"). */
export function renderVersionJson(info: VersionInfo | readonly VersionInfo[]): string {
  return stringifyIndented(
    Array.isArray(info)
      ? (info as readonly VersionInfo[]).map(versionToWire)
      : versionToWire(info as VersionInfo),
  );
}

function attributesToWire(attributes: ChangeAttributes): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const key of CHANGE_ATTRIBUTES) {
    const value = attributes[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function listsToWire(
  lists: { readonly ips?: readonly string[]; readonly urls?: readonly string[] },
  into: { [key: string]: JsonValue },
): void {
  if (lists.ips !== undefined && lists.ips.length > 0) into.ips = lists.ips;
  if (lists.urls !== undefined && lists.urls.length > 0) into.urls = lists.urls;
}

/** One change record in wire order (docs/api.md), optional members only when present. */
export function changeRecordToWire(record: ChangeRecord): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = { id: record.id, endpointSetId: record.endpointSetId };
  if (record.changeDescription !== undefined) out.changeDescription = record.changeDescription;
  out.disposition = record.disposition;
  out.version = record.version;
  if (record.impact !== undefined) out.impact = record.impact;
  if (record.previous !== undefined) out.previous = attributesToWire(record.previous);
  if (record.current !== undefined) out.current = attributesToWire(record.current);
  if (record.add !== undefined) {
    const add: { [key: string]: JsonValue } = { effectiveDate: record.add.effectiveDate };
    listsToWire(record.add, add);
    out.add = add;
  }
  if (record.remove !== undefined) {
    const remove: { [key: string]: JsonValue } = {};
    listsToWire(record.remove, remove);
    out.remove = remove;
  }
  return out;
}

/**
 * Each record's indented text, kept while the record object lives: `/changes` answers are
 * suffixes of one history read once per store revision, so a new suffix joins texts already
 * made instead of serializing the whole history again (a flood of distinct versions).
 */
const recordTexts = new WeakMap<ChangeRecord, string>();

export function renderChangesJson(records: readonly ChangeRecord[]): string {
  if (records.length === 0) return '[]';
  // Exactly stringifyIndented of the array: `[`, one indented record per line, `]`.
  const lines = records.map((record) => {
    let text = recordTexts.get(record);
    if (text === undefined) {
      text = `  ${stringifyIndented(changeRecordToWire(record), '  ')}`;
      recordTexts.set(record, text);
    }
    return text;
  });
  return `[${NEWLINE}${lines.join(`,${NEWLINE}`)}${NEWLINE}]`;
}
