/**
 * The Store port: everything ipurl keeps. SQLite (embedded default) and PostgreSQL (scale-out)
 * implement it and pass the same contract suite (test/store-contract.ts). Only the CLI, the
 * composition root, knows which adapter is in use.
 *
 * Published versions are immutable: there is no method that changes or deletes one.
 */
import type { ChangeDraft, ChangeRecord } from './change-record.js';
import type { EndpointSet } from './endpoint-set.js';
import type { VersionId } from './version-id.js';

export interface InstanceSummary {
  /** Canonical instance name. */
  readonly instance: string;
  readonly latest: VersionId;
  /** Every stored version, newest first, `latest` at index 0 (SPEC §3.2). */
  readonly versions: readonly VersionId[];
}

export interface VersionRecord {
  readonly instance: string;
  readonly version: VersionId;
  /** ISO 8601 timestamp of when this store received the version. */
  readonly publishedAt: string;
  readonly setCount: number;
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
}

export interface AppendVersionResult {
  readonly version: VersionRecord;
  /** The stored change records with their ids. */
  readonly changes: readonly ChangeRecord[];
  /** Delivery ids queued for subscribers in the same transaction. */
  readonly deliveries: readonly string[];
}

export type ChangesQuery =
  /** Records of versions strictly greater than `after` (SPEC §5.1). */
  | { readonly after: VersionId }
  /** Records of exactly this version (`singleVersion`). */
  | { readonly version: VersionId };

export interface Webhook {
  readonly id: number;
  readonly instance: string;
  readonly url: string;
  readonly secret: string;
  readonly createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  /** Stable across retries; the receiver dedupes on it. */
  readonly id: string;
  readonly webhookId: number;
  readonly instance: string;
  readonly version: VersionId;
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

  /** Every instance with at least one version, in canonical order (SPEC §1.1). */
  listInstances(): Promise<InstanceSummary[]>;
  /** Versions of one instance (canonical name), newest first; [] when unknown. */
  listVersions(instance: string): Promise<VersionRecord[]>;
  /** The sets of one version, sorted by id; undefined when the version is not stored. */
  getEndpointSets(instance: string, version: VersionId): Promise<EndpointSet[] | undefined>;
  /** Change records ordered by version, then id (SPEC §11.8). */
  getChanges(instance: string, query: ChangesQuery): Promise<ChangeRecord[]>;
  /** Every set id ever published in the instance, with the service area it had (ids are never reused). */
  knownSetIds(instance: string): Promise<Map<number, string>>;

  /** Write a version, its sets, its change records and its webhook deliveries in one transaction. */
  appendVersion(input: AppendVersionInput): Promise<AppendVersionResult>;

  /** A token that changes whenever a version is appended anywhere in the store (replicas poll it). */
  revision(): Promise<string>;
  /** Called when another process appends a version (PostgreSQL NOTIFY); returns an unsubscribe. Optional. */
  onRevision?(listener: () => void): () => void;

  /** Small key-value state: ClientRequestId, sync and watch progress. */
  getState(key: string): Promise<string | undefined>;
  setState(key: string, value: string): Promise<void>;
  listState(): Promise<Array<{ key: string; value: string }>>;

  addWebhook(input: { instance: string; url: string; secret: string; id?: number; createdAt?: string }): Promise<Webhook>;
  listWebhooks(instance?: string): Promise<Webhook[]>;
  removeWebhook(id: number): Promise<boolean>;

  /** Pending deliveries whose next attempt is at or before `now`, oldest first. */
  dueDeliveries(now: string, limit: number): Promise<Delivery[]>;
  recordDeliveryAttempt(id: string, attempt: DeliveryAttempt): Promise<void>;
  listDeliveries(filter?: { status?: DeliveryStatus; limit?: number }): Promise<Delivery[]>;
  /** Insert a delivery as it is (used by `ipurl copy`). */
  importDelivery(delivery: Delivery): Promise<void>;

  /** True when the store holds no version at all (first start: seed from data/). */
  isEmpty(): Promise<boolean>;
  /** Cheap reachability check for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
