/**
 * The Store port: everything ipurl keeps. SQLite (embedded default) and PostgreSQL (scale-out)
 * implement it and pass the same contract suite (test/store-contract.ts). Only the CLI, the
 * composition root, knows which adapter is in use.
 *
 * Published versions are immutable: there is no method that changes or deletes one.
 */
import type { ChangeDraft, ChangeRecord } from './change-record.js';
import type { GuardReport } from './change-guard.js';
import type { EndpointSet } from './endpoint-set.js';
import type { Observation, ObservationInput } from './observation.js';
import type { OverlayChange, OverlayChangeInput } from './overlay.js';
import type { VersionId } from './version-id.js';

export interface InstanceSummary {
  /** Canonical instance name. */
  readonly instance: string;
  readonly latest: VersionId;
  /** Every stored version, newest first, `latest` at index 0 (docs/api.md, "GET /version"). */
  readonly versions: readonly VersionId[];
}

export interface VersionRecord {
  readonly instance: string;
  readonly version: VersionId;
  /** ISO 8601 timestamp of when this store received the version. */
  readonly publishedAt: string;
  readonly setCount: number;
  /**
   * Sanity-policy rules the publisher relaxed for this version (core/sanity-policy.ts), in rule
   * order; absent when none was.
   */
  readonly relaxedRules?: readonly string[];
}

export interface AppendVersionInput {
  readonly instance: string;
  readonly version: VersionId;
  /** The complete endpoint sets of the new version, publisher form, sorted by id. */
  readonly sets: readonly EndpointSet[];
  /** Records of this version; ones without an id get the next ids of the instance, in order. */
  readonly changes: readonly ChangeDraft[];
  /**
   * Optimistic concurrency: the latest version the caller based its diff on (null for a new
   * instance). When the store's latest differs, nothing is written and ERR_CONFLICT is thrown.
   */
  readonly expectedLatest: VersionId | null;
  /** ISO 8601 timestamp; defaults to now. */
  readonly publishedAt?: string;
  /** Queue a webhook delivery for every subscriber of the instance (default true). */
  readonly notify?: boolean;
  /** Sanity-policy rules relaxed for this version, recorded with it (default none). */
  readonly relaxedRules?: readonly string[];
}

export interface AppendVersionResult {
  readonly version: VersionRecord;
  /** The stored change records with their ids. */
  readonly changes: readonly ChangeRecord[];
  /** Delivery ids queued for subscribers in the same transaction. */
  readonly deliveries: readonly string[];
}

export type ChangesQuery =
  /** Records of versions strictly greater than `after` (without `singleVersion`). */
  | { readonly after: VersionId }
  /** Records of exactly this version (`singleVersion`). */
  | { readonly version: VersionId };

/** What became of a version the change guard held (core/change-guard.ts). */
export type HeldStatus = 'held' | 'accepted' | 'rejected' | 'superseded';

/** One version inside a held batch: what `appendVersion` gets when the batch is accepted. */
export interface HeldStep {
  readonly version: VersionId;
  readonly sets: readonly EndpointSet[];
  readonly changes: readonly ChangeDraft[];
}

export interface HoldVersionInput {
  readonly instance: string;
  /** The newest version of the batch (the upstream's latest); what accept and reject name. */
  readonly version: VersionId;
  /** The latest stored (served) version the guard compared against. */
  readonly basedOn: VersionId;
  /** Every version the batch would append, oldest first; the last one is `version`. */
  readonly steps: readonly HeldStep[];
  readonly report: GuardReport;
  /** ISO 8601 timestamp; defaults to now. */
  readonly heldAt?: string;
  /** Queue a `version.held` webhook delivery for every subscriber of the instance (default true). */
  readonly notify?: boolean;
}

export interface HeldVersion {
  readonly instance: string;
  readonly version: VersionId;
  readonly basedOn: VersionId;
  readonly status: HeldStatus;
  readonly heldAt: string;
  /** When it was accepted, rejected or superseded; null while held. */
  readonly decidedAt: string | null;
  /** The versions of the batch, oldest first. */
  readonly versions: readonly VersionId[];
  readonly report: GuardReport;
  /** `version.held` deliveries queued when it was held. */
  readonly deliveries?: readonly string[];
}

export interface AcceptHeldResult {
  readonly held: HeldVersion;
  /** One append per step, oldest first, with its change records and webhook deliveries. */
  readonly appended: readonly AppendVersionResult[];
}

export interface Webhook {
  readonly id: number;
  readonly instance: string;
  readonly url: string;
  readonly secret: string;
  readonly createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * `version.published` (the default, not stored on the object), `version.held`, or
 * `overlay.changed` (the local overlay of the instance changed; `version` is the latest served).
 */
export type DeliveryEvent = 'version.published' | 'version.held' | 'overlay.changed';

export interface Delivery {
  /** Stable across retries; the receiver dedupes on it. */
  readonly id: string;
  readonly webhookId: number;
  readonly instance: string;
  readonly version: VersionId;
  /** Present for `version.held` and `overlay.changed`; absent means `version.published`. */
  readonly event?: DeliveryEvent;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** ISO timestamp of the next try (pending only). */
  readonly nextAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
}

export interface DeliveryAttempt {
  readonly at: string;
  /** HTTP status received, or null when no response came. */
  readonly statusCode: number | null;
  readonly error: string | null;
  /** Delivered (2xx): done. Otherwise `nextAttemptAt` schedules a retry, or null gives up. */
  readonly delivered: boolean;
  readonly nextAttemptAt: string | null;
}

export interface Store {
  /** Which adapter, for logs and health ("sqlite", "postgres"). */
  readonly kind: string;

  /** Every instance with at least one version, in canonical order (Microsoft's, then by name). */
  listInstances(): Promise<InstanceSummary[]>;
  /** Versions of one instance (canonical name), newest first; [] when unknown. */
  listVersions(instance: string): Promise<VersionRecord[]>;
  /** The sets of one version, sorted by id; undefined when the version is not stored. */
  getEndpointSets(instance: string, version: VersionId): Promise<EndpointSet[] | undefined>;
  /** Change records ordered by version, then id (our decision, docs/api.md). */
  getChanges(instance: string, query: ChangesQuery): Promise<ChangeRecord[]>;
  /** Every set id ever published in the instance, with the service area it had (ids are never reused). */
  knownSetIds(instance: string): Promise<Map<number, string>>;

  /** Write a version, its sets, its change records and its webhook deliveries in one transaction. */
  appendVersion(input: AppendVersionInput): Promise<AppendVersionResult>;

  /**
   * Keep a version the change guard held apart from the served ones (nothing served changes).
   * Any other `held` version of the instance becomes `superseded`. ERR_CONFLICT when `basedOn` is
   * not the stored latest, or `version` is not after it.
   */
  holdVersion(input: HoldVersionInput): Promise<HeldVersion>;
  /** Held versions, newest `heldAt` first; filter by instance (canonical name) and status. */
  listHeldVersions(filter?: { instance?: string; status?: HeldStatus }): Promise<HeldVersion[]>;
  /** The steps of a version that is still `held`; undefined otherwise. */
  getHeldSteps(instance: string, version: VersionId): Promise<HeldStep[] | undefined>;
  /**
   * Append a held batch as normal versions (change records, webhook deliveries) and mark it
   * `accepted`, in one transaction. ERR_NOT_FOUND when no such version is held; ERR_CONFLICT when
   * the instance's latest is no longer `basedOn`.
   */
  acceptHeldVersion(instance: string, version: VersionId, at?: string): Promise<AcceptHeldResult>;
  /** Mark a `held` version `rejected` or `superseded` (its data is dropped). ERR_NOT_FOUND otherwise. */
  closeHeldVersion(
    instance: string,
    version: VersionId,
    status: 'rejected' | 'superseded',
    at?: string,
  ): Promise<HeldVersion>;

  /** A token that changes whenever a version is appended or an overlay changes anywhere in the store (replicas poll it). */
  revision(): Promise<string>;
  /** Called when another process appends a version (PostgreSQL NOTIFY); returns an unsubscribe. Optional. */
  onRevision?(listener: () => void): () => void;

  /** Small key-value state: ClientRequestId, sync and watch progress. */
  getState(key: string): Promise<string | undefined>;
  setState(key: string, value: string): Promise<void>;
  listState(): Promise<Array<{ key: string; value: string }>>;

  addWebhook(input: {
    instance: string;
    url: string;
    secret: string;
    id?: number;
    createdAt?: string;
  }): Promise<Webhook>;
  listWebhooks(instance?: string): Promise<Webhook[]>;
  removeWebhook(id: number): Promise<boolean>;

  /** Pending deliveries whose next attempt is at or before `now`, oldest first. */
  dueDeliveries(now: string, limit: number): Promise<Delivery[]>;
  recordDeliveryAttempt(id: string, attempt: DeliveryAttempt): Promise<void>;
  listDeliveries(filter?: { status?: DeliveryStatus; limit?: number }): Promise<Delivery[]>;
  /** Insert a delivery as it is (used by `ipurl copy`). */
  importDelivery(delivery: Delivery): Promise<void>;

  /**
   * Observed addresses (`ipurl observe`): merge one run's answers. A (set, name, address) seen
   * before keeps its first-seen time and gets `at` as last seen and the new TTL; a new one gets
   * `at` for both. Returns how many were new.
   */
  recordObservations(
    instance: string,
    at: string,
    answers: readonly ObservationInput[],
  ): Promise<number>;
  /** Observations of an instance, by set id, name, address. */
  listObservations(instance: string): Promise<Observation[]>;
  /** Delete observations last seen before `before` (ISO 8601); returns how many. */
  expireObservations(instance: string, before: string): Promise<number>;

  /**
   * Local overlay (`ipurl overlay`): append one change (addition, exclusion, or the removal of an
   * earlier one) with the next store-wide id, queue an `overlay.changed` delivery for every
   * subscriber of the instance and change `revision()`, in one transaction. A removal of a change
   * that is not a live addition or exclusion of the same instance: ERR_NOT_FOUND / ERR_CONFLICT.
   */
  recordOverlayChange(input: OverlayChangeInput): Promise<OverlayChange>;
  /** The overlay history, by id; of one instance (canonical name) when given. */
  listOverlayChanges(instance?: string): Promise<OverlayChange[]>;

  /** True when the store holds no version at all (first start: seed from data/). */
  isEmpty(): Promise<boolean>;
  /** Cheap reachability check for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
