/**
 * What both adapters do the same way around overlay changes (ipurl overlay): the checks made
 * inside the write transaction (a removal names a live change of the same instance), the row a
 * change writes and its values, the stored row to OverlayChange mapping, and the guard on
 * imported rows (ipurl copy).
 */
import { IpurlError, describeValue } from '../core/errors.js';
import {
  OVERLAY_ACTIONS,
  type OverlayChange,
  type OverlayChangeInput,
  type OverlayEntry,
} from '../core/overlay.js';
import { relaxedRulesColumn } from '../core/sanity-policy.js';
import { isoTimestamp } from './append-input.js';

/** A stored row, as both adapters read it (timestamps already ISO text). */
export interface OverlayRow {
  readonly id: number;
  readonly instance: string;
  readonly entry: string;
  readonly by_user: string;
  readonly note: string;
  readonly at: string;
  readonly relaxed_rules: string;
  readonly warnings: string;
  readonly deliveries: string;
}

/** The columns of a new row, checked; the id is the adapter's. */
export function overlayColumns(input: OverlayChangeInput): {
  at: string;
  entry: string;
  relaxed: string;
  warnings: string;
} {
  if (!OVERLAY_ACTIONS.includes(input.entry.action)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `overlay action must be ${OVERLAY_ACTIONS.join(', ')}; received ${describeValue(input.entry.action)}`,
    );
  }
  if (input.id !== undefined && (!Number.isSafeInteger(input.id) || input.id < 1)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `overlay change id must be a positive whole number; received ${describeValue(input.id)}`,
    );
  }
  return {
    at: isoTimestamp(input.at ?? new Date().toISOString(), 'at'),
    entry: JSON.stringify(input.entry),
    relaxed: relaxedRulesColumn(input.relaxedRules),
    warnings: JSON.stringify(input.warnings ?? []),
  };
}

/**
 * A removal inside the write transaction: `target` must be an addition or exclusion of the same
 * instance that no earlier change removed (ERR_NOT_FOUND / ERR_CONFLICT otherwise).
 */
export function checkRemoval(
  input: OverlayChangeInput,
  target: OverlayRow | undefined,
  removedBy: number | undefined,
): void {
  if (input.entry.action !== 'remove') return;
  const id = input.entry.target;
  if (target === undefined || target.instance !== input.instance) {
    throw new IpurlError(
      'ERR_NOT_FOUND',
      `${input.instance} has no overlay change #${id} (ipurl overlay list shows them)`,
    );
  }
  if ((JSON.parse(target.entry) as OverlayEntry).action === 'remove') {
    throw new IpurlError(
      'ERR_CONFLICT',
      `overlay change #${id} is itself a removal; add the entry again instead`,
    );
  }
  if (removedBy !== undefined) {
    throw new IpurlError(
      'ERR_CONFLICT',
      `overlay change #${id} was already removed by #${removedBy}`,
    );
  }
}

/** The row of a new change: its checked columns, id and queued deliveries. */
export function newOverlayRow(
  input: OverlayChangeInput,
  id: number,
  columns: ReturnType<typeof overlayColumns>,
  deliveries: readonly string[],
): OverlayRow {
  return {
    id,
    instance: input.instance,
    entry: columns.entry,
    by_user: input.by,
    note: input.note,
    at: columns.at,
    relaxed_rules: columns.relaxed,
    warnings: columns.warnings,
    deliveries: JSON.stringify(deliveries),
  };
}

/** A new row's values, in the order of the overlay_changes insert (statements.ts). */
export function overlayValues(row: OverlayRow, action: OverlayEntry['action']): unknown[] {
  return [
    row.id,
    row.instance,
    action,
    row.entry,
    row.by_user,
    row.note,
    row.at,
    row.relaxed_rules,
    row.warnings,
    row.deliveries,
  ];
}

export function toOverlayChange(row: OverlayRow): OverlayChange {
  const warnings = JSON.parse(row.warnings) as string[];
  const deliveries = JSON.parse(row.deliveries) as string[];
  return {
    id: Number(row.id),
    instance: row.instance,
    entry: JSON.parse(row.entry) as OverlayEntry,
    by: row.by_user,
    note: row.note,
    at: row.at,
    ...(row.relaxed_rules === '' ? {} : { relaxedRules: row.relaxed_rules.split(',') }),
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(deliveries.length > 0 ? { deliveries } : {}),
  };
}

/** The event of a delivery queued with an overlay change. */
export const OVERLAY_EVENT = 'overlay.changed';
