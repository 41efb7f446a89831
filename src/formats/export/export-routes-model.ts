/**
 * What the route targets share (`wireguard`, `openvpn`, `windows-routes`, docs/formats.md "Split
 * tunnels"): the selection's prefixes per address family, each (category, ports, family) bucket
 * aggregated on its own and exact duplicates between buckets removed. A route has no ports and
 * no category: every chosen prefix goes the same way, so the union is what is routed.
 */
import type { Cidr, IpFamily } from '../../core/cidr.js';
import type { EntryOrigin } from '../../core/device-entry.js';
import type { Category } from '../../core/endpoint-set.js';
import { originsOf, unionPrefixes } from './export-model.js';
import { addressSummary, bucketSelection } from './export-selection.js';
import type { ExportInput, ExportRow, ExportSummary, TargetName } from './export-types.js';

export interface RoutePrefixes {
  readonly rows: readonly ExportRow[];
  /** The families written: the one asked for, else both. */
  readonly families: readonly IpFamily[];
  readonly prefixes: Readonly<Record<IpFamily, readonly Cidr[]>>;
  readonly categories: readonly Category[];
  /** Labelled prefixes (observed, grace, local) among `prefixes`, by prefix text. */
  readonly origins: ReadonlyMap<string, EntryOrigin>;
  readonly summaryOf: (written: { ipv4: number; ipv6: number }) => ExportSummary;
}

export function routePrefixes(target: TargetName, input: ExportInput): RoutePrefixes {
  const families: IpFamily[] = input.family === undefined ? [4, 6] : [input.family];
  const selection = bucketSelection(target, input, families);
  const { buckets } = selection;
  const prefixes = {
    4: unionPrefixes(buckets.filter((b) => b.family === 4)),
    6: unionPrefixes(buckets.filter((b) => b.family === 6)),
  };
  const categories = [...new Set(input.sets.map((set) => set.category))];
  return {
    rows: selection.rows,
    families,
    prefixes,
    categories,
    origins: originsOf(buckets),
    summaryOf: (written) => addressSummary(input, selection, written),
  };
}

/** `255.255.192.0` for /18. */
export function ipv4Mask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 255).join('.');
}

/** `13.107.64.0` of `13.107.64.0/18`. */
export function networkText(cidr: Cidr): string {
  return cidr.text.slice(0, cidr.text.indexOf('/'));
}
