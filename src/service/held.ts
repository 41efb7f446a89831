/**
 * The change guard around a store (issue 14): where sync and a mirror store an upstream's new
 * version, `holdIfTripped` compares it with the version served now (core/change-guard.ts) and,
 * when the guard trips, keeps the whole batch apart as *held* instead of appending it: every
 * read route keeps serving the last accepted version. `acceptHeld` appends it as normal versions
 * (change records, webhooks), `rejectHeld` drops it; both are shared by `ipurl accept|reject` and
 * `POST /admin/instances/{i}/versions/{v}/accept|reject`. `/health` and `ipurl status` show what is
 * held with `heldSummary`.
 */
import {
  DEFAULT_GUARD_THRESHOLDS,
  describeGuardReport,
  evaluateChange,
  type GuardThresholds,
} from '../core/change-guard.js';
import { IpurlError, describeValue } from '../core/errors.js';
import { canonicalInstance } from '../core/instance.js';
import type { AcceptHeldResult, HeldStep, HeldVersion, Store } from '../core/store.js';
import { isVersionId, type VersionId } from '../core/version-id.js';

/** `false` turns the guard off (not offered on the command line; tests and embedding only). */
export type GuardSetting = GuardThresholds | false;

/**
 * Before fetching: is the upstream's latest already held or rejected here? Then there is nothing
 * to fetch (and a rejected version is never fetched and held again).
 */
export async function decidedUpstreamVersion(
  store: Store,
  instance: string,
  remote: VersionId,
): Promise<HeldVersion | undefined> {
  const found = (await store.listHeldVersions({ instance })).find(
    (held) => held.version === remote,
  );
  return found?.status === 'held' || found?.status === 'rejected' ? found : undefined;
}

/**
 * At the point where new versions would be appended: hold them when the guard trips. `local` is
 * the served latest (null: a new instance, never held, there is nothing to compare with).
 */
export async function holdIfTripped(
  store: Store,
  input: {
    readonly instance: string;
    readonly local: VersionId | null;
    readonly steps: readonly HeldStep[];
    readonly guard?: GuardSetting;
    readonly now?: Date;
  },
): Promise<HeldVersion | undefined> {
  const last = input.steps[input.steps.length - 1];
  if (input.local === null || input.guard === false || last === undefined) return undefined;
  const served = (await store.getEndpointSets(input.instance, input.local)) ?? [];
  const report = evaluateChange(served, last.sets, input.guard ?? DEFAULT_GUARD_THRESHOLDS);
  if (!report.held) return undefined;
  return store.holdVersion({
    instance: input.instance,
    version: last.version,
    basedOn: input.local,
    steps: input.steps,
    report,
    ...(input.now === undefined ? {} : { heldAt: input.now.toISOString() }),
  });
}

/** After a normal append: an older held version of the instance will never be accepted now. */
export async function supersedeHeld(store: Store, instance: string, now?: Date): Promise<void> {
  for (const held of await store.listHeldVersions({ instance, status: 'held' })) {
    await store.closeHeldVersion(instance, held.version, 'superseded', now?.toISOString());
  }
}

/** The canonical instance among those with a held version or a stored version (any case). */
async function resolveInstance(store: Store, requested: string): Promise<string> {
  const names = new Set([
    ...(await store.listInstances()).map((s) => s.instance),
    ...(await store.listHeldVersions()).map((h) => h.instance),
  ]);
  const found = canonicalInstance([...names], requested);
  if (found === undefined) {
    throw new IpurlError(
      'ERR_UNKNOWN_INSTANCE',
      `instance ${JSON.stringify(describeValue(requested))} is not in this store; instances: ${[...names].join(', ') || 'none'}`,
    );
  }
  return found;
}

function checkVersion(version: string): void {
  if (!isVersionId(version)) {
    throw new IpurlError(
      'ERR_INVALID_VERSION',
      `version must be ten digits YYYYMMDDNN, e.g. 2025022800; received ${JSON.stringify(describeValue(version))}`,
    );
  }
}

/**
 * Accept and reject check the same things before the store decides: a well-formed version of an
 * instance this store knows (any case).
 */
function heldDecision<T>(
  decide: (store: Store, instance: string, version: string, at: string) => Promise<T>,
): (store: Store, instanceName: string, version: string, now?: Date) => Promise<T> {
  return async (store, instanceName, version, now = new Date()) => {
    checkVersion(version);
    const instance = await resolveInstance(store, instanceName);
    return decide(store, instance, version, now.toISOString());
  };
}

/** Release a held version: it is appended (with every version of its batch) and served. */
export const acceptHeld = heldDecision<AcceptHeldResult>((store, instance, version, at) =>
  store.acceptHeldVersion(instance, version, at),
);

/** Drop a held version: never served; the next sync waits for a newer upstream version. */
export const rejectHeld = heldDecision<HeldVersion>((store, instance, version, at) =>
  store.closeHeldVersion(instance, version, 'rejected', at),
);

/**
 * What is said of a held version wherever it is shown (`/health`, `ipurl status`, the `version.held`
 * webhook): only what never changes after holding, so a webhook retry sends the same bytes.
 */
export interface HeldFacts {
  readonly instance: string;
  readonly version: VersionId;
  /** The version still served. */
  readonly servedVersion: VersionId;
  readonly versions: readonly VersionId[];
  readonly heldAt: string;
  /** One sentence per tripped rule, with the figures. */
  readonly reasons: readonly string[];
}

export function heldFacts(held: HeldVersion): HeldFacts {
  return {
    instance: held.instance,
    version: held.version,
    servedVersion: held.basedOn,
    versions: held.versions,
    heldAt: held.heldAt,
    reasons: held.report.trips.map((trip) => trip.message),
  };
}

export interface HeldSummary extends HeldFacts {
  readonly figures: {
    readonly ipv4RemovedFraction: number;
    readonly ipv6RemovedFraction: number;
    readonly urlRemovedFraction: number;
    readonly ipv4Growth: number | null;
    readonly ipv4: { readonly before: string; readonly after: string; readonly removed: string };
    readonly ipv6: { readonly before: string; readonly after: string; readonly removed: string };
    readonly urls: { readonly before: number; readonly after: number; readonly removed: number };
    readonly newServiceAreas: readonly string[];
    readonly vanishedServiceAreas: readonly string[];
  };
  readonly accept: string;
  readonly reject: string;
}

/** What `/health` and `ipurl status --json` show for each version still held. */
export function heldSummary(held: HeldVersion): HeldSummary {
  const r = held.report;
  const space = (f: typeof r.ipv4) => ({ before: f.before, after: f.after, removed: f.removed });
  return {
    ...heldFacts(held),
    figures: {
      ipv4RemovedFraction: r.ipv4.removedFraction,
      ipv6RemovedFraction: r.ipv6.removedFraction,
      urlRemovedFraction: r.urls.removedFraction,
      ipv4Growth: r.ipv4Growth,
      ipv4: space(r.ipv4),
      ipv6: space(r.ipv6),
      urls: { before: r.urls.before, after: r.urls.after, removed: r.urls.removed },
      newServiceAreas: r.newServiceAreas,
      vanishedServiceAreas: r.vanishedServiceAreas,
    },
    accept: `ipurl accept ${held.instance} ${held.version}`,
    reject: `ipurl reject ${held.instance} ${held.version}`,
  };
}

/** Every version held now, newest first (for `/health` and `ipurl status`). */
export async function listHeldSummaries(store: Store): Promise<HeldSummary[]> {
  return (await store.listHeldVersions({ status: 'held' })).map(heldSummary);
}

/** One line for people: what is held, why, and how to release or drop it. */
export function describeHeld(held: HeldVersion): string {
  return `${held.instance}: ${held.version} HELD by the change guard (${describeGuardReport(held.report)}); still serving ${held.basedOn}. Release: ipurl accept ${held.instance} ${held.version}; drop: ipurl reject ${held.instance} ${held.version}`;
}
