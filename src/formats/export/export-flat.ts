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
  const unsupported = new UnsupportedCollector('csv', input.onUnsupported);
  return {
    files: [
      {
        name: `${checkName(input.name)}.csv`,
        mediaType: 'text/csv; charset=utf-8',
        description: 'flat rows, one per address',
        kinds: ['url', 'ipv4', 'ipv6'],
        content: `${lines.join('\r\n')}\r\n`,
      },
    ],
    summary: makeSummary('csv', input, rows, unsupported, { written: countKinds(rows) }),
  };
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
  const unsupported = new UnsupportedCollector('json', input.onUnsupported);
  return {
    files: [
      {
        name: `${checkName(input.name)}.json`,
        mediaType: 'application/json; charset=utf-8',
        description: 'flat rows, one per address',
        kinds: ['url', 'ipv4', 'ipv6'],
        content: `${safeJson(
          (input.labelled ?? []).length > 0
            ? rows.map((row) => ({ ...flatRow(row), origin: originCell(row) }))
            : rows.map(flatRow),
        )}\n`,
      },
    ],
    summary: makeSummary('json', input, rows, unsupported, { written: countKinds(rows) }),
  };
}
