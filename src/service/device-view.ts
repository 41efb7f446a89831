/**
 * The device view: what every device output (exports, PAC, lookup, classify, `watch`/`sync
 * --output`) renders from, for one resolved instance and version. It is Microsoft's published
 * sets plus labelled entries (core/device-entry.ts), each with its origin:
 * - `observed` (`includeObserved`): addresses `ipurl observe` stored for URL-only sets;
 * - `grace` (`graceSeconds`): entries removed by versions dated within the period before `today`;
 * - `local`: the administrator's overlay.
 *
 * The wire routes (/endpoints, /changes, /version) and the docs table never call this: they stay
 * exactly Microsoft's.
 *
 * Entry point for the overlay (`DeviceViewRequest.overlay`): a function that receives the
 * published sets and returns them with its exclusions applied plus its additions as labelled
 * entries of kind `local` (`{ set, origin: { kind: 'local', revision } }`, one entry per set, the
 * set carrying the category and ports the entry is allowed on). Exclusions apply to the published
 * sets only; observed and grace entries of an excluded set are dropped with it (they are keyed by
 * set id). Callers pass it through unchanged; every output then shows the additions labelled.
 */
import type { ChangeRecord } from '../core/change-record.js';
import {
  graceDaysOf,
  graceEntries,
  graceRemovals,
  observedEntries,
  ymdText,
  type LabelledSet,
} from '../core/device-entry.js';
import type { EndpointSet } from '../core/endpoint-set.js';
import type { Store } from '../core/store.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { formatYmd, type VersionId } from '../core/version-id.js';
import { applyOverlay, excludeLabelled } from '../core/overlay-apply.js';
import type { Catalog, Resolved } from './catalog.js';

/** Where observed addresses are read from (the store; absent = none stored). */
export type ObservationSource = Pick<Store, 'listObservations'>;

export interface OverlayResult {
  /** The published sets with the overlay's exclusions applied. */
  readonly sets: readonly EndpointSet[];
  /** The overlay's additions, each of origin kind `local`. */
  readonly additions: readonly LabelledSet[];
  /** What the overlay did, for headers (revision, what it excluded); absent: nothing to say. */
  readonly description?: string;
  /** The labelled entries (observed, grace) its exclusions leave; absent: all of them. */
  readonly excludeLabelled?: (entries: readonly LabelledSet[]) => LabelledSet[];
}

/**
 * The instance's own local overlay (service/overlay.ts), read through the catalog: what every
 * device view applies unless the request brings another one. Additions become `local` entries
 * naming the overlay revision; exclusions come off the published sets.
 */
export function catalogOverlay(
  catalog: Catalog,
  instance: string,
): NonNullable<DeviceViewRequest['overlay']> {
  return async (published) => {
    const overlay = await catalog.overlay(instance);
    if (overlay.revision === 0) return { sets: published, additions: [] };
    const view = applyOverlay(published, overlay);
    // Id 0: no Microsoft set has it, so a renderer's "set N" never names a published set; the
    // change id travels in the origin.
    const additions = view.local.map(({ origin, ...set }): LabelledSet => ({
      set: { ...set, id: 0 },
      origin: { kind: 'local', revision: `${origin.revision}.change-${origin.change}` },
    }));
    const { sets, urls, ips } = view.excluded;
    const exclusions = overlay.exclusions.map((change) => change.entry);
    return {
      sets: view.sets,
      additions,
      excludeLabelled: (entries) => excludeLabelled(entries, exclusions),
      description: `local overlay revision ${view.revision}: ${additions.length} addition(s) labelled local; excluded ${sets} set(s), ${urls} URL(s), ${ips} prefix(es) of the published data (ipurl overlay list)`,
    };
  };
}

export interface DeviceViewRequest {
  /** Add the observed addresses of URL-only sets (needs `observations`). */
  readonly includeObserved?: boolean;
  readonly observations?: ObservationSource | undefined;
  /** Keep entries removed within this many seconds (counted in whole days). */
  readonly graceSeconds?: number;
  /** Today (tests pin it); default now. */
  readonly now?: Date;
  /** The local overlay (see the header comment). */
  readonly overlay?: (published: readonly EndpointSet[]) => OverlayResult | Promise<OverlayResult>;
}

export interface DeviceView {
  readonly instance: string;
  readonly version: VersionId;
  /** Microsoft's published sets of the version (after overlay exclusions). */
  readonly published: readonly EndpointSet[];
  /** Labelled entries, observed first, then grace, then local. */
  readonly labelled: readonly LabelledSet[];
  /** What was asked, for headers: `grace 14d (removals dated after 2025-09-17)`. */
  readonly description: readonly string[];
}

/** `--grace 14d` / `grace=14d`: at least one day; the error names the flag and the value. */
export function parseGrace(text: string, parameter = 'grace'): number {
  return parseDuration(text, parameter, 86_400);
}

/** The set `id` of the version stored just before `version` (the set a removal came from). */
async function setsBefore(
  catalog: Catalog,
  resolved: Resolved,
  versions: readonly VersionId[],
): Promise<Map<VersionId, Map<number, EndpointSet>>> {
  const newestFirst = resolved.summary.versions;
  const out = new Map<VersionId, Map<number, EndpointSet>>();
  for (const version of versions) {
    const index = newestFirst.indexOf(version);
    const previous = index === -1 ? undefined : newestFirst[index + 1];
    if (previous === undefined) continue;
    const sets = await catalog.sets(catalog.resolve(resolved.instance, previous));
    out.set(version, new Map(sets.map((set) => [set.id, set])));
  }
  return out;
}

/** Grace entries of `resolved` on `today` (records read once per store revision by the catalog). */
export async function graceFor(
  catalog: Catalog,
  resolved: Resolved,
  current: readonly EndpointSet[],
  graceSeconds: number,
  today: string,
  records?: readonly ChangeRecord[],
): Promise<LabelledSet[]> {
  const history = records ?? (await catalog.history(resolved.instance));
  const removals = graceRemovals(history, resolved.version, today, graceDaysOf(graceSeconds));
  if (removals.length === 0) return [];
  const before = await setsBefore(catalog, resolved, [
    ...new Set(removals.map((r) => r.removedIn)),
  ]);
  // A set that was already gone before the removing version has no attributes: left out.
  return graceEntries(removals, current, (r) => before.get(r.removedIn)?.get(r.setId));
}

/**
 * The device view of `resolved`, with `stored` its published sets (already read by the caller,
 * which may have removed pending additions from them).
 */
export async function deviceView(
  catalog: Catalog,
  resolved: Resolved,
  stored: readonly EndpointSet[],
  request: DeviceViewRequest,
): Promise<DeviceView> {
  const today = formatYmd(request.now ?? new Date());
  // The instance's overlay applies to every device view (the wire routes never build one).
  const overlay = await (request.overlay ?? catalogOverlay(catalog, resolved.instance))(stored);
  const published = overlay.sets;
  // What the overlay excludes from the published sets stays out of the labelled entries too.
  const leave = overlay.excludeLabelled ?? ((entries: readonly LabelledSet[]) => [...entries]);
  const labelled: LabelledSet[] = [];
  const description: string[] = [];
  if (request.includeObserved === true) {
    const observations =
      (await request.observations?.listObservations(resolved.instance)) ?? ([] as const);
    const entries = leave(observedEntries(observations, published));
    labelled.push(...entries);
    description.push(
      `observed addresses (ipurl observe): included (${entries.length}), labelled observed`,
    );
  }
  if (request.graceSeconds !== undefined) {
    const entries = leave(await graceFor(catalog, resolved, stored, request.graceSeconds, today));
    labelled.push(...entries);
    description.push(
      `removal grace ${formatDuration(graceDaysOf(request.graceSeconds) * 86_400)}: ${entries.length} removed entr${entries.length === 1 ? 'y' : 'ies'} kept (by version date, on ${ymdText(today)}), labelled grace`,
    );
  }
  labelled.push(...overlay.additions);
  if (overlay.description !== undefined) description.push(overlay.description);
  return {
    instance: resolved.instance,
    version: resolved.version,
    published,
    labelled,
    description,
  };
}

/**
 * A key part for prepared caches: answers that depend on the device view change with today's date
 * (grace) and with the stored observations (which do not move the store revision).
 */
export async function deviceViewKey(instance: string, request: DeviceViewRequest): Promise<string> {
  const parts: string[] = [];
  if (request.graceSeconds !== undefined) {
    parts.push(
      `grace=${graceDaysOf(request.graceSeconds)}d@${formatYmd(request.now ?? new Date())}`,
    );
  }
  if (request.includeObserved === true) {
    const rows = (await request.observations?.listObservations(instance)) ?? [];
    let last = '';
    for (const row of rows) if (row.lastSeen > last) last = row.lastSeen;
    parts.push(`observed=${rows.length}@${last}`);
  }
  return parts.join('|');
}
