/**
 * The rows both adapters read and write (versions, webhooks, deliveries, observations, the
 * revision) and their mapping to the Store's records, written once. The column names are the
 * same in SQLite and PostgreSQL; only the timestamp columns differ (ISO text in SQLite,
 * `timestamptz` as a Date in PostgreSQL), so each row type takes the timestamp type and each
 * mapping a function that makes it ISO text.
 */
import { compareInstances } from '../core/instance.js';
import type { Observation } from '../core/observation.js';
import { relaxedRulesColumn } from '../core/sanity-policy.js';
import type {
  AppendVersionInput,
  Delivery,
  DeliveryAttempt,
  DeliveryStatus,
  InstanceSummary,
  VersionRecord,
  Webhook,
} from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import { IpurlError } from '../core/errors.js';
import { DELIVERY_STATUSES, isoTimestamp } from './append-input.js';
import { checkDeliveryEvent } from './held-input.js';

/** SQLite keeps ISO text as it is. */
export const isoText = (value: string): string => value;
/** PostgreSQL returns timestamptz columns as Dates. */
export const isoDate = (value: Date): string => value.toISOString();

export const VERSION_COLUMNS = 'instance, version, published_at, set_count, relaxed_rules';

export interface VersionRow<Time> {
  instance: string;
  version: string;
  published_at: Time;
  set_count: number;
  relaxed_rules: string;
}

export interface WebhookRow<Time> {
  id: number;
  instance: string;
  url: string;
  secret: string;
  created_at: Time;
}

export interface DeliveryRow<Time> {
  id: string;
  webhook_id: number;
  instance: string;
  version: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Time | null;
  last_attempt_at: Time | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Time;
  event: string;
}

export const DELIVERY_COLUMNS =
  'id, webhook_id, instance, version, status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error, created_at, event';

export function toVersionRecord<Time>(
  row: VersionRow<Time>,
  iso: (value: Time) => string,
): VersionRecord {
  return {
    instance: row.instance,
    version: row.version,
    publishedAt: iso(row.published_at),
    setCount: row.set_count,
    ...(row.relaxed_rules === '' ? {} : { relaxedRules: row.relaxed_rules.split(',') }),
  };
}

/** The row an append writes, checked (after the latest version was checked, under the lock). */
export function newVersionRow(input: AppendVersionInput): VersionRow<string> {
  return {
    instance: input.instance,
    version: input.version,
    published_at: isoTimestamp(input.publishedAt ?? new Date().toISOString(), 'publishedAt'),
    set_count: input.sets.length,
    relaxed_rules: relaxedRulesColumn(input.relaxedRules),
  };
}

/** A VersionRow's VERSION_COLUMNS values, in order. */
export function versionValues(row: VersionRow<string>): unknown[] {
  return [row.instance, row.version, row.published_at, row.set_count, row.relaxed_rules];
}

export function toWebhook<Time>(row: WebhookRow<Time>, iso: (value: Time) => string): Webhook {
  return {
    id: row.id,
    instance: row.instance,
    url: row.url,
    secret: row.secret,
    createdAt: iso(row.created_at),
  };
}

export function toDelivery<Time>(row: DeliveryRow<Time>, iso: (value: Time) => string): Delivery {
  const optional = (value: Time | null) => (value === null ? null : iso(value));
  return {
    id: row.id,
    webhookId: row.webhook_id,
    instance: row.instance,
    version: row.version,
    ...(row.event === 'version.held' || row.event === 'overlay.changed'
      ? { event: row.event }
      : {}),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: optional(row.next_attempt_at),
    lastAttemptAt: optional(row.last_attempt_at),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: iso(row.created_at),
  };
}

/** `(instance, version)` rows ordered by instance, version DESC → the instances, canonical order. */
export function toInstanceSummaries(
  rows: ReadonlyArray<{ instance: string; version: string }>,
): InstanceSummary[] {
  const byInstance = new Map<string, VersionId[]>();
  for (const row of rows) {
    const list = byInstance.get(row.instance);
    if (list) list.push(row.version);
    else byInstance.set(row.instance, [row.version]);
  }
  return [...byInstance.keys()].sort(compareInstances).map((instance) => {
    const versions = byInstance.get(instance) ?? [];
    return { instance, latest: versions[0] ?? '', versions };
  });
}

/** The `store_id` and `revision` meta rows → the Store's revision text. */
export function toRevision(rows: ReadonlyArray<{ key: string; value: string }>): string {
  const get = (key: string) => rows.find((row) => row.key === key)?.value ?? '';
  return `${get('store_id')}:${get('revision')}`;
}

export interface ObservationRow<Time> {
  instance: string;
  set_id: number;
  name: string;
  address: string;
  family: number;
  first_seen: Time;
  last_seen: Time;
  ttl: number;
}

export function toObservation<Time>(
  row: ObservationRow<Time>,
  iso: (value: Time) => string,
): Observation {
  return {
    instance: row.instance,
    setId: row.set_id,
    name: row.name,
    address: row.address,
    family: row.family === 6 ? 6 : 4,
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
    ttl: row.ttl,
  };
}

/**
 * The notices of one event for every webhook of an instance, due at once: the new delivery ids
 * (random UUIDs, in webhook order) and the values of COMMON_SQL.queueDelivery (statements.ts)
 * for each.
 */
export function newDeliveries(
  webhookIds: ReadonlyArray<{ readonly id: number }>,
  instance: string,
  version: string,
  event: string,
  now: string,
): { readonly ids: string[]; readonly rows: unknown[][] } {
  const ids = webhookIds.map(() => globalThis.crypto.randomUUID());
  const rows = webhookIds.map(({ id: webhookId }, n) => [
    ids[n],
    webhookId,
    instance,
    version,
    event,
    now,
    now,
  ]);
  return { ids, rows };
}

/** What one delivery attempt writes: when, the next attempt (null: none) and the new status. */
export function attemptColumns(attempt: DeliveryAttempt): {
  readonly at: string;
  readonly next: string | null;
  readonly status: DeliveryStatus;
} {
  const at = isoTimestamp(attempt.at, 'attempt.at');
  const next =
    attempt.delivered || attempt.nextAttemptAt === null
      ? null
      : isoTimestamp(attempt.nextAttemptAt, 'nextAttemptAt');
  const status: DeliveryStatus = attempt.delivered
    ? 'delivered'
    : next === null
      ? 'failed'
      : 'pending';
  return { at, next, status };
}

/** A delivery being imported (`ipurl copy`), checked: its DELIVERY_COLUMNS values, in order. */
export function importedDeliveryValues(delivery: Delivery): unknown[] {
  if (!DELIVERY_STATUSES.includes(delivery.status)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `delivery status must be pending, delivered or failed; received ${delivery.status}`,
    );
  }
  checkDeliveryEvent(delivery.event);
  const optional = (value: string | null, field: string) =>
    value === null ? null : isoTimestamp(value, field);
  return [
    delivery.id,
    delivery.webhookId,
    delivery.instance,
    delivery.version,
    delivery.status,
    delivery.attempts,
    optional(delivery.nextAttemptAt, 'nextAttemptAt'),
    optional(delivery.lastAttemptAt, 'lastAttemptAt'),
    delivery.lastStatusCode,
    delivery.lastError,
    isoTimestamp(delivery.createdAt, 'createdAt'),
    delivery.event ?? 'version.published',
  ];
}
