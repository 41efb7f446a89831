/**
 * Terminal tables of an instance's history: `ipurl versions` (one row per version) and
 * `ipurl changes` (one row per change record). Plain text, fixed-width columns, no colour (the
 * output is often piped into a ticket or a mail); counts follow the RSS sentence (docs/api.md,
 * "GET /version") so a person sees the same figures as a feed reader.
 */
import { countChanges } from '../core/change-counts.js';
import { CHANGE_ATTRIBUTES, type ChangeRecord } from '../core/change-record.js';

export type Align = 'left' | 'right';

export interface Column {
  readonly header: string;
  readonly align?: Align;
}

/** A fixed-width table: header, a rule under it, one line per row; trailing spaces trimmed. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return (
    [
      line(columns.map((c) => c.header)),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map(line),
    ].join('\n') + '\n'
  );
}

export interface VersionRow {
  readonly version: string;
  /** ISO timestamp the store received it. */
  readonly publishedAt: string;
  readonly setCount: number;
  readonly records: readonly Pick<ChangeRecord, 'disposition' | 'add' | 'remove'>[];
  /** Sanity-policy rules the publisher relaxed for the version. */
  readonly relaxedRules?: readonly string[];
}

/** `ipurl versions`: newest first, as given. */
export function renderVersionsTable(
  instance: string,
  rows: readonly VersionRow[],
  options: { retired?: boolean } = {},
): string {
  if (rows.length === 0) return `${instance}: no versions\n`;
  // The RELAXED column (sanity rules relaxed by the publisher) appears only when a version has one.
  const relaxed = rows.some((row) => (row.relaxedRules ?? []).length > 0);
  const body = rows.map((row) => {
    const t = countChanges(row.records);
    return [
      row.version,
      row.publishedAt.slice(0, 16).replace('T', ' ') + 'Z',
      String(row.setCount),
      String(row.records.length),
      `${t.add}/${t.change}/${t.remove}`,
      `+${t.ipsAdded} -${t.ipsRemoved}`,
      `+${t.urlsAdded} -${t.urlsRemoved}`,
      ...(relaxed ? [(row.relaxedRules ?? []).join(',') || '-'] : []),
    ];
  });
  const title = `${instance}${options.retired === true ? ' (retired)' : ''}: ${rows.length} version${rows.length === 1 ? '' : 's'}, latest ${rows[0]?.version ?? ''}\n\n`;
  return (
    title +
    renderTable(
      [
        { header: 'VERSION' },
        { header: 'PUBLISHED (UTC)' },
        { header: 'SETS', align: 'right' },
        { header: 'RECORDS', align: 'right' },
        { header: 'ADD/CHG/REM', align: 'right' },
        { header: 'IPS', align: 'right' },
        { header: 'URLS', align: 'right' },
        ...(relaxed ? [{ header: 'RELAXED' }] : []),
      ],
      body,
    )
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function listCount(ips: number, urls: number): string {
  const parts: string[] = [];
  if (ips > 0) parts.push(`${ips} IP${ips === 1 ? '' : 's'}`);
  if (urls > 0) parts.push(`${urls} URL${urls === 1 ? '' : 's'}`);
  return parts.join(', ') || '-';
}

/** Which scalar attributes a Change record changed (previous → current), e.g. `expressRoute, notes`. */
function changedAttributes(record: ChangeRecord): string {
  if (record.disposition !== 'Change') return '';
  const keys = CHANGE_ATTRIBUTES.filter(
    (key) => record.previous?.[key] !== undefined || record.current?.[key] !== undefined,
  );
  return keys.join(', ');
}

/** Which records a changes table shows: as `/changes` (after a version) or `singleVersion`. */
export type ChangesScope = { readonly after: string } | { readonly version: string };

/** `ipurl changes`: one row per record, ordered as given (version, then id, as /changes does). */
export function renderChangesTable(
  instance: string,
  records: readonly ChangeRecord[],
  scope: ChangesScope,
): string {
  const where =
    'version' in scope
      ? `in version ${scope.version}`
      : scope.after === '0000000000'
        ? ''
        : ` after ${scope.after}`;
  if (records.length === 0)
    return `${instance}: no change records ${'version' in scope ? where : `in any version${where}`}\n`;
  const versions = new Set(records.map((r) => r.version));
  const title =
    'version' in scope
      ? `${instance}: ${plural(records.length, 'change record')} ${where}\n\n`
      : `${instance}: ${plural(records.length, 'change record')} in ${plural(versions.size, 'version')}${where}\n\n`;
  return (
    title +
    renderTable(
      [
        { header: 'VERSION' },
        { header: 'ID', align: 'right' },
        { header: 'SET', align: 'right' },
        { header: 'DISPOSITION' },
        { header: 'IMPACT' },
        { header: 'EFFECTIVE' },
        { header: 'ADDED' },
        { header: 'REMOVED' },
        { header: 'ATTRIBUTES' },
      ],
      records.map((r) => [
        r.version,
        String(r.id),
        String(r.endpointSetId),
        r.disposition,
        r.impact ?? '-',
        r.add?.effectiveDate ?? '-',
        listCount(r.add?.ips?.length ?? 0, r.add?.urls?.length ?? 0),
        listCount(r.remove?.ips?.length ?? 0, r.remove?.urls?.length ?? 0),
        changedAttributes(r),
      ]),
    )
  );
}
