/**
 * The vocabulary of a sync run: its options, the per-instance results, the report, and the state
 * kept under the `sync` key that `/health`, `ipurl status` and the metrics read.
 */
import type { UpstreamFailureKind } from '../client/upstream-client.js';
import type { SanityPolicy } from '../core/sanity-policy.js';
import type { HeldVersion } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import type { GuardSetting } from './held.js';

export const CLIENT_REQUEST_ID_KEY = 'clientRequestId';
export const SYNC_STATE_KEY = 'sync';
/** Poll `/version` at most hourly, as the service asks of its clients. */
export const VERSION_CHECK_INTERVAL_MS = 3_600_000;

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
  /** The upstream's Retry-After: no request before this time, forced or not. */
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
