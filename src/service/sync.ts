/**
 * Keep a local store in step with an upstream compatible service: endpoints.office.com or another
 * ipurl, with the client pattern of Microsoft's sample scripts that every consumer rebuilds (poll
 * `/version`, fetch only on change; docs/operations.md, "The upstream client").
 *
 * - One ClientRequestId per store, generated once and kept in the store's state (Microsoft asks
 *   for one GUID per machine); it is never rotated, not even to get past a 429 (rotating GUIDs to
 *   dodge the limit is what it targets).
 * - `/version` at most once an hour unless forced (Microsoft tells clients to poll it hourly);
 *   `/endpoints` and `/changes` only for an instance whose version moved. The first sync of an
 *   instance takes the whole change history (`/changes/{instance}/0000000000`, "from the
 *   beginning" in docs/api.md) and stores the upstream's records as they are (ids, effective
 *   dates).
 * - Every service area is asked for, MEM included (`ServiceAreas=Exchange,SharePoint,Skype,MEM,
 *   Common`): the live service leaves MEM out of an answer that does not name it.
 * - Tenant placeholders survive (sync-data.ts): a second `/endpoints` with a marker TenantName.
 * - Upstream trouble never costs data: every answer is checked before anything is written; a
 *   failure leaves the store as it was, is logged once per episode (first failure, then recovery),
 *   backs off (doubling from one minute to one hour, or longer when the upstream sends
 *   Retry-After), and is visible in the `sync` state that `/health` and `ipurl status` read.
 */
import { randomBytes } from 'node:crypto';
import { createUpstreamClient } from '../client/upstream-client.js';
import { fetchVersionList } from '../client/upstream-protocol.js';
import { IpurlError } from '../core/errors.js';
import type { Store } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import { describeHeld } from './held.js';
import { syncInstance } from './sync-instance.js';
import { deferred, errorInfo, fail, getClientRequestId, readSyncState } from './sync-state.js';
import {
  SYNC_STATE_KEY,
  VERSION_CHECK_INTERVAL_MS,
  type InstanceSyncResult,
  type SyncOptions,
  type SyncOutcome,
  type SyncReport,
  type SyncState,
} from './sync-types.js';

// The parts of a sync live beside this file (sync-instance, sync-state, sync-loop, sync-types);
// their public names are re-exported here, where the CLI, the server and the tests import them.
export * from './sync-types.js';
export {
  getClientRequestId,
  readSyncState,
  stalenessSeconds,
  syncStalenessByInstance,
} from './sync-state.js';
export { startSyncLoop, type SyncLoopOptions } from './sync-loop.js';

function renderMarker(): string {
  return `ipurlmarker${randomBytes(4).toString('hex')}`;
}

/** One sync run. Never throws for upstream trouble: the report says what happened. */
export async function syncOnce(store: Store, options: SyncOptions): Promise<SyncReport> {
  const now = options.now?.() ?? new Date();
  const client = createUpstreamClient({
    baseUrl: options.upstream,
    clientRequestId: await getClientRequestId(store),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const upstream = client.baseUrl;
  const previousState = await readSyncState(store);
  // Another upstream: its versions and timers mean nothing here (the ClientRequestId stays).
  const base: SyncState =
    previousState?.upstream === upstream ? previousState : { upstream, failures: 0 };
  const requested = [...(options.instances ?? [])];
  const sameRequest =
    (base.requested ?? []).join(',').toLowerCase() === requested.join(',').toLowerCase();

  // Retry-After (at most 24 hours, upstream-client.ts) and the backoff after failures defer every
  // run except a forced one.
  const waiting = (until: string | undefined): boolean =>
    options.force !== true && until !== undefined && Date.parse(until) > now.getTime();
  if (waiting(base.retryAfterUntil)) {
    return deferred(
      base,
      upstream,
      `the upstream asked to wait until ${base.retryAfterUntil} (Retry-After); no request made`,
    );
  }
  if (waiting(base.nextAttemptAt)) {
    return deferred(
      base,
      upstream,
      `backing off after ${base.failures} failed attempt(s) until ${base.nextAttemptAt}; no request made`,
    );
  }

  const interval = options.checkIntervalMs ?? VERSION_CHECK_INTERVAL_MS;
  const recentCheck =
    options.force !== true &&
    sameRequest &&
    base.lastCheckAt !== undefined &&
    now.getTime() - Date.parse(base.lastCheckAt) < interval &&
    base.remote !== undefined;

  const results: InstanceSyncResult[] = [];
  let checkedVersion = false;
  let remote: Record<string, VersionId> = { ...(base.remote ?? {}) };
  let lastCheckAt = base.lastCheckAt;
  const marker = options.marker ?? renderMarker();
  try {
    let targets: string[];
    if (recentCheck) {
      targets = Object.keys(remote);
      const pending: string[] = [];
      for (const instance of targets) {
        const local = (await store.listVersions(instance))[0]?.version ?? null;
        if (local !== remote[instance]) pending.push(instance);
      }
      if (pending.length === 0) {
        const state: SyncState = { ...base, lastAttemptAt: now.toISOString() };
        await store.setState(SYNC_STATE_KEY, JSON.stringify(state));
        return {
          outcome: 'skipped',
          upstream,
          checkedVersion: false,
          instances: [],
          state,
          log: [],
        };
      }
    } else {
      const infos = await fetchVersionList(client);
      checkedVersion = true;
      lastCheckAt = now.toISOString();
      const byLower = new Map(infos.map((info) => [info.instance.toLowerCase(), info]));
      if (requested.length > 0) {
        const unknown = requested.filter((name) => !byLower.has(name.toLowerCase()));
        if (unknown.length > 0) {
          throw new IpurlError(
            'ERR_UNKNOWN_INSTANCE',
            `the upstream ${upstream} does not list instance ${unknown.map((n) => JSON.stringify(n)).join(', ')}; it lists ${infos.map((i) => i.instance).join(', ')}`,
          );
        }
      }
      const chosen =
        requested.length > 0 ? requested.map((name) => byLower.get(name.toLowerCase())!) : infos;
      remote = Object.fromEntries(chosen.map((info) => [info.instance, info.latest]));
      targets = chosen.map((info) => info.instance);
    }
    for (const instance of targets) {
      results.push(
        await syncInstance(store, client, instance, remote[instance]!, marker, options, now),
      );
    }
  } catch (error) {
    const info = errorInfo(error, now);
    return fail(
      store,
      { ...base, remote, ...(lastCheckAt === undefined ? {} : { lastCheckAt }) },
      upstream,
      checkedVersion,
      results,
      error,
      info,
      now,
      requested,
    );
  }

  const at = now.toISOString();
  const instances = { ...(base.instances ?? {}) };
  for (const result of results)
    if (result.current !== null)
      instances[result.instance] = { version: result.current, syncedAt: at };
  const log: string[] = [];
  if (base.failures > 0) {
    log.push(
      `sync from ${upstream} recovered after ${base.failures} failed attempt(s) since ${base.failingSince ?? '?'}`,
    );
  }
  for (const result of results)
    if (result.newlyHeld === true && result.held !== undefined) log.push(describeHeld(result.held));
  const state: SyncState = {
    upstream,
    ...(lastCheckAt === undefined ? {} : { lastCheckAt }),
    remote,
    lastAttemptAt: at,
    lastSuccessAt: at,
    instances,
    ...(base.lastError === undefined ? {} : { lastError: base.lastError }),
    failures: 0,
    requested,
  };
  await store.setState(SYNC_STATE_KEY, JSON.stringify(state));
  const outcome: SyncOutcome = results.some((r) => r.outcome === 'updated')
    ? 'updated'
    : results.some((r) => r.outcome === 'held')
      ? 'held'
      : 'up-to-date';
  return { outcome, upstream, checkedVersion, instances: results, state, log };
}
