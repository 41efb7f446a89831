/**
 * Wire CSV of the three web methods (docs/api.md, "Common conventions"): RFC 4180, CRLF, a header
 * row, columns in JSON field order, booleans `True`/`False` (.NET's Boolean.ToString), list cells
 * joined with `,` and always quoted, empty values as empty fields.
 */
import { stringify } from 'csv-stringify/sync';
import {
  CHANGE_ATTRIBUTES,
  type ChangeAttributes,
  type ChangeRecord,
} from '../core/change-record.js';
import { ENDPOINT_SET_MEMBERS, type EndpointSet } from '../core/endpoint-set.js';
import type { VersionInfo } from './wire-json.js';

/** A list cell: comma-joined and quoted even with one element; an empty list is an empty field. */
class ListCell {
  constructor(readonly items: readonly string[] | undefined) {}
}

type Cell = string | number | boolean | ListCell | undefined;

function toCsv(header: readonly string[], rows: readonly Cell[][]): string {
  return stringify([[...header], ...rows], {
    record_delimiter: 'windows',
    cast: {
      boolean: (value) => (value ? 'True' : 'False'),
      // csv-stringify lets a cast return per-field options: quote the joined list.
      object: (value) =>
        value instanceof ListCell && value.items !== undefined && value.items.length > 0
          ? { value: value.items.join(','), quoted: true }
          : '',
    },
  });
}

/** CSV columns = the JSON members in wire order (docs/api.md, "GET /endpoints/{instance}"). */
export const ENDPOINTS_CSV_HEADER = ENDPOINT_SET_MEMBERS;

/** A set's cells, member by member in wire order; `urls` and `ips` are list cells. */
function endpointCells(set: EndpointSet): Cell[] {
  return ENDPOINTS_CSV_HEADER.map((member) =>
    member === 'urls' || member === 'ips' ? new ListCell(set[member]) : set[member],
  );
}

export function renderEndpointsCsv(sets: readonly EndpointSet[]): string {
  return toCsv(ENDPOINTS_CSV_HEADER, sets.map(endpointCells));
}

/**
 * `instance,latest` (docs/api.md, "GET /version"); with AllVersions a third column `versions`,
 * newest first.
 */
export function renderVersionCsv(infos: readonly VersionInfo[], allVersions: boolean): string {
  const header = allVersions ? ['instance', 'latest', 'versions'] : ['instance', 'latest'];
  return toCsv(
    header,
    infos.map((info) =>
      allVersions
        ? [info.instance, info.latest, new ListCell(info.versions ?? [])]
        : [info.instance, info.latest],
    ),
  );
}

const ATTRIBUTE_COLUMNS = [
  'ExpressRoute',
  'ServiceArea',
  'Category',
  'Required',
  'TcpPorts',
  'UdpPorts',
  'Notes',
] as const;

/** The flattened layout (our decision, docs/api.md, "GET /changes/{instance}/{version}"). */
export const CHANGES_CSV_HEADER: readonly string[] = [
  'id',
  'endpointSetId',
  'disposition',
  'version',
  'impact',
  ...ATTRIBUTE_COLUMNS.map((c) => `previous${c}`),
  ...ATTRIBUTE_COLUMNS.map((c) => `current${c}`),
  'addEffectiveDate',
  'addIps',
  'addUrls',
  'removeIps',
  'removeUrls',
];

/** The string booleans of previous/current ("true") become CSV booleans (`True`) too. */
function attributeCells(attributes: ChangeAttributes | undefined): Cell[] {
  return CHANGE_ATTRIBUTES.map((key) => {
    const value = attributes?.[key];
    if ((key === 'expressRoute' || key === 'required') && value !== undefined)
      return value === 'true';
    return value;
  });
}

export function renderChangesCsv(records: readonly ChangeRecord[]): string {
  return toCsv(
    CHANGES_CSV_HEADER,
    records.map((record) => [
      record.id,
      record.endpointSetId,
      record.disposition,
      record.version,
      record.impact,
      ...attributeCells(record.previous),
      ...attributeCells(record.current),
      record.add?.effectiveDate,
      new ListCell(record.add?.ips),
      new ListCell(record.add?.urls),
      new ListCell(record.remove?.ips),
      new ListCell(record.remove?.urls),
    ]),
  );
}
