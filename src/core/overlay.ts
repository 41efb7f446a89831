/**
 * The local overlay of an instance (docs/operations.md "Local overlay"): an administrator's own
 * additions to and exclusions from Microsoft's published sets, kept in the store beside them with
 * a history. Every change is one entry with an id, who made it, when and why; a change is never
 * edited: `remove` is itself a change that retires an earlier one. The overlay reaches device
 * outputs only (core/overlay-apply.ts); the wire routes and the docs table stay Microsoft's.
 *
 * This file holds the model and the pure helpers over a history; validation of a new entry is in
 * core/overlay-validate.ts.
 */
import type { Category, ServiceArea } from './endpoint-set.js';

/** Add entries to the device view, exclude published entries from it, or retire a change. */
export type OverlayAction = 'add' | 'exclude' | 'remove';

/** The display name local additions carry in set-shaped outputs. */
export const LOCAL_DISPLAY_NAME = 'Local overlay';

export const OVERLAY_ACTIONS: readonly OverlayAction[] = ['add', 'exclude', 'remove'];

/** Local addresses and host patterns, with the category and ports a device needs. */
export interface OverlayAddition {
  readonly action: 'add';
  readonly ips?: readonly string[];
  readonly urls?: readonly string[];
  readonly category: Category;
  /** The area a device filter (`--service-areas`) files it under; default Common. */
  readonly serviceArea: ServiceArea;
  readonly tcpPorts?: string;
  readonly udpPorts?: string;
}

/**
 * Published entries to leave out of device outputs: whole sets by id, host patterns matched by a
 * pattern (wildcards as in the data: `*.yammer.com`), addresses inside a prefix, whole areas.
 */
export interface OverlayExclusion {
  readonly action: 'exclude';
  readonly setIds?: readonly number[];
  readonly urls?: readonly string[];
  readonly ips?: readonly string[];
  readonly serviceAreas?: readonly ServiceArea[];
}

/** Retire the earlier change `target` (an addition or exclusion of the same instance). */
export interface OverlayRemoval {
  readonly action: 'remove';
  readonly target: number;
}

export type OverlayEntry = OverlayAddition | OverlayExclusion | OverlayRemoval;

/** What a change records, before and after the store gave it its id and time. */
interface OverlayChangeFields {
  readonly instance: string;
  readonly entry: OverlayEntry;
  /** Who made it (a user name). */
  readonly by: string;
  /** Why (free text, may be empty). */
  readonly note: string;
  /** Sanity-policy rules this entry relaxes (e.g. `private` for an internal proxy), rule order. */
  readonly relaxedRules?: readonly string[];
  /** What the validator warned about (e.g. an exclusion that matches nothing today). */
  readonly warnings?: readonly string[];
  /** `overlay.changed` deliveries queued with it (given: ipurl copy). */
  readonly deliveries?: readonly string[];
}

/** A change as it is recorded, before the store gives it an id. */
export interface OverlayChangeInput extends OverlayChangeFields {
  /** ISO 8601; defaults to now in the store. */
  readonly at?: string;
  /** Queue an `overlay.changed` webhook delivery for every subscriber (default true). */
  readonly notify?: boolean;
  /** Keep this id (ipurl copy); otherwise the store assigns the next one. */
  readonly id?: number;
}

/** One stored change of an overlay. Ids are unique in a store, across instances. */
export interface OverlayChange extends OverlayChangeFields {
  readonly id: number;
  readonly at: string;
}

/** The additions and exclusions in force, with the revision they make up. */
export interface ActiveOverlay {
  readonly instance: string;
  /** The id of the instance's newest change (a removal counts); 0 without any. */
  readonly revision: number;
  readonly additions: ReadonlyArray<OverlayChange & { readonly entry: OverlayAddition }>;
  readonly exclusions: ReadonlyArray<OverlayChange & { readonly entry: OverlayExclusion }>;
}

/** The change that retired `id`, if any, in a history. */
export function removalOf(
  history: readonly OverlayChange[],
  id: number,
): OverlayChange | undefined {
  return history.find((change) => change.entry.action === 'remove' && change.entry.target === id);
}

/** The overlay in force from an instance's history (ordered by id or not). */
export function activeOverlay(instance: string, history: readonly OverlayChange[]): ActiveOverlay {
  const own = history.filter((change) => change.instance === instance);
  const removed = new Set<number>();
  for (const change of own) if (change.entry.action === 'remove') removed.add(change.entry.target);
  const live = own.filter((change) => !removed.has(change.id)).sort((a, b) => a.id - b.id);
  return {
    instance,
    revision: own.reduce((max, change) => Math.max(max, change.id), 0),
    additions: live.filter(
      (c): c is OverlayChange & { entry: OverlayAddition } => c.entry.action === 'add',
    ),
    exclusions: live.filter(
      (c): c is OverlayChange & { entry: OverlayExclusion } => c.entry.action === 'exclude',
    ),
  };
}

/** True when the overlay changes nothing (no addition, no exclusion in force). */
export function isEmptyOverlay(overlay: ActiveOverlay): boolean {
  return overlay.additions.length === 0 && overlay.exclusions.length === 0;
}

/** One line for a history listing or a device-file comment: `add 10.20.0.0/16 Optimize tcp 443`. */
export function describeOverlayEntry(entry: OverlayEntry): string {
  if (entry.action === 'remove') return `remove #${entry.target}`;
  if (entry.action === 'add') {
    const ports = [
      entry.tcpPorts === undefined ? '' : `tcp ${entry.tcpPorts}`,
      entry.udpPorts === undefined ? '' : `udp ${entry.udpPorts}`,
    ].filter((part) => part !== '');
    return [
      'add',
      ...(entry.ips ?? []),
      ...(entry.urls ?? []),
      entry.category,
      entry.serviceArea,
      ...ports,
    ].join(' ');
  }
  return [
    'exclude',
    ...(entry.setIds ?? []).map((id) => `set ${id}`),
    ...(entry.urls ?? []),
    ...(entry.ips ?? []),
    ...(entry.serviceAreas ?? []).map((area) => `area ${area}`),
  ].join(' ');
}
