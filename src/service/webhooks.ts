/**
 * Webhook delivery: the worker that drains the outbox the store fills in the publish transaction
 * (Store#appendVersion queues one delivery per subscriber of the instance).
 *
 * - Payload: `{deliveryId, instance, version, previousVersion, counts, changes}`, built from stored
 *   data only, so every retry of one delivery sends the same bytes (and the same signature).
 * - Signature: `X-Ipurl-Signature: sha256=<hex HMAC-SHA256 of the raw body keyed by the secret>`
 *   (the GitHub scheme, which receivers already know how to check); `X-Ipurl-Delivery` carries the
 *   delivery id, stable across retries, so a receiver accepts each delivery exactly once.
 * - Retries: exponential backoff from `baseDelayMs`, capped at `maxDelayMs`; after `maxAttempts`
 *   the delivery is `failed`. All state lives in the store, so a restart loses nothing: the next
 *   run picks up every pending delivery whose time has come.
 * - At-least-once: two workers on one store (a server and a cron `ipurl webhooks deliver`) may
 *   both send a due delivery; the receiver's dedupe on the delivery id makes that harmless.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { countChanges, type ChangeCounts } from '../core/change-counts.js';
import type { ChangeRecord } from '../core/change-record.js';
import { IpurlError, describeValue } from '../core/errors.js';
import type { GuardReport } from '../core/change-guard.js';
import type { Delivery, Store, Webhook } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import { checkWebhookTarget } from './webhook-target.js';

export const SIGNATURE_HEADER = 'x-ipurl-signature';
export const DELIVERY_HEADER = 'x-ipurl-delivery';
export const EVENT_HEADER = 'x-ipurl-event';
export const EVENT_VERSION_PUBLISHED = 'version.published';
/** The change guard held a version from the upstream: nothing is served from it until accepted. */
export const EVENT_VERSION_HELD = 'version.held';

/** The body of a `version.held` delivery. */
export interface HeldWebhookPayload {
  readonly deliveryId: string;
  readonly event: typeof EVENT_VERSION_HELD;
  readonly instance: string;
  readonly version: VersionId;
  /** The version still served. */
  readonly servedVersion: VersionId;
  readonly versions: readonly VersionId[];
  readonly heldAt: string;
  readonly reasons: readonly string[];
  readonly report: GuardReport;
}

export interface WebhookPayload {
  readonly deliveryId: string;
  readonly instance: string;
  readonly version: VersionId;
  readonly previousVersion: VersionId | null;
  readonly counts: ChangeCounts;
  readonly changes: readonly ChangeRecord[];
}

/** A fresh secret for a webhook that was added without one: 32 random bytes, base64url. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** `sha256=<hex>` of the body keyed by the secret. */
export function signBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Receiver side (docs and tests): constant-time check of a signature header against the body. */
export function verifySignature(body: string | Uint8Array, secret: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(body, secret));
  const received = Buffer.from(header);
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** The version published before `version` in its instance, or null for an instance's first. */
async function previousVersionOf(store: Store, instance: string, version: VersionId): Promise<VersionId | null> {
  const versions = await store.listVersions(instance);
  let previous: VersionId | null = null;
  for (const record of versions) {
    if (record.version < version && (previous === null || record.version > previous)) previous = record.version;
  }
  return previous;
}

/** The exact bytes of one delivery, from stored data only (retries resend identical bytes). */
export async function buildDeliveryBody(store: Store, delivery: Pick<Delivery, 'id' | 'instance' | 'version' | 'event'>): Promise<string> {
  if (delivery.event === EVENT_VERSION_HELD) {
    const held = (await store.listHeldVersions({ instance: delivery.instance })).find((h) => h.version === delivery.version);
    if (held === undefined) throw new IpurlError('ERR_NOT_HELD', `delivery ${delivery.id}: no held version ${delivery.version} of ${delivery.instance}`);
    // Only what never changes after holding (not the status): every retry sends the same bytes.
    const payload: HeldWebhookPayload = {
      deliveryId: delivery.id,
      event: EVENT_VERSION_HELD,
      instance: held.instance,
      version: held.version,
      servedVersion: held.basedOn,
      versions: held.versions,
      heldAt: held.heldAt,
      reasons: held.report.trips.map((trip) => trip.message),
      report: held.report,
    };
    return JSON.stringify(payload);
  }
  const changes = await store.getChanges(delivery.instance, { version: delivery.version });
  const payload: WebhookPayload = {
    deliveryId: delivery.id,
    instance: delivery.instance,
    version: delivery.version,
    previousVersion: await previousVersionOf(store, delivery.instance, delivery.version),
    counts: countChanges(changes),
    changes,
  };
  return JSON.stringify(payload);
}

export interface RetryPolicy {
  /** Attempts before a delivery is marked failed (default 10). */
  readonly maxAttempts: number;
  /** Delay after the first failed attempt (default 30 s); doubles after each further failure. */
  readonly baseDelayMs: number;
  /** Longest delay between two attempts (default 1 h). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 30_000, maxDelayMs: 3_600_000 };

/** Delay before attempt `failedAttempts + 1`: base · 2^(failedAttempts−1), capped. */
export function backoffDelayMs(failedAttempts: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 40));
}

export interface DeliverOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number;
  /** Most deliveries handled in one run (default 100). */
  readonly limit?: number;
  /** Clock (tests pin it). */
  readonly now?: () => Date;
  /**
   * Deliver to loopback, link-local, private, shared and metadata addresses too
   * (`--allow-private-targets`); by default a target resolving to one is refused (webhook-target.ts).
   */
  readonly allowPrivateTargets?: boolean;
}

export interface DeliveryOutcome {
  readonly id: string;
  readonly webhookId: number;
  readonly instance: string;
  readonly version: VersionId;
  /** Attempts including this one. */
  readonly attempt: number;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly result: 'delivered' | 'retry' | 'failed';
  readonly nextAttemptAt: string | null;
}

interface PostResult {
  readonly statusCode: number | null;
  readonly error: string | null;
}

async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers,
      // A redirect is not a delivery: the receiver must answer at the configured URL.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection can be reused; its content does not matter.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { statusCode: response.status, error: null };
    return { statusCode: response.status, error: `receiver answered HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = (error as { name?: string }).name;
    const message =
      name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : cause?.code !== undefined
          ? `${cause.code}${cause.message ? `: ${cause.message}` : ''}`
          : cause?.message !== undefined
            ? // e.g. "fetch failed: bad port": fetch refuses ports such as 25 or 6000 (WHATWG Fetch).
              `${(error as Error).message}: ${cause.message}`
            : error instanceof Error
              ? error.message
              : String(error);
    return { statusCode: null, error: describeValue(message, 300) };
  }
}

async function attemptDelivery(
  store: Store,
  delivery: Delivery,
  webhook: Webhook | undefined,
  policy: RetryPolicy,
  timeoutMs: number,
  now: () => Date,
  allowPrivateTargets: boolean,
): Promise<DeliveryOutcome> {
  const attempt = delivery.attempts + 1;
  let result: PostResult;
  // A held delivery whose held version is not in this store (copied without it): nothing to send.
  // Any other failure (the store unreachable) fails the pass, which is retried as a whole.
  const body =
    webhook === undefined
      ? undefined
      : await buildDeliveryBody(store, delivery).catch((error: unknown) => {
          if (error instanceof IpurlError && error.code === 'ERR_NOT_HELD') return error;
          throw error;
        });
  if (webhook === undefined) {
    // The subscriber was removed after the version was queued: nobody left to tell.
    result = { statusCode: null, error: `webhook ${delivery.webhookId} was removed` };
  } else if (body instanceof Error || body === undefined) {
    result = { statusCode: null, error: describeValue(body?.message ?? 'no body', 300) };
  } else {
    const refused = allowPrivateTargets ? null : await checkWebhookTarget(webhook.url);
    result =
      refused !== null
        ? { statusCode: null, error: describeValue(refused, 300) }
        : await post(
      webhook.url,
      body,
      {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'ipurl-webhooks/1',
        [DELIVERY_HEADER]: delivery.id,
        [EVENT_HEADER]: delivery.event ?? EVENT_VERSION_PUBLISHED,
        [SIGNATURE_HEADER]: signBody(body, webhook.secret),
      },
          timeoutMs,
        );
  }
  const at = now();
  const delivered = result.error === null;
  const giveUp = !delivered && (webhook === undefined || typeof body !== 'string' || attempt >= policy.maxAttempts);
  const nextAttemptAt = delivered || giveUp ? null : new Date(at.getTime() + backoffDelayMs(attempt, policy)).toISOString();
  await store.recordDeliveryAttempt(delivery.id, {
    at: at.toISOString(),
    statusCode: result.statusCode,
    error: result.error,
    delivered,
    nextAttemptAt,
  });
  return {
    id: delivery.id,
    webhookId: delivery.webhookId,
    instance: delivery.instance,
    version: delivery.version,
    attempt,
    statusCode: result.statusCode,
    error: result.error,
    result: delivered ? 'delivered' : giveUp ? 'failed' : 'retry',
    nextAttemptAt,
  };
}

/** One pass over the outbox: attempt every delivery that is due now, oldest first. */
export async function deliverDue(store: Store, options: DeliverOptions = {}): Promise<DeliveryOutcome[]> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new IpurlError('ERR_INVALID_PARAMETER', `maxAttempts must be a positive integer; received ${policy.maxAttempts}`);
  }
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 10_000;
  const due = await store.dueDeliveries(now().toISOString(), options.limit ?? 100);
  if (due.length === 0) return [];
  const webhooks = new Map((await store.listWebhooks()).map((webhook) => [webhook.id, webhook]));
  const outcomes: DeliveryOutcome[] = [];
  // Sequential: deliveries of one instance arrive in version order, and a slow receiver cannot
  // open unbounded sockets.
  for (const delivery of due) {
    outcomes.push(await attemptDelivery(store, delivery, webhooks.get(delivery.webhookId), policy, timeoutMs, now, options.allowPrivateTargets === true));
  }
  return outcomes;
}

export interface WebhookWorkerOptions extends DeliverOptions {
  /** Pause between two passes (default 5 s). */
  readonly intervalMs?: number;
  /** Called with each pass's outcomes (logging). */
  readonly onOutcome?: (outcome: DeliveryOutcome) => void;
  /** Called when a pass fails as a whole (the store was unreachable, say); the worker keeps going. */
  readonly onError?: (error: unknown) => void;
}

export interface WebhookWorker {
  /** Run a pass now (after the current one, if one is running). */
  kick(): void;
  /** Stop and wait for the running pass to finish. */
  stop(): Promise<void>;
}

/**
 * Drain the outbox every `intervalMs` until stopped. Passes never overlap; the timer does not keep
 * the process alive on its own (`ipurl serve` does).
 */
export function startWebhookWorker(store: Store, options: WebhookWorkerOptions = {}): WebhookWorker {
  const intervalMs = options.intervalMs ?? 5_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const schedule = (delay: number): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(run, delay);
    timer.unref();
  };

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        const outcomes = await deliverDue(store, options);
        for (const outcome of outcomes) options.onOutcome?.(outcome);
      } catch (error) {
        options.onError?.(error);
      }
    })().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        schedule(0);
      } else {
        schedule(intervalMs);
      }
    });
  }

  schedule(0);
  return {
    kick: () => schedule(0),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
