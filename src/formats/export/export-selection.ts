/**
 * How a device target starts and ends: the selection's rows with the collector of what the target
 * cannot write, then its host patterns classified or its IP rows bucketed, and at the end the
 * summary of a target that carries only one of the two kinds (addresses or host patterns), the
 * other counted as not carried so the header and `--json` say what is missing.
 */
import type { IpFamily } from '../../core/cidr.js';
import type { CapacityReport } from './export-capacity.js';
import {
  UnsupportedCollector,
  bucketIps,
  bucketOptions,
  buildRows,
  classifyHost,
  countKinds,
  makeSummary,
  type HostShape,
  type IpBucket,
  type SummaryParts,
} from './export-model.js';
import type {
  BucketMerge,
  ExportInput,
  ExportRow,
  ExportSummary,
  TargetName,
} from './export-types.js';

/** The rows one target renders, and what it has left out so far. */
export interface ExportSelection {
  readonly target: TargetName;
  readonly rows: readonly ExportRow[];
  readonly unsupported: UnsupportedCollector;
}

/** The selection's IP rows in (category, ports, family) buckets (export-buckets.ts). */
export interface BucketedSelection extends ExportSelection {
  readonly buckets: readonly IpBucket[];
  readonly merges: readonly BucketMerge[];
  readonly capacity?: CapacityReport;
}

export function selectRows(target: TargetName, input: ExportInput): ExportSelection {
  return {
    target,
    rows: buildRows(input.sets, input.labelled),
    unsupported: new UnsupportedCollector(target, input.onUnsupported),
  };
}

/** A host pattern a target writes, with its shape (never `glob` when the target refuses globs). */
export interface HostRow<Shape extends HostShape = HostShape> {
  readonly row: ExportRow;
  readonly shape: Shape;
}

/**
 * The selection's host patterns, classified, in row order. An invalid pattern is recorded as
 * unsupported; so is a glob when the target cannot write one (`globReason` says why for it).
 */
export function hostRows(selection: ExportSelection): HostRow[];
export function hostRows(
  selection: ExportSelection,
  globReason: string,
): HostRow<Exclude<HostShape, { shape: 'glob' }>>[];
export function hostRows(selection: ExportSelection, globReason?: string): HostRow[] {
  const out: HostRow[] = [];
  for (const row of selection.rows) {
    if (row.kind !== 'url') continue;
    const shape = classifyHost(row.value);
    const reason =
      shape.shape === 'invalid' ? shape.reason : shape.shape === 'glob' ? globReason : undefined;
    if (reason !== undefined) {
      selection.unsupported.add({ setId: row.setId, kind: 'url', value: row.value, reason });
    } else if (shape.shape !== 'invalid') {
      out.push({ row, shape });
    }
  }
  return out;
}

/** The selection bucketed; `families` keeps only those (a split tunnel asked for one family). */
export function bucketSelection(
  target: TargetName,
  input: ExportInput,
  families?: readonly IpFamily[],
): BucketedSelection {
  const selection = selectRows(target, input);
  const options =
    families === undefined ? bucketOptions(input) : { ...bucketOptions(input), families };
  return { ...selection, ...bucketIps(selection.rows, options, selection.unsupported) };
}

/** The summary of a target that writes addresses only: its host patterns are not carried. */
export function addressSummary(
  input: ExportInput,
  selection: BucketedSelection,
  written: { readonly ipv4: number; readonly ipv6: number },
): ExportSummary {
  return makeSummary(selection.target, input, selection.rows, selection.unsupported, {
    written: { ...written, url: 0 },
    merges: selection.merges,
    capacity: selection.capacity,
    notCarried: { url: countKinds(selection.rows).url },
  });
}

/** The summary of a target that writes host patterns only: its addresses are not carried. */
export function hostSummary(
  input: ExportInput,
  selection: ExportSelection,
  written: number,
  parts: Pick<SummaryParts, 'collapsed' | 'widened'> = {},
): ExportSummary {
  const selected = countKinds(selection.rows);
  return makeSummary(selection.target, input, selection.rows, selection.unsupported, {
    written: { url: written, ipv4: 0, ipv6: 0 },
    ...parts,
    notCarried: { ipv4: selected.ipv4, ipv6: selected.ipv6 },
  });
}
