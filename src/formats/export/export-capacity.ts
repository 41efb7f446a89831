/**
 * Capacity caps in the exports (`--max-entries N`, `maxEntries=`; issue 11, docs/formats.md):
 * each (category, ports, family) bucket holds at most N prefixes; a bucket with more is fitted by
 * src/core/capacity-cap.ts (least added address space for the count). Buckets never merge with
 * each other, except across ports with `--merge-across-ports` (then a bucket is (category,
 * family) and its rule carries the union of its members' ports: a widening, reported). Targets
 * that carry no ports (list, ipset, f5, cisco) bucket by (category, family) under a cap anyway:
 * ports do not reach the device there, so nothing is widened but addresses.
 */
import { addedShare, capPrefixes, type CapMethod } from '../../core/capacity-cap.js';
import type { Cidr, IpFamily } from '../../core/cidr.js';
import type { Category } from '../../core/endpoint-set.js';
import type { EntryOrigin } from '../../core/device-entry.js';
import type { PortList, PortRange } from '../../core/port-list.js';

/** One bucket while rows are collected (export-model's bucketIps). */
export interface BucketAcc {
  category: Category;
  family: IpFamily;
  tcp?: PortList;
  udp?: PortList;
  label: string;
  setIds: Set<number>;
  cidrs: Cidr[];
  /** Labelled entries (observed, grace, local): kept apart from `cidrs`, never aggregated. */
  labelled: LabelledCidr[];
}

/** A prefix that is not Microsoft's published data, with its origin (core/device-entry.ts). */
export interface LabelledCidr {
  readonly cidr: Cidr;
  readonly setId: number;
  readonly origin: EntryOrigin;
}

/** One prefix written in place of several to fit the cap, and the addresses it adds. */
export interface CapacityCover {
  readonly into: string;
  readonly from: readonly string[];
  readonly addedSpace: string;
}

export interface CapacityBucket {
  readonly bucket: string;
  readonly family: 4 | 6;
  /** Prefixes after exact aggregation, before the cap. */
  readonly before: number;
  readonly after: number;
  /** Addresses the bucket's data lists (decimal text: IPv6 counts exceed 2⁵³). */
  readonly listedSpace: string;
  /** Addresses the covers add. */
  readonly addedSpace: string;
  /** addedSpace as a share of listedSpace, e.g. `0.39 %`. */
  readonly addedShare: string;
  readonly method: CapMethod;
  /** Proven lower bound of the least possible added space (equal to addedSpace when exact). */
  readonly lowerBound: string;
  readonly merges: readonly CapacityCover[];
}

export interface CapacityReport {
  readonly maxEntries: number;
  readonly mergeAcrossPorts: boolean;
  /** Buckets that needed merging (the others fit as they were). */
  readonly buckets: readonly CapacityBucket[];
  /** With mergeAcrossPorts: each merged bucket and the port buckets it unites. */
  readonly portMerges: readonly { readonly bucket: string; readonly from: readonly string[] }[];
}

function unionRanges(lists: readonly PortList[]): PortList {
  const ranges = lists
    .flatMap((list) => list.ranges)
    .map((r): PortRange => ({ from: r.from, to: r.to }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const out: { from: number; to: number }[] = [];
  for (const range of ranges) {
    const last = out[out.length - 1];
    if (last !== undefined && range.from <= last.to + 1) last.to = Math.max(last.to, range.to);
    else out.push({ ...range });
  }
  const text = out.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',');
  return { text, ranges: out };
}

/**
 * Unite the port buckets of each (category, family): the prefixes together, the ports as the
 * union per protocol; a member without any port list (any port) makes the whole bucket any port.
 */
export function mergeAcrossPorts(accs: Iterable<BucketAcc>): {
  accs: BucketAcc[];
  portMerges: CapacityReport['portMerges'];
} {
  const groups = new Map<string, BucketAcc[]>();
  for (const acc of accs) {
    const key = `${acc.category} IPv${acc.family}`;
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [acc]);
    else list.push(acc);
  }
  const out: BucketAcc[] = [];
  const portMerges: { bucket: string; from: string[] }[] = [];
  for (const [key, members] of groups) {
    const first = members[0] as BucketAcc;
    if (members.length === 1) {
      out.push(first);
      continue;
    }
    const anyPort = members.some((m) => m.tcp === undefined && m.udp === undefined);
    const tcp = members.flatMap((m) => (m.tcp === undefined ? [] : [m.tcp]));
    const udp = members.flatMap((m) => (m.udp === undefined ? [] : [m.udp]));
    const merged: BucketAcc = {
      category: first.category,
      family: first.family,
      label: '',
      setIds: new Set(members.flatMap((m) => [...m.setIds])),
      cidrs: members.flatMap((m) => m.cidrs),
      labelled: members.flatMap((m) => m.labelled),
    };
    if (!anyPort && tcp.length > 0) merged.tcp = unionRanges(tcp);
    if (!anyPort && udp.length > 0) merged.udp = unionRanges(udp);
    const ports = [
      merged.tcp === undefined ? '' : `tcp ${merged.tcp.text}`,
      merged.udp === undefined ? '' : `udp ${merged.udp.text}`,
    ]
      .filter((part) => part !== '')
      .join(' ');
    merged.label = `${key} ${ports === '' ? 'any port' : ports} (merged across ports)`;
    out.push(merged);
    portMerges.push({ bucket: merged.label, from: members.map((m) => m.label).sort() });
  }
  return { accs: out, portMerges };
}

/** Cap one bucket's prefixes; the report entry is undefined when they fit as they were. */
export function capBucket(
  label: string,
  family: IpFamily,
  cidrs: readonly Cidr[],
  maxEntries: number,
): { prefixes: readonly Cidr[]; report?: CapacityBucket } {
  const result = capPrefixes([cidrs], maxEntries);
  const prefixes = result.groups[0] ?? [];
  if (result.merges.length === 0) return { prefixes };
  return {
    prefixes,
    report: {
      bucket: label,
      family,
      before: result.entriesBefore,
      after: result.entriesAfter,
      listedSpace: result.inputSpace.toString(),
      addedSpace: result.addedSpace.toString(),
      addedShare: addedShare(result),
      method: result.method,
      lowerBound: result.lowerBound.toString(),
      merges: result.merges.map((m) => ({
        into: m.into,
        from: m.from,
        addedSpace: m.added.toString(),
      })),
    },
  };
}

/** Header comment lines (generated text and canonical prefixes only). */
export function capacityLines(report: CapacityReport | undefined): string[] {
  if (report === undefined) return [];
  const lines = [
    `Capacity cap: at most ${report.maxEntries} entries per bucket${report.mergeAcrossPorts ? ' (merged across ports)' : ''}; ` +
      (report.buckets.length === 0
        ? 'every bucket fits, nothing widened'
        : `${report.buckets.length} bucket(s) widened to fit`),
  ];
  for (const merge of report.portMerges) {
    lines.push(
      `  ports merged: [${merge.bucket}] = ${merge.from.map((f) => `[${f}]`).join(' + ')}`,
    );
  }
  for (const bucket of report.buckets) {
    lines.push(
      `  [${bucket.bucket}] ${bucket.before} to ${bucket.after} entries, ${bucket.merges.length} cover(s), ` +
        `added ${bucket.addedSpace} addresses (${bucket.addedShare} of ${bucket.listedSpace} listed; ` +
        (bucket.method === 'exact'
          ? 'optimal'
          : `at most ${bucket.addedSpace === '0' ? '0' : gapText(bucket)} above the optimum`) +
        ')',
    );
    for (const merge of bucket.merges) {
      lines.push(`    ${merge.into} covers ${merge.from.join(' + ')} (+${merge.addedSpace})`);
    }
  }
  return lines;
}

function gapText(bucket: CapacityBucket): string {
  const added = Number(bucket.addedSpace);
  const bound = Number(bucket.lowerBound);
  return bound > 0 ? `${(((added - bound) / bound) * 100).toFixed(3)} %` : 'unknown';
}
