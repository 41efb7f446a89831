/**
 * `csv` and `json`: flat rows, one per (set, address), for pipelines and spreadsheets: set id,
 * service area, category, required, expressRoute, ports, kind (`url`/`ipv4`/`ipv6`), value and
 * notes. Rows are not aggregated (each keeps its set id); values are written as published
 * (tenant placeholder rendered), escaped for the format rather than refused:
 * - CSV: RFC 4180 (CRLF, every field quoted when it holds `"` `,` CR or LF, quotes doubled);
 *   a text cell starting with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'` so a spreadsheet
 *   shows it as text instead of running it as a formula (OWASP "CSV Injection").
 * - JSON: JSON.stringify, with `<`, `>`, `&`, U+2028 and U+2029 written as \u escapes, so the
 *   document can also be embedded in HTML `<script>` without ending it.
 */
import { originText } from '../../core/device-entry.js';
import { buildRows, checkName, countKinds } from './export-model.js';
import { UnsupportedCollector, makeSummary } from './export-model.js';
import type { ExportInput, ExportResult, ExportRow } from './export-types.js';

export const FLAT_COLUMNS = [
  'setId',
  'serviceArea',
  'category',
  'required',
  'expressRoute',
  'tcpPorts',
  'udpPorts',
  'kind',
  'value',
  'notes',
] as const;

/** A spreadsheet would evaluate a cell starting with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function flatRow(
  row: ExportRow,
): Record<(typeof FLAT_COLUMNS)[number], string | number | boolean | null> {
  return {
    setId: row.setId,
    serviceArea: row.serviceArea,
    category: row.category,
    required: row.required,
    expressRoute: row.expressRoute,
    tcpPorts: row.tcpPorts ?? null,
    udpPorts: row.udpPorts ?? null,
    kind: row.kind,
    value: row.value,
    notes: row.notes ?? null,
  };
}

/**
 * With labelled entries (observed, grace, local) a last column / member `origin` says where each
 * row came from (empty / null for Microsoft's published data); without them the columns are
 * exactly FLAT_COLUMNS.
 */
function originCell(row: ExportRow): string | null {
  return row.origin === undefined ? null : originText(row.origin);
}

/**
 * The one file of a flat target and its summary: every row written as it is, nothing left out
 * (values are escaped for the format, never refused).
 */
function flatResult(
  target: 'csv' | 'json',
  input: ExportInput,
  rows: readonly ExportRow[],
  mediaType: string,
  content: string,
): ExportResult {
  const unsupported = new UnsupportedCollector(target, input.onUnsupported);
  return {
    files: [
      {
        name: `${checkName(input.name)}.${target}`,
        mediaType,
        description: 'flat rows, one per address',
        kinds: ['url', 'ipv4', 'ipv6'],
        content,
      },
    ],
    summary: makeSummary(target, input, rows, unsupported, { written: countKinds(rows) }),
  };
}

export function renderCsv(input: ExportInput): ExportResult {
  const rows = buildRows(input.sets, input.labelled);
  const labelled = (input.labelled ?? []).length > 0;
  const lines = [[...FLAT_COLUMNS, ...(labelled ? ['origin'] : [])].join(',')];
  for (const row of rows) {
    const flat = flatRow(row);
    const cells = FLAT_COLUMNS.map((column) => {
      const value = flat[column];
      return value === null ? '' : csvCell(String(value));
    });
    if (labelled) cells.push(csvCell(originCell(row) ?? ''));
    lines.push(cells.join(','));
  }
  return flatResult('csv', input, rows, 'text/csv; charset=utf-8', `${lines.join('\r\n')}\r\n`);
}

/** JSON safe to embed in HTML and in JavaScript source. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function renderJson(input: ExportInput): ExportResult {
  const rows = buildRows(input.sets, input.labelled);
  const flat =
    (input.labelled ?? []).length > 0
      ? rows.map((row) => ({ ...flatRow(row), origin: originCell(row) }))
      : rows.map(flatRow);
  return flatResult('json', input, rows, 'application/json; charset=utf-8', `${safeJson(flat)}\n`);
}
