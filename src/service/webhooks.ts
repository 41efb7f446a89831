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
import { IpurlError, describeValue } from '../core/errors.js';
import type { Delivery, Store, Webhook } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import {
  buildDeliveryBody,
  DELIVERY_HEADER,
  EVENT_HEADER,
  EVENT_VERSION_PUBLISHED,
  SIGNATURE_HEADER,
  signBody,
} from './webhook-payload.js';
import { postPinned, type PostResult } from './webhook-post.js';
import { resolveWebhookTarget, type Resolver } from './webhook-target.js';

// The payload and signature helpers, for the CLI and receivers' tests (webhook-payload.ts).
export {
  buildDeliveryBody,
  countChanges,
  DELIVERY_HEADER,
  EVENT_HEADER,
  EVENT_VERSION_HELD,
  EVENT_VERSION_PUBLISHED,
  generateSecret,
  SIGNATURE_HEADER,
  signBody,
  verifySignature,
  type ChangeCounts,
  type HeldWebhookPayload,
  type WebhookPayload,
} from './webhook-payload.js';

export interface RetryPolicy {
  /** Attempts before a delivery is marked failed (default 10). */
  readonly maxAttempts: number;
  /** Delay after the first failed attempt (default 30 s); doubles after each further failure. */
  readonly baseDelayMs: number;
  /** Longest delay between two attempts (default 1 h). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
};

/** Delay before attempt `failedAttempts + 1`: base · 2^(failedAttempts−1), capped. */
export function backoffDelayMs(
  failedAttempts: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): number {
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
  /** Host name look-up (default the system resolver; tests inject one). Done once per attempt. */
  readonly resolve?: Resolver;
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

async function attemptDelivery(
  store: Store,
  delivery: Delivery,
  webhook: Webhook | undefined,
  policy: RetryPolicy,
  timeoutMs: number,
  now: () => Date,
  allowPrivateTargets: boolean,
  resolve: Resolver | undefined,
): Promise<DeliveryOutcome> {
  const attempt = delivery.attempts + 1;
  let result: PostResult;
  // A held delivery whose held version is not in this store (copied without it): nothing to send.
  // Any other failure (the store unreachable) fails the pass, which is retried as a whole.
  const body =
    webhook === undefined
      ? undefined
      : await buildDeliveryBody(store, delivery).catch((error: unknown) => {
          if (
            error instanceof IpurlError &&
            (error.code === 'ERR_NOT_HELD' || error.code === 'ERR_NOT_FOUND')
          )
            return error;
          throw error;
        });
  if (webhook === undefined) {
    // The subscriber was removed after the version was queued: nobody left to tell.
    result = { statusCode: null, error: `webhook ${delivery.webhookId} was removed` };
  } else if (body instanceof Error || body === undefined) {
    result = { statusCode: null, error: describeValue(body?.message ?? 'no body', 300) };
  } else {
    // Resolved once; the POST connects to exactly the addresses checked here.
    const target = await resolveWebhookTarget(webhook.url, {
      allowPrivate: allowPrivateTargets,
      ...(resolve === undefined ? {} : { resolve }),
    });
    result = !target.ok
      ? { statusCode: null, error: describeValue(target.problem, 300) }
      : await postPinned(
          webhook.url,
          target.addresses,
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
  const giveUp =
    !delivered &&
    (webhook === undefined || typeof body !== 'string' || attempt >= policy.maxAttempts);
  const nextAttemptAt =
    delivered || giveUp
      ? null
      : new Date(at.getTime() + backoffDelayMs(attempt, policy)).toISOString();
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
export async function deliverDue(
  store: Store,
  options: DeliverOptions = {},
): Promise<DeliveryOutcome[]> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `maxAttempts must be a positive integer; received ${policy.maxAttempts}`,
    );
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
    outcomes.push(
      await attemptDelivery(
        store,
        delivery,
        webhooks.get(delivery.webhookId),
        policy,
        timeoutMs,
        now,
        options.allowPrivateTargets === true,
        options.resolve,
      ),
    );
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
export function startWebhookWorker(
  store: Store,
  options: WebhookWorkerOptions = {},
): WebhookWorker {
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
