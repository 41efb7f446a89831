/**
 * Keep a local store in step with an upstream compatible service: endpoints.office.com or another
 * ipurl (ECOSYSTEM.md §A: the pipeline every consumer rebuilds; SPEC §10 "client pattern").
 *
 * - One ClientRequestId per store, generated once and kept in the store's state (SPEC §2.1); it
 *   is never rotated, not even to get past a 429 (SPEC §2.2).
 * - `/version` at most once an hour unless forced (SPEC §2.3, §10); `/endpoints` and `/changes`
 *   only for an instance whose version moved. The first sync of an instance takes the whole
 *   change history (`/changes/{instance}/0000000000`, SPEC §5.1) and stores the upstream's records
 *   as they are (ids, effective dates).
 * - Every service area is asked for, MEM included (`ServiceAreas=Exchange,SharePoint,Skype,MEM,
 *   Common`): the live service leaves MEM out of an answer that does not name it.
 * - Tenant placeholders survive (sync-data.ts): a second `/endpoints` with a marker TenantName.
 * - Upstream trouble never costs data: every answer is checked before anything is written; a
 *   failure leaves the store as it was, is logged once per episode (first failure, then recovery),
 *   backs off (doubling from one minute to one hour, or longer when the upstream sends
 *   Retry-After), and is visible in the `sync` state that `/health` and `ipurl status` read.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ChangeRecord } from '../core/change-record.js';
import { SERVICE_AREAS } from '../core/endpoint-set.js';
import {
  IpurlError,
  ValidationError,
  describeValue,
  isIpurlError,
  type Issue,
} from '../core/errors.js';
import type { Store } from '../core/store.js';
import { VERSION_ZERO, isVersionId, type VersionId } from '../core/version-id.js';
import {
  createUpstreamClient,
  displayUpstream,
  upstreamDetails,
  upstreamError,
  type UpstreamClient,
  type UpstreamFailureKind,
} from '../client/upstream-client.js';
import { DEFAULT_POLICY, versionIssues, type SanityPolicy } from '../core/sanity-policy.js';
import {
  checkRebuiltVersions,
  checkUpstreamChanges,
  checkUpstreamSets,
  reconstructHistory,
  restoreTenantPlaceholders,
} from './sync-data.js';
import {
  decidedUpstreamVersion,
  describeHeld,
  holdIfTripped,
  supersedeHeld,
  type GuardSetting,
} from './held.js';
import type { HeldVersion } from '../core/store.js';

export const CLIENT_REQUEST_ID_KEY = 'clientRequestId';
export const SYNC_STATE_KEY = 'sync';
/** SPEC §2.3/§10: poll `/version` at most hourly. */
export const VERSION_CHECK_INTERVAL_MS = 3_600_000;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 3_600_000;

export interface SyncErrorInfo {
  readonly at: string;
  readonly message: string;
  readonly code: string;
  readonly kind?: UpstreamFailureKind;
  readonly status?: number;
  readonly instance?: string;
}

/** Kept as JSON under the `sync` state key; read by `/health`, `ipurl status`, metrics. */
export interface SyncState {
  readonly upstream: string;
  /** Last successful `/version` call. */
  readonly lastCheckAt?: string;
  /** The upstream's latest version per instance at that call. */
  readonly remote?: Readonly<Record<string, VersionId>>;
  readonly lastAttemptAt?: string;
  /** Last run that left every instance at the upstream's version. */
  readonly lastSuccessAt?: string;
  /** Per instance: when it was last known to be at the upstream's version. */
  readonly instances?: Readonly<
    Record<string, { readonly version: VersionId; readonly syncedAt: string }>
  >;
  readonly lastError?: SyncErrorInfo;
  /** Consecutive failed runs; 0 when healthy. */
  readonly failures: number;
  readonly failingSince?: string;
  /** Backoff: no new attempt before this time (unless forced). */
  readonly nextAttemptAt?: string;
  /** The upstream's Retry-After: no request before this time, forced or not (SPEC §2.2). */
  readonly retryAfterUntil?: string;
  /** Instances the last run was asked for (empty = every instance the upstream lists). */
  readonly requested?: readonly string[];
}

/** `held`: the change guard holds the upstream's latest (still serving `current`); `rejected`: it was rejected here. */
export type InstanceOutcome = 'updated' | 'up-to-date' | 'held' | 'rejected' | 'failed';

export interface InstanceSyncResult {
  readonly instance: string;
  readonly outcome: InstanceOutcome;
  /** Local latest before the run (null: new here). */
  readonly previous: VersionId | null;
  /** Local latest after the run. */
  readonly current: VersionId | null;
  readonly remote: VersionId | null;
  /** Versions appended by this run, oldest first. */
  readonly added: readonly VersionId[];
  readonly changeRecords: number;
  readonly error?: SyncErrorInfo;
  /** The held (or rejected) version, for outcomes `held` and `rejected`. */
  readonly held?: HeldVersion;
  /** True when this run held it (the first time); false when it was held before. */
  readonly newlyHeld?: boolean;
}

export type SyncOutcome =
  /** At least one instance got a new version (and none failed). */
  | 'updated'
  /** Nothing appended, and at least one instance's new version is held by the change guard. */
  | 'held'
  /** Everything already at the upstream's version. */
  | 'up-to-date'
  /** `/version` was checked less than an hour ago and nothing is pending: no request made. */
  | 'skipped'
  /** Backing off or honouring Retry-After: no request made. */
  | 'deferred'
  | 'failed';

export interface SyncReport {
  readonly outcome: SyncOutcome;
  readonly upstream: string;
  readonly checkedVersion: boolean;
  readonly instances: readonly InstanceSyncResult[];
  readonly error?: SyncErrorInfo;
  readonly state: SyncState;
  /** Human lines worth logging for this run (episode start / recovery); empty when quiet. */
  readonly log: readonly string[];
}

export interface SyncOptions {
  readonly upstream: string;
  /** Instances to follow, any case; empty/undefined = every instance the upstream lists. */
  readonly instances?: readonly string[];
  /** Check `/version` even if it was checked within the hour, ignoring backoff and Retry-After. */
  readonly force?: boolean;
  readonly now?: () => Date;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** The marker TenantName (tests pin it); default `ipurlmarker` + 8 random hex digits. */
  readonly marker?: string;
  /** Minimum time between `/version` calls (default one hour). */
  readonly checkIntervalMs?: number;
  /** The sanity policy upstream data must pass (default: every rule, default limits). */
  readonly policy?: SanityPolicy;
  /** Change guard thresholds (default DEFAULT_GUARD_THRESHOLDS). */
  readonly guard?: GuardSetting;
}

export async function getClientRequestId(store: Store): Promise<string> {
  const existing = await store.getState(CLIENT_REQUEST_ID_KEY);
  if (existing !== undefined && existing !== '') return existing;
  const id = randomUUID();
  await store.setState(CLIENT_REQUEST_ID_KEY, id);
  return id;
}

export async function readSyncState(store: Store): Promise<SyncState | undefined> {
  const text = await store.getState(SYNC_STATE_KEY);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as SyncState;
  } catch {
    return undefined;
  }
}

/** Staleness in seconds: time since the last run that reached the upstream's version. */
export function stalenessSeconds(
  state: SyncState | undefined,
  now: Date = new Date(),
): number | null {
  if (state?.lastSuccessAt === undefined) return null;
  return Math.max(0, Math.round((now.getTime() - Date.parse(state.lastSuccessAt)) / 1000));
}

function errorInfo(error: unknown, at: Date, instance?: string): SyncErrorInfo {
  const details = upstreamDetails(error);
  const message = error instanceof Error ? error.message : String(error);
  let full = message;
  if (error instanceof ValidationError) {
    full = `${message}: ${error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path} ${issue.reason} (received ${issue.value})`)
      .join('; ')}${error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : ''}`;
  }
  return {
    at: at.toISOString(),
    message: full,
    code: isIpurlError(error) ? error.code : 'ERR_INTERNAL',
    ...(details === undefined ? {} : { kind: details.kind }),
    ...(details?.status === undefined ? {} : { status: details.status }),
    ...(instance === undefined ? {} : { instance }),
  };
}

function invalidData(url: string, what: string, issues: readonly Issue[]): IpurlError {
  const shown = issues
    .slice(0, 5)
    .map((issue) => `${issue.path} ${issue.reason} (received ${JSON.stringify(issue.value)})`)
    .join('; ');
  return upstreamError(
    `${url} sent ${what} that fail validation (${issues.length} problem${issues.length === 1 ? '' : 's'}): ${shown}${issues.length > 5 ? '; …' : ''}`,
    { kind: 'invalid-data', url },
  );
}

interface VersionInfo {
  readonly instance: string;
  readonly latest: VersionId;
  readonly versions?: readonly VersionId[];
}

function checkVersionBody(body: unknown, url: string): VersionInfo[] {
  const items = Array.isArray(body) ? body : [body];
  const issues: Issue[] = [];
  const out: VersionInfo[] = [];
  items.forEach((item: unknown, index) => {
    const record = item as { instance?: unknown; latest?: unknown; versions?: unknown } | null;
    if (
      typeof record !== 'object' ||
      record === null ||
      typeof record.instance !== 'string' ||
      typeof record.latest !== 'string' ||
      !isVersionId(record.latest)
    ) {
      issues.push({
        path: `[${index}]`,
        value: describeValue(item),
        reason: 'expected {"instance": name, "latest": ten digits}',
      });
      return;
    }
    const versions = Array.isArray(record.versions)
      ? record.versions.filter((v): v is string => typeof v === 'string' && isVersionId(v))
      : undefined;
    out.push({
      instance: record.instance,
      latest: record.latest,
      ...(versions === undefined ? {} : { versions }),
    });
  });
  if (issues.length > 0 || out.length === 0) {
    throw invalidData(
      url,
      'version information',
      issues.length > 0
        ? issues
        : [{ path: '', value: describeValue(body), reason: 'no instance listed' }],
    );
  }
  return out;
}

function backoffMs(failures: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
}

/** Fetch, check and store one instance's new versions. Writes nothing unless everything checks out. */
async function syncInstance(
  store: Store,
  client: UpstreamClient,
  instance: string,
  remote: VersionId,
  marker: string,
  options: SyncOptions,
  now: Date,
): Promise<InstanceSyncResult> {
  const local = (await store.listVersions(instance))[0]?.version ?? null;
  // The change guard: a version already held (or rejected) here is not fetched again.
  const decided =
    local === null ? undefined : await decidedUpstreamVersion(store, instance, remote);
  if (decided !== undefined) {
    return {
      instance,
      outcome: decided.status === 'held' ? 'held' : 'rejected',
      previous: local,
      current: local,
      remote,
      added: [],
      changeRecords: 0,
      held: decided,
      newlyHeld: false,
    };
  }
  if (local === remote) {
    return {
      instance,
      outcome: 'up-to-date',
      previous: local,
      current: local,
      remote,
      added: [],
      changeRecords: 0,
    };
  }
  if (local !== null && local > remote) {
    throw new IpurlError(
      'ERR_CONFLICT',
      `the local store has ${instance} ${local}, newer than the upstream's ${remote}: this store was not filled from this upstream (a mirror's store must start empty); nothing was written`,
    );
  }
  const segment = encodeURIComponent(instance);
  const context = { policy: options.policy ?? DEFAULT_POLICY, now };
  // The sanity policy before anything is fetched: the announced version id, then (below) each
  // answer as it arrives, sizes first, so a hostile answer costs no further request.
  const announced = versionIssues(remote, local, now, context.policy, `${instance} latest`);
  if (announced.length > 0) throw invalidData(`${client.baseUrl}version`, 'a version', announced);
  // Every service area: the live service leaves MEM out of an answer that does not name it.
  const areas = { ServiceAreas: SERVICE_AREAS.join(',') };
  const plainResponse = await client.getJson(`endpoints/${segment}`, { query: areas });
  const plain = plainResponse.notModified
    ? undefined
    : checkUpstreamSets(plainResponse.body, context);
  if (plain !== undefined && plain.issues.length > 0)
    throw invalidData(plainResponse.url, 'endpoint sets', plain.issues);
  const markedResponse = await client.getJson(`endpoints/${segment}`, {
    query: { ...areas, TenantName: marker },
  });
  const changesResponse = await client.getJson(`changes/${segment}/${local ?? VERSION_ZERO}`);
  // Not rate limited (SPEC §2.2): the version list, and proof the upstream did not move meanwhile.
  const listResponse = await client.getJson(`version/${segment}`, {
    query: { AllVersions: 'true' },
  });
  if (
    plainResponse.notModified ||
    markedResponse.notModified ||
    changesResponse.notModified ||
    listResponse.notModified
  ) {
    throw upstreamError(`${client.baseUrl} answered 304 to a request without If-None-Match`, {
      kind: 'http-status',
      url: client.baseUrl,
      status: 304,
    });
  }
  const [listed] = checkVersionBody(listResponse.body, listResponse.url);
  if (listed === undefined || listed.latest !== remote) {
    throw upstreamError(
      `${instance} moved on the upstream during the sync (${remote} → ${listed?.latest ?? '?'}); nothing was written, the next run picks up the new version`,
      { kind: 'invalid-data', url: listResponse.url },
    );
  }
  const marked = checkUpstreamSets(markedResponse.body, context);
  if (marked.issues.length > 0)
    throw invalidData(markedResponse.url, 'endpoint sets', marked.issues);
  const restored = restoreTenantPlaceholders(plain?.value ?? [], marked.value, marker);
  if (restored.issues.length > 0)
    throw invalidData(markedResponse.url, 'endpoint sets', restored.issues);
  const changes = checkUpstreamChanges(changesResponse.body, context);
  if (changes.issues.length > 0)
    throw invalidData(changesResponse.url, 'change records', changes.issues);
  const beyond = changes.value.filter((record) => record.version > remote);
  if (beyond.length > 0) {
    throw upstreamError(
      `${changesResponse.url} lists change records of version ${beyond[0]!.version}, after the latest version ${remote}; nothing was written`,
      { kind: 'invalid-data', url: changesResponse.url },
    );
  }
  const known = new Set(
    (await store.getChanges(instance, { after: VERSION_ZERO })).map((record) => record.id),
  );
  const fresh: ChangeRecord[] = changes.value.filter(
    (record) => (local === null || record.version > local) && !known.has(record.id),
  );
  const history = reconstructHistory({
    latest: remote,
    latestSets: restored.value,
    after: local,
    listed: listed.versions ?? [],
    records: fresh,
  });
  const rebuilt = checkRebuiltVersions(history, local, context);
  if (rebuilt.length > 0)
    throw invalidData(changesResponse.url, 'versions (rebuilt from its change records)', rebuilt);
  const held = await holdIfTripped(store, {
    instance,
    local,
    steps: history,
    now,
    ...(options.guard === undefined ? {} : { guard: options.guard }),
  });
  if (held !== undefined) {
    return {
      instance,
      outcome: 'held',
      previous: local,
      current: local,
      remote,
      added: [],
      changeRecords: 0,
      held,
      newlyHeld: true,
    };
  }
  let expected = local;
  const added: VersionId[] = [];
  let records = 0;
  for (const step of history) {
    await store.appendVersion({
      instance,
      version: step.version,
      sets: step.sets,
      changes: step.changes,
      expectedLatest: expected,
      // The rules this mirror relaxed (sync --allow) are recorded with what entered under them.
      relaxedRules: context.policy.allow,
    });
    expected = step.version;
    added.push(step.version);
    records += step.changes.length;
  }
  await supersedeHeld(store, instance, now);
  return {
    instance,
    outcome: 'updated',
    previous: local,
    current: remote,
    remote,
    added,
    changeRecords: records,
  };
}

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

  // Retry-After (at most 24 hours, upstream-client.ts) defers every run except a forced one.
  if (
    options.force !== true &&
    base.retryAfterUntil !== undefined &&
    Date.parse(base.retryAfterUntil) > now.getTime()
  ) {
    return deferred(
      base,
      upstream,
      `the upstream asked to wait until ${base.retryAfterUntil} (Retry-After); no request made`,
    );
  }
  if (
    options.force !== true &&
    base.nextAttemptAt !== undefined &&
    Date.parse(base.nextAttemptAt) > now.getTime()
  ) {
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
      const response = await client.getJson('version');
      if (response.notModified)
        throw upstreamError(`${upstream} answered 304 to /version without If-None-Match`, {
          kind: 'http-status',
          url: response.url,
          status: 304,
        });
      const infos = checkVersionBody(response.body, response.url);
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

function deferred(state: SyncState, upstream: string, message: string): SyncReport {
  return {
    outcome: 'deferred',
    upstream,
    checkedVersion: false,
    instances: [],
    error: state.lastError ?? { at: new Date().toISOString(), message, code: 'ERR_UPSTREAM' },
    state,
    log: [],
  };
}

async function fail(
  store: Store,
  base: SyncState,
  upstream: string,
  checkedVersion: boolean,
  results: InstanceSyncResult[],
  error: unknown,
  info: SyncErrorInfo,
  now: Date,
  requested: readonly string[],
): Promise<SyncReport> {
  const failures = base.failures + 1;
  const retryAfter = upstreamDetails(error)?.retryAfterSeconds;
  const waitMs = Math.max(backoffMs(failures), (retryAfter ?? 0) * 1000);
  const state: SyncState = {
    ...base,
    lastAttemptAt: now.toISOString(),
    lastError: info,
    failures,
    failingSince:
      base.failures > 0 && base.failingSince !== undefined ? base.failingSince : now.toISOString(),
    nextAttemptAt: new Date(now.getTime() + waitMs).toISOString(),
    ...(retryAfter === undefined
      ? {}
      : { retryAfterUntil: new Date(now.getTime() + retryAfter * 1000).toISOString() }),
    requested,
  };
  try {
    await store.setState(SYNC_STATE_KEY, JSON.stringify(state));
  } catch {
    // The store itself is failing; the report still says what happened.
  }
  // Log once per episode: the first failure only; the recovery is logged by the next success.
  const log =
    base.failures === 0
      ? [
          `sync from ${upstream} failing: ${info.message} (keeping the last good version; retrying with backoff)`,
        ]
      : [];
  return {
    outcome: 'failed',
    upstream,
    checkedVersion,
    instances: results,
    error: info,
    state,
    log,
  };
}

export interface SyncLoopOptions extends SyncOptions {
  /** Called after each run (tests, watch). */
  readonly onReport?: (report: SyncReport) => void | Promise<void>;
  readonly logger?: (line: string) => void;
  /** Pause between runs when healthy (default: the check interval, one hour). */
  readonly intervalMs?: number;
}

/** `serve --upstream`: sync now, then keep syncing in the background; returns a stop function. */
export function startSyncLoop(
  store: Store,
  options: SyncLoopOptions,
): { stop(): Promise<void>; runNow(): Promise<SyncReport> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SyncReport> | undefined;
  let stopped = false;
  const run = async (): Promise<SyncReport> => {
    if (running !== undefined) return running;
    running = (async () => {
      const report = await syncOnce(store, options).catch((error: unknown): SyncReport => ({
        outcome: 'failed',
        upstream: displayUpstream(options.upstream),
        checkedVersion: false,
        instances: [],
        error: errorInfo(error, new Date()),
        state: { upstream: displayUpstream(options.upstream), failures: 1 },
        log: [
          `sync from ${displayUpstream(options.upstream)} failed: ${error instanceof Error ? error.message : String(error)}`,
        ],
      }));
      for (const line of report.log) options.logger?.(line);
      await options.onReport?.(report);
      return report;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = (report: SyncReport | undefined): void => {
    if (stopped) return;
    const now = Date.now();
    const healthy = options.intervalMs ?? options.checkIntervalMs ?? VERSION_CHECK_INTERVAL_MS;
    const next = report?.state.nextAttemptAt;
    const retry = report?.state.retryAfterUntil;
    let delay = healthy;
    if (report !== undefined && (report.outcome === 'failed' || report.outcome === 'deferred')) {
      const candidates = [next, retry]
        .filter((t): t is string => t !== undefined)
        .map((t) => Date.parse(t) - now);
      delay = Math.max(1000, ...candidates);
    }
    timer = setTimeout(
      () => {
        void run().then(schedule, () => schedule(undefined));
      },
      Math.min(delay, 2_147_483_647),
    );
    timer.unref();
  };
  void run().then(schedule, () => schedule(undefined));
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    runNow: run,
  };
}

/** Seconds since each instance was last known to match the upstream (for `/metrics`: MetricsSources.syncStaleness). */
export async function syncStalenessByInstance(
  store: Store,
  now: Date = new Date(),
): Promise<Array<{ instance: string; seconds: number }>> {
  const state = await readSyncState(store);
  return Object.entries(state?.instances ?? {}).map(([instance, info]) => ({
    instance,
    seconds: Math.max(0, Math.round((now.getTime() - Date.parse(info.syncedAt)) / 1000)),
  }));
}
