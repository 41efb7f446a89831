/**
 * What every export target shares: flat rows from sets, strict checks of what may reach a device
 * file, host-pattern classification, CIDR buckets with aggregation, the unsupported-pattern
 * policy and the summary / header comment.
 *
 * Safety rule (issue 4, "hostile data must not break out of any format"): device formats only
 * ever write (a) host patterns matching `[a-z0-9.*-]` with dot-separated non-empty labels,
 * (b) prefixes re-rendered from their parsed numeric value, (c) ports re-rendered from parsed
 * numbers and (d) text this module generates (category names, set ids, counts). Notes are never
 * written into a device format. Anything else is an unsupported entry under the caller's policy.
 */
import { aggregateCidrs } from '../../core/cidr-aggregate.js';
import { compareCidrs, safeParseCidr, type Cidr, type IpFamily } from '../../core/cidr.js';
import { CATEGORIES, type Category, type EndpointSet } from '../../core/endpoint-set.js';
import { IpurlError, ValidationError, describeValue, type Issue } from '../../core/errors.js';
import { safeParsePortList, type PortList } from '../../core/port-list.js';
import {
  capBucket,
  capacityLines,
  mergeAcrossPorts,
  type BucketAcc,
  type CapacityBucket,
  type CapacityReport,
} from './export-capacity.js';
import type {
  BucketMerge,
  EntryKind,
  ExportInput,
  ExportRow,
  ExportSummary,
  TargetName,
  UnsupportedEntry,
} from './export-types.js';

/** Every row of the selection, set by set, URLs first then IPs, in published order. */
export function buildRows(sets: readonly EndpointSet[]): ExportRow[] {
  const rows: ExportRow[] = [];
  for (const set of sets) {
    const base = {
      setId: set.id,
      serviceArea: set.serviceArea,
      category: set.category,
      required: set.required,
      expressRoute: set.expressRoute,
      ...(set.tcpPorts !== undefined ? { tcpPorts: set.tcpPorts } : {}),
      ...(set.udpPorts !== undefined ? { udpPorts: set.udpPorts } : {}),
      ...(set.notes !== undefined ? { notes: set.notes } : {}),
    };
    for (const url of set.urls ?? []) rows.push({ ...base, kind: 'url', value: url });
    for (const ip of set.ips ?? []) {
      rows.push({ ...base, kind: ip.includes(':') ? 'ipv6' : 'ipv4', value: ip });
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Host patterns

export type HostShape =
  /** No wildcard: `outlook.office.com`. */
  | { readonly shape: 'exact'; readonly host: string }
  /** `*.` followed by a wildcard-free domain: `*.office.com` (base `office.com`). */
  | { readonly shape: 'suffix'; readonly host: string; readonly base: string }
  /** A wildcard anywhere else: `*cdn.onenote.net`, `autodiscover.*.onmicrosoft.com`. */
  | { readonly shape: 'glob'; readonly host: string };

const HOST_CHARS = /^[a-z0-9.*-]+$/;

/**
 * Classify a (tenant-rendered) host pattern, or say why no device format may carry it. Real data
 * only holds `[a-z0-9.*-]` (plus `<tenant>`, rendered before this point); anything else (quotes,
 * spaces, newlines, `;`, `<`, `/`) is refused here, so no renderer needs its own escaping.
 */
export function classifyHost(
  value: string,
): HostShape | { readonly shape: 'invalid'; readonly reason: string } {
  const host = value.toLowerCase();
  if (host.length === 0 || host.length > 253) {
    return { shape: 'invalid', reason: 'a host pattern must be 1–253 characters' };
  }
  if (!HOST_CHARS.test(host)) {
    return {
      shape: 'invalid',
      reason: 'device formats accept host patterns of letters, digits, ".", "-" and "*" only',
    };
  }
  if (host.split('.').some((label) => label.length === 0 || label.length > 63)) {
    return { shape: 'invalid', reason: 'empty or over-long label (each label is 1–63 characters)' };
  }
  if (!host.includes('*')) return { shape: 'exact', host };
  if (host.startsWith('*.') && !host.slice(2).includes('*')) {
    return { shape: 'suffix', host, base: host.slice(2) };
  }
  return { shape: 'glob', host };
}

// ---------------------------------------------------------------------------------------------
// The unsupported-pattern policy

/**
 * Collects what a renderer cannot write. Renderers never throw for it: they leave the entry out
 * and record it, and the caller (service/export.ts) applies the policy to the entries that
 * concern the files actually requested (asking for `ipv4.txt` must not fail on a URL).
 */
export class UnsupportedCollector {
  readonly entries: UnsupportedEntry[] = [];

  constructor(
    readonly target: TargetName,
    readonly policy: ExportInput['onUnsupported'],
  ) {}

  add(entry: UnsupportedEntry): void {
    this.entries.push(entry);
  }
}

/** The ERR_UNSUPPORTED_PATTERN error of policy `error`, listing every entry. */
export function unsupportedError(
  target: TargetName,
  entries: readonly UnsupportedEntry[],
): ValidationError {
  const issues: Issue[] = entries.map((entry) => ({
    path: entry.kind,
    value: JSON.stringify(describeValue(entry.value)),
    reason: entry.reason,
    setId: entry.setId,
  }));
  const list = entries
    .slice(0, 10)
    .map((e) => `set ${e.setId} ${JSON.stringify(describeValue(e.value, 80))} (${e.reason})`)
    .join('; ');
  const more = entries.length > 10 ? `; and ${entries.length - 10} more` : '';
  return new ValidationError(
    issues,
    `target ${target} cannot express ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} of the selection: ${list}${more}. ` +
      'Nothing was written. Leave them out explicitly with --on-unsupported warn|skip (?onUnsupported=warn|skip), ' +
      'give a tenant name (tenant-specific patterns then have no wildcard), or narrow the selection.',
    'ERR_UNSUPPORTED_PATTERN',
  );
}

// ---------------------------------------------------------------------------------------------
// Ports

/** Parsed ports of a row; a malformed list is recorded as unsupported (undefined = unusable). */
export function rowPorts(
  row: ExportRow,
  unsupported: UnsupportedCollector,
): { tcp?: PortList; udp?: PortList } | undefined {
  const out: { tcp?: PortList; udp?: PortList } = {};
  for (const [proto, text] of [
    ['tcp', row.tcpPorts],
    ['udp', row.udpPorts],
  ] as const) {
    if (text === undefined || text === '') continue; // "udpPorts": "" (live data): no ports
    const parsed = safeParsePortList(text);
    if (!parsed.ok) {
      unsupported.add({ setId: row.setId, kind: 'ports', value: text, reason: parsed.reason });
      return undefined;
    }
    out[proto] = parsed.value;
  }
  return out;
}

/** Ports re-rendered from numbers: `80,443`, `50000-59999` (hyphen ranges). */
export function portsText(list: PortList | undefined): string {
  if (list === undefined) return '';
  return list.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',');
}

// ---------------------------------------------------------------------------------------------
// IP buckets

export interface IpBucket {
  readonly category: Category;
  readonly family: IpFamily;
  readonly tcp?: PortList;
  readonly udp?: PortList;
  /** `Optimize IPv4 tcp 80,443 udp 443`: generated text, used in comments and merge reports. */
  readonly label: string;
  readonly setIds: readonly number[];
  readonly prefixes: readonly Cidr[];
  /** Input entries before aggregation. */
  readonly inputs: number;
}

export interface BucketOptions {
  readonly aggregate: boolean;
  readonly families?: readonly IpFamily[];
  /** Capacity cap per bucket (export-capacity.ts). */
  readonly maxEntries?: number;
  readonly mergeAcrossPorts?: boolean;
}

/** The bucket options an export input asks for. */
export function bucketOptions(input: ExportInput): BucketOptions {
  return {
    aggregate: input.aggregate,
    ...(input.maxEntries !== undefined ? { maxEntries: input.maxEntries } : {}),
    ...(input.mergeAcrossPorts === true ? { mergeAcrossPorts: true } : {}),
  };
}

/**
 * Group the IP rows into (category, ports, family) buckets and aggregate within each one only
 * (issue 4; SPEC §9 keeps categories apart). Order: category priority, family, ports text.
 * Unparseable prefixes are unsupported entries.
 */
export function bucketIps(
  rows: readonly ExportRow[],
  options: BucketOptions,
  unsupported: UnsupportedCollector,
): { buckets: IpBucket[]; merges: BucketMerge[]; capacity?: CapacityReport } {
  const accs = new Map<string, BucketAcc>();
  for (const row of rows) {
    if (row.kind === 'url') continue;
    const family: IpFamily = row.kind === 'ipv4' ? 4 : 6;
    if (options.families !== undefined && !options.families.includes(family)) continue;
    const parsed = safeParseCidr(row.value);
    if (!parsed.ok || parsed.value.family !== family) {
      unsupported.add({
        setId: row.setId,
        kind: row.kind,
        value: row.value,
        reason: parsed.ok ? 'address family does not match' : parsed.reason,
      });
      continue;
    }
    const ports = rowPorts(row, unsupported);
    if (ports === undefined) continue;
    const portLabel = [
      ports.tcp === undefined ? '' : `tcp ${portsText(ports.tcp)}`,
      ports.udp === undefined ? '' : `udp ${portsText(ports.udp)}`,
    ]
      .filter((part) => part !== '')
      .join(' ');
    const label = `${row.category} IPv${family}${portLabel === '' ? ' any port' : ` ${portLabel}`}`;
    let acc = accs.get(label);
    if (acc === undefined) {
      acc = { category: row.category, family, label, setIds: new Set(), cidrs: [] };
      if (ports.tcp !== undefined) acc.tcp = ports.tcp;
      if (ports.udp !== undefined) acc.udp = ports.udp;
      accs.set(label, acc);
    }
    acc.setIds.add(row.setId);
    acc.cidrs.push(parsed.value);
  }
  const buckets: IpBucket[] = [];
  const merges: BucketMerge[] = [];
  const united =
    options.mergeAcrossPorts === true
      ? mergeAcrossPorts(accs.values())
      : { accs: [...accs.values()], portMerges: [] };
  const capped: CapacityBucket[] = [];
  const ordered = united.accs.sort(
    (a, b) =>
      CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) ||
      a.family - b.family ||
      (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
  );
  for (const acc of ordered) {
    let prefixes: readonly Cidr[];
    if (options.aggregate) {
      const result = aggregateCidrs(acc.cidrs);
      const cap =
        options.maxEntries === undefined
          ? undefined
          : capBucket(acc.label, acc.family, result.prefixes, options.maxEntries);
      if (cap?.report !== undefined) capped.push(cap.report);
      prefixes = cap?.prefixes ?? result.prefixes;
      for (const merge of result.merges)
        merges.push({ ...merge, bucket: acc.label, family: acc.family });
    } else {
      prefixes = dedupe(acc.cidrs);
    }
    buckets.push({
      category: acc.category,
      family: acc.family,
      ...(acc.tcp !== undefined ? { tcp: acc.tcp } : {}),
      ...(acc.udp !== undefined ? { udp: acc.udp } : {}),
      label: acc.label,
      setIds: [...acc.setIds].sort((a, b) => a - b),
      prefixes,
      inputs: acc.cidrs.length,
    });
  }
  if (options.maxEntries === undefined) return { buckets, merges };
  const capacity: CapacityReport = {
    maxEntries: options.maxEntries,
    mergeAcrossPorts: options.mergeAcrossPorts === true,
    buckets: capped,
    portMerges: united.portMerges,
  };
  return { buckets, merges, capacity };
}

/** Exact duplicates removed, sorted (no widening, no aggregation). */
export function dedupe(cidrs: readonly Cidr[]): Cidr[] {
  const seen = new Map<string, Cidr>();
  for (const cidr of cidrs) if (!seen.has(cidr.text)) seen.set(cidr.text, cidr);
  return [...seen.values()].sort(compareCidrs);
}

/**
 * The union of several buckets' prefixes, exact duplicates removed, for targets that do not carry
 * ports (each bucket is already aggregated; the union is not re-aggregated across ports).
 */
export function unionPrefixes(buckets: readonly IpBucket[]): Cidr[] {
  return dedupe(buckets.flatMap((bucket) => bucket.prefixes));
}

// ---------------------------------------------------------------------------------------------
// Summary and header

export function countKinds(rows: readonly ExportRow[]): Record<EntryKind, number> {
  const counts: Record<EntryKind, number> = { url: 0, ipv4: 0, ipv6: 0 };
  for (const row of rows) counts[row.kind] += 1;
  return counts;
}

export interface SummaryParts {
  readonly written: Record<EntryKind, number>;
  readonly merges?: readonly BucketMerge[];
  readonly collapsed?: ExportSummary['collapsed'];
  readonly widened?: readonly string[];
  readonly notCarried?: ExportSummary['notCarried'];
  readonly capacity?: CapacityReport | undefined;
}

function urlOnlySets(rows: readonly ExportRow[]): ExportSummary['urlOnlySets'] {
  const withIp = new Set(rows.filter((r) => r.kind !== 'url').map((r) => r.setId));
  const required = new Set<number>();
  const optional = new Set<number>();
  for (const row of rows) {
    if (row.kind === 'url' && !withIp.has(row.setId))
      (row.required ? required : optional).add(row.setId);
  }
  return {
    required: [...required].sort((a, b) => a - b),
    optional: [...optional].sort((a, b) => a - b),
  };
}

export function makeSummary(
  target: TargetName,
  input: ExportInput,
  rows: readonly ExportRow[],
  unsupported: UnsupportedCollector,
  parts: SummaryParts,
): ExportSummary {
  return {
    target,
    instance: input.instance,
    version: input.version,
    written: parts.written,
    selected: countKinds(rows),
    merges: parts.merges ?? [],
    collapsed: parts.collapsed ?? [],
    widened: parts.widened ?? [],
    unsupported: unsupported.entries,
    onUnsupported: input.onUnsupported,
    notCarried: parts.notCarried ?? {},
    urlOnlySets: urlOnlySets(rows),
    ...(parts.capacity !== undefined ? { capacity: parts.capacity } : {}),
  };
}

/**
 * Header comment lines (without the comment marker). Only generated text and checked values
 * appear: merged prefixes are canonical re-renderings, hosts passed classifyHost, and an
 * unsupported value is shown JSON-quoted with anything outside printable ASCII escaped, so a
 * hostile value cannot end the comment line.
 */
export function headerLines(summary: ExportSummary, input: ExportInput): string[] {
  const lines = [
    `Generated by ipurl export: ${summary.instance} version ${summary.version}, target ${summary.target}`,
    ...input.selection.map((line) => `Selection: ${line}`),
    `Entries: ${summary.written.ipv4} IPv4, ${summary.written.ipv6} IPv6, ${summary.written.url} host patterns ` +
      `(selected: ${summary.selected.ipv4} IPv4, ${summary.selected.ipv6} IPv6, ${summary.selected.url} host patterns)`,
  ];
  for (const [kind, count] of Object.entries(summary.notCarried)) {
    if (count !== undefined && count > 0) {
      lines.push(
        `Not carried by this target: ${count} ${kind === 'url' ? 'host patterns' : kind} (use another target for them)`,
      );
    }
  }
  const urlOnly = summary.urlOnlySets;
  if ((summary.notCarried.url ?? 0) > 0 && urlOnly.required.length + urlOnly.optional.length > 0) {
    lines.push(
      `Sets with host patterns only (an IP-only device cannot allow them; use a proxy): required ${urlOnly.required.join(' ') || 'none'}; optional ${urlOnly.optional.join(' ') || 'none'}`,
    );
  }
  if (input.aggregate && summary.merges.length > 0) {
    lines.push(
      `Aggregated within (category, ports, family) buckets: ${summary.merges.length} merge(s)`,
    );
    for (const merge of summary.merges) {
      lines.push(
        `  ${merge.into} = ${merge.from.join(' + ')}${merge.inputs > merge.from.length ? ` (${merge.inputs} entries)` : ''} [${merge.bucket}]`,
      );
    }
  } else if (!input.aggregate) {
    lines.push('Aggregation: off');
  }
  lines.push(...capacityLines(summary.capacity));
  for (const host of summary.widened)
    lines.push(
      `Widened: *.${host} written as .${host}, which Squid also matches for ${host} itself`,
    );
  for (const c of summary.collapsed)
    lines.push(`Collapsed: ${c.value} (covered by ${c.coveredBy} in ${c.acl})`);
  if (summary.unsupported.length > 0) {
    lines.push(
      `Left out (--on-unsupported ${summary.onUnsupported}): ${summary.unsupported.length} entr${summary.unsupported.length === 1 ? 'y' : 'ies'} this target cannot express`,
    );
    for (const entry of summary.unsupported) {
      lines.push(
        `  set ${entry.setId} ${entry.kind} ${defang(entry.value)}: ${defang(entry.reason)}`,
      );
    }
  }
  return lines;
}

/**
 * Input shown in a comment line: everything but letters, digits, spaces and `. * : / _ - , ( )`
 * becomes `?`, so a left-out value cannot carry a quote, a statement separator or a line break
 * into the file even as a comment (the exact value is in `--json` and on stderr).
 */
export function defang(value: string): string {
  return describeValue(value, 100).replace(/[^A-Za-z0-9.*:/_\-, ()]/g, '?');
}

/** JSON-quote with every character outside printable ASCII (and `<`, `>`, `&`) escaped. */
export function safeQuote(value: string): string {
  return JSON.stringify(describeValue(value, 100)).replace(
    /[^\x20-\x7e]|[<>&]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Free text (error reasons that may quote input) reduced to a single safe comment line. */
export function safeText(value: string): string {
  return value.replace(/[^\x20-\x7e]|[<>&]/g, '?');
}

/** A name prefix given by the user (`--name`): the only user text in object names. */
export const NAME_RULE = 'a letter followed by up to 11 letters, digits or "_"';
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,11}$/;

export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `name ${JSON.stringify(describeValue(name))} is not valid: expected ${NAME_RULE} (it prefixes table, set, chain and group names)`,
    );
  }
  return name;
}

/** The categories present in some buckets, in priority order. */
export function categoriesOf(buckets: readonly { category: Category }[]): Category[] {
  return CATEGORIES.filter((category) => buckets.some((bucket) => bucket.category === category));
}

/** Comment block with a marker (`#`, `!`), every line checked to be printable. */
export function commentBlock(marker: string, lines: readonly string[]): string {
  return lines.map((line) => `${marker} ${safeText(line)}`.trimEnd()).join('\n') + '\n';
}
