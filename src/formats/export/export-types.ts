/**
 * Shared types of the firewall and proxy exports (issue 4, docs/formats.md). A renderer is a pure
 * function from already selected endpoint sets (service/export.ts did the filtering) to files.
 */
import type { AggregateMerge } from '../../core/cidr-aggregate.js';
import type { EntryOrigin, LabelledSet } from '../../core/device-entry.js';
import type { Category, EndpointSet } from '../../core/endpoint-set.js';
import type { CapacityReport } from './export-capacity.js';

export type TargetName =
  | 'list'
  | 'nftables'
  | 'ipset'
  | 'iptables'
  | 'squid'
  | 'f5'
  | 'cisco'
  | 'csv'
  | 'json'
  | 'dnsmasq'
  | 'wireguard'
  | 'openvpn'
  | 'windows-routes';

/**
 * What happens to a pattern a target cannot express (a mid-label wildcard in a PAN list, a
 * character outside `[a-z0-9.*-]` in a device format). Default `error`: nothing is written and
 * the error lists every such pattern. `warn` leaves them out and reports each one; `skip` leaves
 * them out and reports them in the summary (file header, `--json`). Never a silent loss.
 */
export type UnsupportedPolicy = 'error' | 'warn' | 'skip';
export const UNSUPPORTED_POLICIES: readonly UnsupportedPolicy[] = ['error', 'warn', 'skip'];

export type EntryKind = 'url' | 'ipv4' | 'ipv6';

/** The attributes of its set that every flat row carries (FLAT_COLUMNS, export-flat.ts). */
export type SetAttributes = Pick<
  EndpointSet,
  'serviceArea' | 'category' | 'required' | 'expressRoute' | 'tcpPorts' | 'udpPorts' | 'notes'
>;

/** One flat row: one address of one set (the csv/json targets, and the input of the others). */
export interface ExportRow extends SetAttributes {
  readonly setId: number;
  readonly kind: EntryKind;
  readonly value: string;
  /** A labelled entry (observed, grace, local); absent for Microsoft's published data. */
  readonly origin?: EntryOrigin;
}

/** The labelled entries of an export: counts per origin and each entry written. */
export interface LabelledSummary {
  readonly observed: number;
  readonly grace: number;
  readonly local: number;
  /** Labelled prefixes a published prefix of their bucket already covers (not written). */
  readonly covered: number;
  readonly entries: readonly {
    readonly setId: number;
    readonly kind: EntryKind;
    readonly value: string;
    readonly origin: EntryOrigin;
  }[];
}

/** Where a generated file lives, and what it holds. */
export interface ExportFile {
  /** File name (no directory), unique within one export; `[A-Za-z0-9._-]` only. */
  readonly name: string;
  readonly mediaType: string;
  /** What the file is, e.g. `IPv4 prefixes`, for `--json` and docs. */
  readonly description: string;
  /** Kinds of entries the file carries (the unsupported policy applies to these). */
  readonly kinds: readonly EntryKind[];
  readonly content: string;
}

/** A pattern left out (policy warn/skip), or the reason an export failed (policy error). */
export interface UnsupportedEntry {
  readonly setId: number;
  readonly kind: EntryKind | 'ports';
  /** The value as received, JSON-quoted when printed (it may be hostile). */
  readonly value: string;
  readonly reason: string;
}

/** An aggregation that happened, with the bucket it happened in. */
export interface BucketMerge extends AggregateMerge {
  readonly bucket: string;
  readonly family: 4 | 6;
}

/** Squid: a host entry dropped because a `.domain` entry of the same ACL covers it. */
export interface CollapsedEntry {
  readonly value: string;
  readonly coveredBy: string;
  readonly acl: string;
}

export interface ExportSummary {
  readonly target: TargetName;
  readonly instance: string;
  readonly version: string;
  /** Entries written, per kind (after aggregation and collapsing). */
  readonly written: Readonly<Record<EntryKind, number>>;
  /** Entries selected before aggregation, per kind. */
  readonly selected: Readonly<Record<EntryKind, number>>;
  readonly merges: readonly BucketMerge[];
  readonly collapsed: readonly CollapsedEntry[];
  /** Squid: `*.x.com` written as `.x.com`, which also matches the apex `x.com`. */
  readonly widened: readonly string[];
  readonly unsupported: readonly UnsupportedEntry[];
  readonly onUnsupported: UnsupportedPolicy;
  /**
   * Sets of the selection with host patterns but no IP prefix (docs/formats.md, "`dnsmasq`"): an
   * IP-only device cannot allow them; they need a proxy or a URL-capable target.
   */
  readonly urlOnlySets: {
    readonly required: readonly number[];
    readonly optional: readonly number[];
  };
  /** Kinds this target does not carry at all (e.g. URLs in an IP-only target), with counts. */
  readonly notCarried: Readonly<Partial<Record<EntryKind, number>>>;
  /** With a capacity cap: what had to be merged to fit (export-capacity.ts). */
  readonly capacity?: CapacityReport;
  /** Labelled entries (not Microsoft's published data) the files carry. */
  readonly labelled: LabelledSummary;
}

export interface ExportResult {
  readonly files: readonly ExportFile[];
  readonly summary: ExportSummary;
}

/** What the service hands a renderer. */
export interface ExportInput {
  readonly instance: string;
  readonly version: string;
  /** Selected sets, URLs already tenant-rendered (no `<tenant>` left), pending additions removed. */
  readonly sets: readonly EndpointSet[];
  /**
   * Labelled entries of the same selection (service/device-view.ts): written with their origin in
   * a comment, never aggregated with the published prefixes.
   */
  readonly labelled?: readonly LabelledSet[];
  /** Human-readable description of the selection, written into file headers (generated text only). */
  readonly selection: readonly string[];
  /** Aggregate CIDRs within each (category, ports, family) bucket (default true). */
  readonly aggregate: boolean;
  readonly onUnsupported: UnsupportedPolicy;
  /** Prefix of every object name (table, set, chain, ACL, data group, object-group). */
  readonly name: string;
  /** Squid: the absolute directory the ACL files are installed in (the include file names it). */
  readonly squidDir: string;
  /** Only this address family was asked for (split-tunnel targets then write only it). */
  readonly family?: 4 | 6;
  /** openvpn: the server's `push "…"` form instead of client lines. */
  readonly push?: boolean;
  /** windows-routes: the Windows interface alias (e.g. `Wi-Fi`) the routes leave through. */
  readonly interfaceAlias?: string;
  /** dnsmasq: `ipset=` lines and an ipset file instead of `nftset=` and an nftables file. */
  readonly ipset?: boolean;
  /** dnsmasq: seconds an address stays in its set after dnsmasq added it (default 1 day). */
  readonly setTimeout?: number;
  /** Capacity cap: at most this many prefixes per bucket (IP targets). */
  readonly maxEntries?: number;
  /** With maxEntries: buckets are (category, family), ports united. */
  readonly mergeAcrossPorts?: boolean;
}

/** What a target can express (docs/formats.md is generated from the same facts by hand). */
export interface TargetInfo {
  readonly name: TargetName;
  readonly title: string;
  /** Media type of the main file, served by `GET /export/{instance}/{target}`. */
  readonly mediaType: string;
  readonly extension: string;
  readonly kinds: readonly EntryKind[];
  /** Carries the ports of a set. */
  readonly ports: boolean;
  /** Keeps the categories apart (separate objects per category). */
  readonly categories: boolean;
  /** Wildcards: none, `*.` prefix only, or any position. */
  readonly wildcards: 'none' | 'prefix' | 'any';
  /** Aggregates CIDRs (within buckets) unless told not to. */
  readonly aggregates: boolean;
  /** Categories used when the request names none (split tunnels: Optimize); default every one. */
  readonly defaultCategories?: readonly Category[];
  readonly render: (input: ExportInput) => ExportResult;
}
