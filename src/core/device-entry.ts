/**
 * Labelled entries: what device outputs (exports, PAC, lookup, classify, `watch`/`sync --output`)
 * may carry beyond Microsoft's published data, each with where it came from. The wire routes
 * (/endpoints, /changes, /version) and the docs table never carry them.
 *
 * Three origins:
 * - `observed`: an address `ipurl observe` resolved for a concrete name of a URL-only set;
 * - `grace`: an address or URL a recent version removed, kept until `leavesOn` (`--grace`);
 * - `local`: the administrator's own overlay addition (the overlay store plugs in through
 *   service/device-view.ts, `DeviceViewRequest.overlay`).
 *
 * A labelled entry is an endpoint set holding only that entry (one IP or one URL) with the
 * attributes (category, ports, area) of the set it belongs to, so every filter and renderer that
 * takes endpoint sets takes it unchanged; the origin travels beside it. Pure.
 */
import type { ChangeRecord } from './change-record.js';
import type { EndpointSet } from './endpoint-set.js';
import type { Observation } from './observation.js';
import { addDays, parseYmd, versionDate, type VersionId } from './version-id.js';

export type EntryOrigin =
  | {
      readonly kind: 'observed';
      /** The concrete name that resolved to the address. */
      readonly name: string;
      /** ISO 8601 of the last answer. */
      readonly lastSeen: string;
      /** ISO 8601 of the first answer, and the TTL of the last one (lookups show them). */
      readonly firstSeen?: string;
      readonly ttl?: number;
    }
  | {
      readonly kind: 'grace';
      /** The version whose change record removed the entry. */
      readonly removedIn: VersionId;
      /** `YYYYMMDD`: the first day the entry is no longer written. */
      readonly leavesOn: string;
    }
  | {
      readonly kind: 'local';
      /** The overlay revision (or change id) the entry comes from; generated text only. */
      readonly revision: string;
    };

export type OriginKind = EntryOrigin['kind'];
export const ORIGIN_KINDS: readonly OriginKind[] = ['observed', 'grace', 'local'];

/** One entry that is not Microsoft's published data, as a one-entry set plus its origin. */
export interface LabelledSet {
  readonly set: EndpointSet;
  readonly origin: EntryOrigin;
}

const SAFE = /[^A-Za-z0-9.:_-]/g;

/** `2025-10-13` from `20251013` (dates in comments read as dates). */
export function ymdText(ymd: string): string {
  return `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`;
}

/**
 * The origin as one line of generated text for device-file comments and CLI output, e.g.
 * `observed: outlook.office365.com, last seen 2026-12-05` or `grace: removed in 2025092900,
 * leaves on 2025-10-13`. Every value is reduced to `[A-Za-z0-9.:_-]` so it can close no comment
 * or string in any format (the safety rule of formats/export/export-model.ts).
 */
export function originText(origin: EntryOrigin): string {
  const safe = (value: string): string => value.replace(SAFE, '?');
  switch (origin.kind) {
    case 'observed':
      return `observed: ${safe(origin.name)}, last seen ${safe(origin.lastSeen.slice(0, 10))}`;
    case 'grace':
      return `grace: removed in ${safe(origin.removedIn)}, leaves on ${safe(ymdText(origin.leavesOn))}`;
    case 'local':
      return `local: overlay revision ${safe(origin.revision)}`;
  }
}

/**
 * Where a labelled entry sits, for a comment line: `set 12` for observed and grace entries (they
 * belong to a published set); nothing for local ones, which belong to no Microsoft set (their set
 * id is 0; the overlay change is named by originText).
 */
export function entrySetText(setId: number, origin: EntryOrigin): string {
  return origin.kind === 'local' ? '' : `set ${setId}: `;
}

/** A set reduced to one entry (the value of a labelled entry). */
export function oneEntrySet(set: EndpointSet, kind: 'ip' | 'url', value: string): EndpointSet {
  const { urls: _u, ips: _i, notes: _n, ...rest } = set;
  return kind === 'ip' ? { ...rest, ips: [value] } : { ...rest, urls: [value] };
}

/**
 * Observations as labelled entries, with the attributes of their set in `sets` (the exported
 * version). An observation of a set the version does not hold is left out: without its set
 * there is no category or ports to give it.
 */
export function observedEntries(
  observations: readonly Observation[],
  sets: readonly EndpointSet[],
): LabelledSet[] {
  const byId = new Map(sets.map((set) => [set.id, set]));
  const out: LabelledSet[] = [];
  for (const o of observations) {
    const set = byId.get(o.setId);
    if (set === undefined) continue;
    const prefix = `${o.address}/${o.family === 4 ? 32 : 128}`;
    out.push({
      set: oneEntrySet(set, 'ip', prefix),
      origin: {
        kind: 'observed',
        name: o.name,
        lastSeen: o.lastSeen,
        firstSeen: o.firstSeen,
        ttl: o.ttl,
      },
    });
  }
  return out;
}

/** One removal still in grace: `value` left set `setId` in `removedIn`. */
export interface GraceRemoval {
  readonly setId: number;
  readonly kind: 'ip' | 'url';
  readonly value: string;
  readonly removedIn: VersionId;
  readonly leavesOn: string;
}

/**
 * Removals (`remove.ips`, `remove.urls` of the change records) of versions up to `version` still
 * in grace on `today`: the removing version's date (its id, `YYYYMMDDNN`) plus `graceDays` is
 * after today. The version id's date is used, not the store's publish time, so a publisher and
 * every mirror of it agree on the day an entry leaves. A value removed twice keeps its latest
 * removal.
 */
export function graceRemovals(
  records: readonly ChangeRecord[],
  version: VersionId,
  today: string,
  graceDays: number,
): GraceRemoval[] {
  const latest = new Map<string, GraceRemoval>();
  for (const record of records) {
    if (record.version > version || record.remove === undefined) continue;
    const date = versionDate(record.version);
    if (parseYmd(date) === undefined) continue;
    const leavesOn = addDays(date, graceDays);
    if (!(leavesOn > today)) continue;
    const add = (kind: 'ip' | 'url', value: string): void => {
      const key = `${record.endpointSetId} ${kind} ${value.toLowerCase()}`;
      const known = latest.get(key);
      if (known !== undefined && known.removedIn >= record.version) return;
      latest.set(key, {
        setId: record.endpointSetId,
        kind,
        value,
        removedIn: record.version,
        leavesOn,
      });
    };
    for (const ip of record.remove.ips ?? []) add('ip', ip);
    for (const url of record.remove.urls ?? []) add('url', url);
  }
  return [...latest.values()].sort(
    (a, b) => a.setId - b.setId || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
  );
}

/**
 * Removals as labelled entries. `before(removal)` gives the set as it stood before the removing
 * version (its category and ports are what the firewall allowed); a removal whose value the
 * exported version still publishes in the same set (re-added since) is not in grace.
 */
export function graceEntries(
  removals: readonly GraceRemoval[],
  current: readonly EndpointSet[],
  before: (removal: GraceRemoval) => EndpointSet | undefined,
): LabelledSet[] {
  const published = new Set<string>();
  for (const set of current) {
    for (const v of [...(set.ips ?? []), ...(set.urls ?? [])])
      published.add(`${set.id} ${v.toLowerCase()}`);
  }
  const out: LabelledSet[] = [];
  for (const removal of removals) {
    if (published.has(`${removal.setId} ${removal.value.toLowerCase()}`)) continue;
    const set = before(removal);
    if (set === undefined) continue;
    out.push({
      set: oneEntrySet(set, removal.kind, removal.value),
      origin: { kind: 'grace', removedIn: removal.removedIn, leavesOn: removal.leavesOn },
    });
  }
  return out;
}

/** Count of labelled entries per origin kind. */
export function countOrigins(
  entries: readonly { readonly origin?: EntryOrigin | undefined }[],
): Record<OriginKind, number> {
  const counts: Record<OriginKind, number> = { observed: 0, grace: 0, local: 0 };
  for (const entry of entries) if (entry.origin !== undefined) counts[entry.origin.kind] += 1;
  return counts;
}

/** Grace period in whole days: `--grace 14d` → 14; a part day counts as a whole day. */
export function graceDaysOf(seconds: number): number {
  return Math.ceil(seconds / 86_400);
}
