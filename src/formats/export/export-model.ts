/**
 * What every export target shares: flat rows from sets, strict checks of what may reach a device
 * file, host-pattern classification, the unsupported-pattern policy, ports; the buckets
 * (export-buckets.ts) and the summary / header comment (export-summary.ts) are re-exported.
 *
 * Safety rule (issue 4, "hostile data must not break out of any format"): device formats only
 * ever write (a) host patterns matching `[a-z0-9.*-]` with dot-separated non-empty labels,
 * (b) prefixes re-rendered from their parsed numeric value, (c) ports re-rendered from parsed
 * numbers and (d) text this module generates (category names, set ids, counts). Notes are never
 * written into a device format. Anything else is an unsupported entry under the caller's policy.
 */
import type { LabelledSet } from '../../core/device-entry.js';
import { CATEGORIES, type Category, type EndpointSet } from '../../core/endpoint-set.js';
import { IpurlError, ValidationError, describeValue, type Issue } from '../../core/errors.js';
import { safeParsePortList, type PortList } from '../../core/port-list.js';
import { safeText } from './export-summary.js';
import type {
  EntryKind,
  ExportFile,
  ExportInput,
  ExportRow,
  TargetName,
  UnsupportedEntry,
} from './export-types.js';

/**
 * Every row of the selection, set by set, URLs first then IPs, in published order; then the
 * labelled entries (observed, grace, local), each row carrying its origin.
 */
export function buildRows(
  sets: readonly EndpointSet[],
  labelled: readonly LabelledSet[] = [],
): ExportRow[] {
  const rows: ExportRow[] = [];
  const entries = [
    ...sets.map((set) => ({ set, origin: undefined })),
    ...labelled.map(({ set, origin }) => ({ set, origin })),
  ];
  for (const { set, origin } of entries) {
    const base = {
      ...(origin !== undefined ? { origin } : {}),
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

// The buckets and the summary live in their own files; re-exported so renderers import one module.
export {
  bucketIps,
  bucketOptions,
  categoryFamilyGroups,
  dedupe,
  originOf,
  originsOf,
  prefixCounts,
  unionPrefixes,
  type BucketOptions,
  type CategoryFamilyGroup,
  type IpBucket,
} from './export-buckets.js';
export {
  countKinds,
  defang,
  EntryLabels,
  headerLines,
  labelledLines,
  originLines,
  makeSummary,
  safeQuote,
  safeText,
  type SummaryParts,
} from './export-summary.js';

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

export const TEXT_MEDIA_TYPE = 'text/plain; charset=utf-8';

/** A plain-text file of an export (every device file is one). */
export function textFile(
  name: string,
  description: string,
  kinds: readonly EntryKind[],
  content: string,
): ExportFile {
  return { name, mediaType: TEXT_MEDIA_TYPE, description, kinds, content };
}
