/**
 * The publish plan for a person to review (`ipurl publish --dry-run`, and the summary after a
 * real publish): the new version id, the counts, then every change record grouped by disposition
 * (Add, Change, Remove), each with its impact, set id, changed attributes and every IP and URL it
 * adds or removes. Nothing is elided unless the caller caps the lists.
 */
import { countChanges } from '../core/change-counts.js';
import { CHANGE_ATTRIBUTES, type ChangeDraft, type Disposition } from '../core/change-record.js';

/** What the renderer needs of a plan (service/publish.ts PublishPlan has these members). */
export interface PlanView {
  readonly instance: string;
  readonly newInstance: boolean;
  readonly previousVersion: string | null;
  readonly version: string;
  readonly effectiveDate: string;
  readonly unchanged: boolean;
  readonly setCount: number;
  readonly previousSetCount: number;
  readonly changes: readonly ChangeDraft[];
}

export interface PlanTextOptions {
  /** Header wording: a dry run says "would", a publish says what it did. */
  readonly mode: 'dry-run' | 'published';
  /** Most IPs/URLs listed per record and list (default: all). */
  readonly maxItems?: number;
}

const GROUPS: readonly Disposition[] = ['Add', 'Change', 'Remove'];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function show(value: string | undefined): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}

function listLines(
  sign: '+' | '-',
  kind: 'ip ' | 'url',
  items: readonly string[] | undefined,
  max: number,
): string[] {
  if (!items || items.length === 0) return [];
  const shown = items.slice(0, max).map((item) => `      ${sign} ${kind} ${item}`);
  if (items.length > max) shown.push(`      ${sign} ${kind} … and ${items.length - max} more`);
  return shown;
}

function recordLines(record: ChangeDraft, max: number): string[] {
  const lines = [
    `  set ${record.endpointSetId}  ${record.impact ?? '(no impact before 2018112800)'}`,
  ];
  if (record.disposition === 'Add' && record.current) {
    const c = record.current;
    const summary = [
      c.serviceArea,
      c.category,
      c.required === undefined ? undefined : c.required === 'true' ? 'required' : 'optional',
      c.expressRoute === 'true' ? 'ExpressRoute' : undefined,
      c.tcpPorts ? `TCP ${c.tcpPorts}` : undefined,
      c.udpPorts ? `UDP ${c.udpPorts}` : undefined,
    ].filter((part) => part !== undefined && part !== '');
    lines.push(`      ${summary.join(', ')}`);
    if (c.notes) lines.push(`      notes: ${show(c.notes)}`);
  } else if (record.disposition === 'Change') {
    for (const key of CHANGE_ATTRIBUTES) {
      const before = record.previous?.[key];
      const after = record.current?.[key];
      if (before === undefined && after === undefined) continue;
      lines.push(`      ${key}: ${show(before)} → ${show(after)}`);
    }
  } else if (record.disposition === 'Remove' && record.previous) {
    const p = record.previous;
    lines.push(`      was ${[p.serviceArea, p.category].filter(Boolean).join(', ')}`);
  }
  if (record.add && ((record.add.ips?.length ?? 0) > 0 || (record.add.urls?.length ?? 0) > 0)) {
    lines.push(`      additions effective ${record.add.effectiveDate}`);
  }
  lines.push(...listLines('+', 'ip ', record.add?.ips, max));
  lines.push(...listLines('+', 'url', record.add?.urls, max));
  lines.push(...listLines('-', 'ip ', record.remove?.ips, max));
  lines.push(...listLines('-', 'url', record.remove?.urls, max));
  return lines;
}

export function renderPlanText(plan: PlanView, options: PlanTextOptions): string {
  const dry = options.mode === 'dry-run';
  const max = options.maxItems ?? Number.POSITIVE_INFINITY;
  if (plan.unchanged) {
    return (
      `No change: ${plan.instance} ${plan.previousVersion ?? ''} already holds exactly this data ` +
      `(${plural(plan.setCount, 'endpoint set')}); ${dry ? 'publishing it would do nothing' : 'nothing was published'}.\n`
    );
  }
  const out: string[] = [];
  const after = plan.newInstance
    ? 'the first version of a new instance'
    : `after ${plan.previousVersion ?? ''}`;
  out.push(`${dry ? 'Plan (dry run)' : 'Published'}: ${plan.instance} ${plan.version}, ${after}`);
  out.push(`  endpoint sets:  ${plan.previousSetCount} → ${plan.setCount}`);
  const { add, change, remove, ipsAdded, ipsRemoved, urlsAdded, urlsRemoved } = countChanges(
    plan.changes,
  );
  out.push(
    `  change records: ${plan.changes.length} (${add} Add, ${change} Change, ${remove} Remove)`,
  );
  out.push(`  IPs:            +${ipsAdded} -${ipsRemoved}`);
  out.push(`  URLs:           +${urlsAdded} -${urlsRemoved}`);
  out.push(`  additions effective ${plan.effectiveDate}; removals take effect at once`);
  if (plan.changes.length === 0) {
    out.push(
      '',
      'No change record: only display names differ from the latest version (change records do not carry them; docs/publishing.md).',
    );
  }
  for (const disposition of GROUPS) {
    const group = plan.changes.filter((r) => r.disposition === disposition);
    if (group.length === 0) continue;
    out.push('', `${disposition} (${group.length})`);
    for (const record of group) out.push(...recordLines(record, max));
  }
  out.push(
    '',
    dry ? 'Dry run: nothing was stored.' : `Stored as ${plan.instance} ${plan.version}.`,
  );
  return out.join('\n') + '\n';
}
