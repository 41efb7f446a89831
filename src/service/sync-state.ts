/**
 * The sync state kept in the store (the `sync` key and the ClientRequestId), and how a run's
 * failure and deferral are recorded: one log line per failing episode, doubling backoff from one
 * minute to one hour, or longer when the upstream sends Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { upstreamDetails } from '../client/upstream-client.js';
import { ValidationError, isIpurlError } from '../core/errors.js';
import type { Store } from '../core/store.js';
import {
  CLIENT_REQUEST_ID_KEY,
  SYNC_STATE_KEY,
  type InstanceSyncResult,
  type SyncErrorInfo,
  type SyncReport,
  type SyncState,
} from './sync-types.js';

const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 3_600_000;

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

export function errorInfo(error: unknown, at: Date, instance?: string): SyncErrorInfo {
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

function backoffMs(failures: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));
}

export function deferred(state: SyncState, upstream: string, message: string): SyncReport {
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

export async function fail(
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
