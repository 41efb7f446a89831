/**
 * The readable form of `ipurl diff`: the change records between two versions (docs/api.md,
 * "GET /changes/{instance}/{version}") as a summary line and a table, one block per endpoint set,
 * additions marked `+`, removals `-`, attribute changes as `name: old → new`. Pure: data in, text
 * out.
 */
import { countChanges } from '../core/change-counts.js';
import type { ChangeDraft } from '../core/change-record.js';

export interface DiffTableInput {
  readonly instance: string;
  readonly from: string;
  readonly to: string;
  readonly changes: readonly ChangeDraft[];
  /** `serviceArea/category` of each set id (from the newer version, else the older). */
  readonly setLabels?: ReadonlyMap<number, string>;
}

export interface DiffCounts {
  readonly sets: number;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly ipsAdded: number;
  readonly ipsRemoved: number;
  readonly urlsAdded: number;
  readonly urlsRemoved: number;
}

export function countDiff(changes: readonly ChangeDraft[]): DiffCounts {
  const counts = countChanges(changes);
  return {
    sets: new Set(changes.map((c) => c.endpointSetId)).size,
    added: counts.add,
    changed: counts.change,
    removed: counts.remove,
    ipsAdded: counts.ipsAdded,
    ipsRemoved: counts.ipsRemoved,
    urlsAdded: counts.urlsAdded,
    urlsRemoved: counts.urlsRemoved,
  };
}

export function renderDiffTable(input: DiffTableInput): string {
  const n = countDiff(input.changes);
  const lines: string[] = [];
  lines.push(
    `${input.instance} ${input.from} → ${input.to}: ${n.sets} set${n.sets === 1 ? '' : 's'} changed (${n.added} added, ${n.changed} changed, ${n.removed} removed); IPs +${n.ipsAdded} -${n.ipsRemoved}, URLs +${n.urlsAdded} -${n.urlsRemoved}`,
  );
  if (input.changes.length === 0) return `${lines[0]!}\n`;
  const rows: Array<[string, string, string, string, string]> = [];
  for (const c of input.changes) {
    const attrs = c.current ?? {};
    const area = attrs.serviceArea ?? c.previous?.serviceArea ?? '';
    const category = attrs.category ?? c.previous?.category ?? '';
    const details: string[] = [];
    if (c.disposition === 'Change') {
      for (const [key, value] of Object.entries(attrs)) {
        const old = (c.previous as Record<string, string | undefined> | undefined)?.[key];
        details.push(
          `${key}: ${old === undefined || old === '' ? '(none)' : old} → ${value === '' ? '(none)' : value}`,
        );
      }
    }
    for (const ip of c.add?.ips ?? []) details.push(`+ ${ip}`);
    for (const url of c.add?.urls ?? []) details.push(`+ ${url}`);
    for (const ip of c.remove?.ips ?? []) details.push(`- ${ip}`);
    for (const url of c.remove?.urls ?? []) details.push(`- ${url}`);
    const where =
      input.setLabels?.get(c.endpointSetId) ?? [area, category].filter((x) => x !== '').join('/');
    details.forEach((detail, i) => {
      rows.push(
        i === 0
          ? [String(c.endpointSetId), c.disposition, c.impact ?? '', where, detail]
          : ['', '', '', '', detail],
      );
    });
    if (details.length === 0)
      rows.push([String(c.endpointSetId), c.disposition, c.impact ?? '', where, '']);
  }
  const header: [string, string, string, string, string] = [
    'set',
    'change',
    'impact',
    'area/category',
    'details',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]) =>
    r
      .map((cell, i) =>
        i === 0 ? cell.padStart(widths[0]!) : i === r.length - 1 ? cell : cell.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  lines.push(
    '',
    fmt(header),
    fmt(widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? Math.min(w, 40) : w))),
  );
  for (const row of rows) lines.push(fmt(row));
  return `${lines.join('\n')}\n`;
}
