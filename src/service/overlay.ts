/**
 * The local overlay use cases, shared by `ipurl overlay add|exclude|list|remove` and
 * `/admin/instances/{instance}/overlay` (docs/operations.md "Local overlay"): every entry is
 * validated by core/overlay-validate.ts against the instance's published data (unknown set id or
 * service area refused, an exclusion matching nothing warned about and stored), recorded with
 * who/when/why, and the store queues `overlay.changed` webhook deliveries and changes its
 * revision in the same transaction, so catalogs, replicas and `watch` see the change.
 *
 * Device outputs get the view through `deviceView` (Microsoft's sets with the exclusions applied,
 * the additions marked local with the overlay revision); the wire routes never call it.
 */
import type { EndpointSet } from '../core/endpoint-set.js';
import { IpurlError, ValidationError, describeValue } from '../core/errors.js';
import { canonicalInstance } from '../core/instance.js';
import {
  activeOverlay,
  removalOf,
  type ActiveOverlay,
  type OverlayChange,
} from '../core/overlay.js';
import { applyOverlay, type OverlayView } from '../core/overlay-apply.js';
import { validateOverlayEntry } from '../core/overlay-validate.js';
import type { Store } from '../core/store.js';

export interface OverlayResult {
  readonly change: OverlayChange;
  /** What the validator warned about; stored with the change too. */
  readonly warnings: readonly string[];
}

/** The canonical name of an instance with at least one stored version (any case). */
export async function resolveOverlayInstance(store: Store, requested: string): Promise<string> {
  const names = (await store.listInstances()).map((s) => s.instance);
  const found = canonicalInstance(names, requested);
  if (found === undefined) {
    throw new IpurlError(
      'ERR_UNKNOWN_INSTANCE',
      `instance ${JSON.stringify(describeValue(requested))} is not in this store; an overlay applies to a stored instance: ${names.join(', ') || 'none'}`,
    );
  }
  return found;
}

async function latestSets(store: Store, instance: string): Promise<EndpointSet[]> {
  const latest = (await store.listVersions(instance))[0]?.version;
  return latest === undefined ? [] : ((await store.getEndpointSets(instance, latest)) ?? []);
}

function refuse(issues: ValidationError['issues'], what: string): ValidationError {
  const first = issues[0];
  const head =
    first === undefined
      ? ''
      : `; first: ${first.path} ${JSON.stringify(first.value)}: ${first.reason}`;
  return new ValidationError(
    issues,
    `${issues.length} problem${issues.length === 1 ? '' : 's'} in the ${what}${head}`,
  );
}

/**
 * Validate and record one entry (`{action: 'add' | 'exclude' | 'remove', …}`, see
 * core/overlay-validate.ts). ERR_VALIDATION with every issue when refused.
 */
export async function changeOverlay(
  store: Store,
  requestedInstance: string,
  raw: unknown,
  now: Date = new Date(),
): Promise<OverlayResult> {
  const instance = await resolveOverlayInstance(store, requestedInstance);
  const [knownSetIds, sets, history] = await Promise.all([
    store.knownSetIds(instance),
    latestSets(store, instance),
    store.listOverlayChanges(),
  ]);
  if (
    typeof raw === 'object' &&
    raw !== null &&
    (raw as { action?: unknown }).action === 'remove'
  ) {
    const target = (raw as { target?: unknown }).target;
    const found = history.find((c) => c.id === target);
    if (typeof target === 'number' && (found === undefined || found.instance !== instance)) {
      throw new IpurlError(
        'ERR_NOT_FOUND',
        `${instance} has no overlay change #${target}; ipurl overlay list ${instance} shows them`,
      );
    }
    const removal = typeof target === 'number' ? removalOf(history, target) : undefined;
    if (removal !== undefined) {
      throw new IpurlError(
        'ERR_CONFLICT',
        `overlay change #${String(target)} was already removed by #${removal.id} (${removal.by}, ${removal.at})`,
      );
    }
  }
  const result = validateOverlayEntry(raw, { instance, knownSetIds, sets, history });
  if (result.issues.length > 0 || result.entry === undefined) {
    const action = (raw as { action?: unknown } | null)?.action;
    throw refuse(
      result.issues,
      `overlay ${typeof action === 'string' ? action : 'entry'} for ${instance}`,
    );
  }
  const change = await store.recordOverlayChange({
    instance,
    entry: result.entry,
    by: result.by,
    note: result.note,
    at: now.toISOString(),
    ...(result.relaxedRules.length > 0 ? { relaxedRules: result.relaxedRules } : {}),
    ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
  });
  return { change, warnings: result.warnings };
}

/** `ipurl overlay remove <id>`: the instance is the one of the change. */
export async function removeOverlayChange(
  store: Store,
  id: number,
  by: string,
  note: string,
  now: Date = new Date(),
): Promise<OverlayResult> {
  const found = (await store.listOverlayChanges()).find((c) => c.id === id);
  if (found === undefined) {
    throw new IpurlError(
      'ERR_NOT_FOUND',
      `no overlay change #${id} in this store; ipurl overlay list <instance> shows them`,
    );
  }
  return changeOverlay(store, found.instance, { action: 'remove', target: id, by, note }, now);
}

export interface OverlayListing {
  readonly instance: string;
  /** Every change, oldest first, each with the change that removed it when one did. */
  readonly history: ReadonlyArray<OverlayChange & { readonly removedBy?: number }>;
  readonly active: ActiveOverlay;
}

/** The history and what is in force, for `overlay list` and GET …/overlay. */
export async function listOverlay(
  store: Store,
  requestedInstance: string,
): Promise<OverlayListing> {
  const instance = await resolveOverlayInstance(store, requestedInstance);
  const history = await store.listOverlayChanges(instance);
  const removedBy = new Map<number, number>();
  for (const change of history)
    if (change.entry.action === 'remove') removedBy.set(change.entry.target, change.id);
  return {
    instance,
    history: history.map((change) => {
      const by = removedBy.get(change.id);
      return by === undefined ? change : { ...change, removedBy: by };
    }),
    active: activeOverlay(instance, history),
  };
}

/** The overlay in force for an instance (canonical name); revision 0 and empty without one. */
export async function loadOverlay(store: Store, instance: string): Promise<ActiveOverlay> {
  return activeOverlay(instance, await store.listOverlayChanges(instance));
}

/** The device view of `sets` (of `instance`) under its overlay. */
export async function deviceView(
  store: Store,
  instance: string,
  sets: readonly EndpointSet[],
): Promise<OverlayView> {
  return applyOverlay(sets, await loadOverlay(store, instance));
}
