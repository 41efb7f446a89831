/**
 * IP buckets of the IP targets: rows grouped by (category, ports, family), aggregated within each
 * bucket only (issue 4: categories and ports never merge), capped on request
 * (export-capacity.ts). Labelled entries (observed, grace, local: core/device-entry.ts) join the
 * bucket of their set's category and ports but are never aggregated with Microsoft's prefixes, so
 * each keeps its label: one already covered by a prefix of its bucket is not written and is
 * counted (`labelledCovered`, shown in the header).
 */
import { IpurlError } from '../../core/errors.js';
import { aggregateCidrs } from '../../core/cidr-aggregate.js';
import {
  cidrContains,
  compareCidrs,
  safeParseCidr,
  type Cidr,
  type IpFamily,
} from '../../core/cidr.js';
import type { EntryOrigin } from '../../core/device-entry.js';
import { CATEGORIES, type Category } from '../../core/endpoint-set.js';
import type { PortList } from '../../core/port-list.js';
import {
  capBucket,
  mergeAcrossPorts,
  type BucketAcc,
  type CapacityBucket,
  type CapacityReport,
  type LabelledCidr,
} from './export-capacity.js';
import { portsText, rowPorts, type UnsupportedCollector } from './export-model.js';
import type { BucketMerge, ExportInput, ExportRow } from './export-types.js';

export interface IpBucket {
  readonly category: Category;
  readonly family: IpFamily;
  readonly tcp?: PortList;
  readonly udp?: PortList;
  /** `Optimize IPv4 tcp 80,443 udp 443`: generated text, used in comments and merge reports. */
  readonly label: string;
  readonly setIds: readonly number[];
  /** Every prefix written, published and labelled, sorted. */
  readonly prefixes: readonly Cidr[];
  /** The labelled prefixes among `prefixes`, by prefix text (absent: none). */
  readonly origins?: ReadonlyMap<string, EntryOrigin>;
  /** Labelled entries not written because a prefix of this bucket already covers them. */
  readonly labelledCovered?: number;
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
 * The labelled prefixes a bucket writes: those no written prefix (published or an earlier
 * labelled one) covers, in input order (observed, grace, local).
 */
function placeLabelled(
  published: readonly Cidr[],
  labelled: readonly LabelledCidr[],
): { kept: LabelledCidr[]; covered: number } {
  const kept: LabelledCidr[] = [];
  let covered = 0;
  for (const entry of labelled) {
    const inside =
      published.some((p) => cidrContains(p, entry.cidr)) ||
      kept.some((k) => cidrContains(k.cidr, entry.cidr));
    if (inside) covered += 1;
    else kept.push(entry);
  }
  return { kept, covered };
}

/**
 * Group the IP rows into (category, ports, family) buckets and aggregate within each one only
 * (docs/formats.md, "Aggregation": never across categories or ports). Order: category priority,
 * family, ports text. Unparseable prefixes are unsupported entries.
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
      acc = {
        category: row.category,
        family,
        label,
        setIds: new Set(),
        cidrs: [],
        labelled: [],
      };
      if (ports.tcp !== undefined) acc.tcp = ports.tcp;
      if (ports.udp !== undefined) acc.udp = ports.udp;
      accs.set(label, acc);
    }
    acc.setIds.add(row.setId);
    if (row.origin === undefined) acc.cidrs.push(parsed.value);
    else acc.labelled.push({ cidr: parsed.value, setId: row.setId, origin: row.origin });
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
    let published: readonly Cidr[];
    let placed = placeLabelled(dedupe(acc.cidrs), acc.labelled);
    if (options.aggregate) {
      const result = aggregateCidrs(acc.cidrs);
      placed = placeLabelled(result.prefixes, acc.labelled);
      // Labelled entries count against the cap: the published prefixes get what is left. A cap
      // the labelled entries alone fill leaves no room for the published ones: refused, never a
      // bucket over the cap on the device.
      if (
        options.maxEntries !== undefined &&
        result.prefixes.length > 0 &&
        placed.kept.length >= options.maxEntries
      ) {
        throw new IpurlError(
          'ERR_INVALID_PARAMETER',
          `max entries ${options.maxEntries} cannot be met in bucket ${acc.label} (IPv${acc.family}): its ${placed.kept.length} labelled entr${placed.kept.length === 1 ? 'y' : 'ies'} (observed, grace, local) leave no entry for its published prefixes; accepted: ${placed.kept.length + 1} or more`,
        );
      }
      const cap =
        options.maxEntries === undefined
          ? undefined
          : capBucket(
              acc.label,
              acc.family,
              result.prefixes,
              options.maxEntries - placed.kept.length,
            );
      if (cap?.report !== undefined) capped.push(cap.report);
      published = cap?.prefixes ?? result.prefixes;
      if (cap !== undefined) placed = placeLabelled(published, acc.labelled);
      for (const merge of result.merges)
        merges.push({ ...merge, bucket: acc.label, family: acc.family });
    } else {
      published = dedupe(acc.cidrs);
    }
    const origins = new Map(placed.kept.map((entry) => [entry.cidr.text, entry.origin]));
    buckets.push({
      category: acc.category,
      family: acc.family,
      ...(acc.tcp !== undefined ? { tcp: acc.tcp } : {}),
      ...(acc.udp !== undefined ? { udp: acc.udp } : {}),
      label: acc.label,
      setIds: [...acc.setIds].sort((a, b) => a - b),
      prefixes:
        placed.kept.length === 0
          ? published
          : [...published, ...placed.kept.map((entry) => entry.cidr)].sort(compareCidrs),
      ...(origins.size > 0 ? { origins } : {}),
      ...(placed.covered > 0 ? { labelledCovered: placed.covered } : {}),
      inputs: acc.cidrs.length + acc.labelled.length,
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

/** The origin of a written prefix, when it is a labelled entry. */
export function originOf(bucket: IpBucket, cidr: Cidr): EntryOrigin | undefined {
  return bucket.origins?.get(cidr.text);
}

/** The labelled entries of several buckets, by prefix text (targets that unite buckets). */
export function originsOf(buckets: readonly IpBucket[]): Map<string, EntryOrigin> {
  const out = new Map<string, EntryOrigin>();
  for (const bucket of buckets)
    for (const [text, origin] of bucket.origins ?? []) if (!out.has(text)) out.set(text, origin);
  return out;
}

/** The buckets of one (category, family) taken together: one object of a target without ports. */
export interface CategoryFamilyGroup {
  readonly category: Category;
  readonly family: IpFamily;
  readonly buckets: readonly IpBucket[];
  /** Every prefix of the buckets (unionPrefixes: duplicates removed, not re-aggregated). */
  readonly prefixes: readonly Cidr[];
}

/**
 * The (category, family) groups that hold a bucket, in category priority then IPv4 before IPv6:
 * targets whose objects carry no ports (ipset sets, Cisco object-groups) write one per group.
 */
export function categoryFamilyGroups(buckets: readonly IpBucket[]): CategoryFamilyGroup[] {
  return CATEGORIES.flatMap((category) =>
    ([4, 6] as const).flatMap((family) => {
      const chosen = buckets.filter((b) => b.category === category && b.family === family);
      if (chosen.length === 0) return [];
      return [{ category, family, buckets: chosen, prefixes: unionPrefixes(chosen) }];
    }),
  );
}

/** Prefixes written per family, counted over buckets or groups. */
export function prefixCounts(
  written: readonly { readonly family: IpFamily; readonly prefixes: readonly Cidr[] }[],
): { ipv4: number; ipv6: number } {
  const count = (family: IpFamily): number =>
    written.filter((w) => w.family === family).reduce((n, w) => n + w.prefixes.length, 0);
  return { ipv4: count(4), ipv6: count(6) };
}
