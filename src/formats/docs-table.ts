/**
 * The generated endpoint table: the markdown include Microsoft's generator writes for
 * each instance and version, reproduced rule for rule so that a version's data renders to the
 * same bytes as Microsoft's file (apart from line endings and the "File generated" timestamp).
 *
 * Rules (derived from and checked against the real files in test/fixtures/tables):
 * - four HTML comment lines, a blank line, then one section per service area in the fixed order
 *   Exchange, SharePoint, Skype, MEM, Common (areas without sets are left out), separated by a blank line;
 * - a section: `## {serviceAreaDisplayName}`, blank line, header, separator, one row per set sorted
 *   by id;
 * - separator: five runs of `-`, each as long as the longest cell (header included) of its column;
 * - the tenant placeholder stays `<tenant>`; notes are emitted verbatim (they are markdown already).
 */
import { DOCS_TABLE_SERVICE_AREAS, type EndpointSet } from '../core/endpoint-set.js';
import type { VersionId } from '../core/version-id.js';

export interface DocsTableOptions {
  /**
   * The moment written in the `File generated` comment: a Date (rendered in UTC), or text already
   * in the generator's `yyyy-MM-dd HH:mm:ss.ffff` form, used verbatim (a Date has only
   * milliseconds, so reproducing a file's fourth fractional digit needs the text).
   */
  readonly generatedAt: Date | string;
  /** Line ending; Microsoft's files are mostly CRLF with stray LFs (not significant). Default LF. */
  readonly lineEnding?: '\n' | '\r\n';
}

const HEADER = ['ID', 'Category', 'ER', 'Addresses', 'Ports'] as const;

/** `yyyy-MM-dd HH:mm:ss.ffff` in UTC, the .NET custom format of the generator's comment. */
export function formatGeneratedAt(date: Date): string {
  const p = (n: number, width = 2): string => n.toString().padStart(width, '0');
  return (
    `${p(date.getUTCFullYear(), 4)}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())} ` +
    `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}.${p(date.getUTCMilliseconds() * 10, 4)}`
  );
}

/** The generator's timestamp form, e.g. `2025-04-30 00:32:12.4830`. */
export const GENERATED_AT_PATTERN = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{4}$/;

function generatedAtText(value: Date | string): string {
  if (typeof value !== 'string') return formatGeneratedAt(value);
  if (!GENERATED_AT_PATTERN.test(value)) {
    throw new RangeError(
      `generatedAt must be yyyy-MM-dd HH:mm:ss.ffff; received ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** .NET `String.CompareOrdinal` on UTF-16 code units: what the generator sorts port items with. */
function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One port list cell part. The generator splits on `,` without trimming and sorts the items
 * ordinally, so `"80,443"` → `443, 80` and `"143, 587, 993, 995"` → ` 587,  993,  995, 143`
 * (the items keep their leading space). The one exception seen in real files: a range comes after
 * the single ports (`5061, 50000-59999`, where ordinal order would put the range first), so ranges
 * are sorted among themselves and placed last.
 */
export function formatPortList(ports: string): string {
  const items = ports.split(',');
  const singles = items.filter((item) => !item.includes('-')).sort(compareOrdinal);
  const ranges = items.filter((item) => item.includes('-')).sort(compareOrdinal);
  return [...singles, ...ranges].join(', ');
}

/** The Ports cell: `**TCP:** …` and/or `**UDP:** …`, TCP first, joined with `<BR>`. */
export function formatPortsCell(set: Pick<EndpointSet, 'tcpPorts' | 'udpPorts'>): string {
  const parts: string[] = [];
  if (set.tcpPorts !== undefined && set.tcpPorts !== '')
    parts.push(`**TCP:** ${formatPortList(set.tcpPorts)}`);
  if (set.udpPorts !== undefined && set.udpPorts !== '')
    parts.push(`**UDP:** ${formatPortList(set.udpPorts)}`);
  return parts.join('<BR>');
}

/** The Category cell: category, Required/Optional, then `**Notes:**` when the set has notes. */
export function formatCategoryCell(
  set: Pick<EndpointSet, 'category' | 'required' | 'notes'>,
): string {
  let cell = `${set.category}<BR>${set.required ? 'Required' : 'Optional'}`;
  if (set.notes !== undefined && set.notes !== '') cell += `<BR>**Notes:** ${set.notes}`;
  return cell;
}

/** The Addresses cell: URLs in one backtick span, IPs in another, joined with `<BR>`. */
export function formatAddressesCell(set: Pick<EndpointSet, 'urls' | 'ips'>): string {
  const parts: string[] = [];
  if (set.urls !== undefined && set.urls.length > 0) parts.push(`\`${set.urls.join(', ')}\``);
  if (set.ips !== undefined && set.ips.length > 0) parts.push(`\`${set.ips.join(', ')}\``);
  return parts.join('<BR>');
}

/** The five cells of one row, in header order. */
export function formatRow(set: EndpointSet): readonly [string, string, string, string, string] {
  return [
    String(set.id),
    formatCategoryCell(set),
    set.expressRoute ? 'Yes' : 'No',
    formatAddressesCell(set),
    formatPortsCell(set),
  ];
}

/** Render one version of one instance as Microsoft's generated markdown include. */
export function renderDocsTable(
  instance: string,
  version: VersionId,
  sets: readonly EndpointSet[],
  options: DocsTableOptions,
): string {
  const lines: string[] = [
    '<!--THIS FILE IS AUTOMATICALLY GENERATED. MANUAL CHANGES WILL BE OVERWRITTEN.-->',
    '<!--Please contact the Office 365 Endpoints team with any questions.-->',
    `<!--${instance} endpoints version ${version}-->`,
    `<!--File generated ${generatedAtText(options.generatedAt)}-->`,
  ];
  // Microsoft's generator has no MEM section: MEM sets are not part of the table.
  for (const area of DOCS_TABLE_SERVICE_AREAS) {
    const inArea = sets.filter((set) => set.serviceArea === area).sort((a, b) => a.id - b.id);
    const first = inArea[0];
    if (first === undefined) continue;
    const rows = inArea.map(formatRow);
    const widths = HEADER.map((title, column) =>
      rows.reduce((max, row) => Math.max(max, row[column]?.length ?? 0), title.length),
    );
    lines.push('', `## ${first.serviceAreaDisplayName}`, '', HEADER.join(' | '));
    lines.push(widths.map((width) => '-'.repeat(width)).join(' | '));
    for (const row of rows) lines.push(row.join(' | '));
  }
  const eol = options.lineEnding ?? '\n';
  return lines.join(eol) + eol;
}
