/**
 * What a webhook delivery sends: the payload, built from stored data only, so every retry of one
 * delivery sends the same bytes (and the same signature), its headers, and the signature
 * `X-Ipurl-Signature: sha256=<hex HMAC-SHA256 of the raw body keyed by the secret>` (the GitHub
 * scheme, which receivers already know how to check). The delivery itself is in webhooks.ts.
 */
import { countChanges, type ChangeCounts } from '../core/change-counts.js';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ChangeRecord } from '../core/change-record.js';
import { IpurlError } from '../core/errors.js';
import type { GuardReport } from '../core/change-guard.js';
import type { Delivery, Store } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import { heldFacts, type HeldFacts } from './held.js';
import { buildOverlayDeliveryBody, EVENT_OVERLAY_CHANGED } from './overlay-webhook.js';

export const SIGNATURE_HEADER = 'x-ipurl-signature';
export const DELIVERY_HEADER = 'x-ipurl-delivery';
export const EVENT_HEADER = 'x-ipurl-event';
export const EVENT_VERSION_PUBLISHED = 'version.published';
/** The change guard held a version from the upstream: nothing is served from it until accepted. */
export const EVENT_VERSION_HELD = 'version.held';

/** The body of a `version.held` delivery. */
export interface HeldWebhookPayload extends HeldFacts {
  readonly deliveryId: string;
  readonly event: typeof EVENT_VERSION_HELD;
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

export { countChanges, type ChangeCounts };

/** A fresh secret for a webhook that was added without one: 32 random bytes, base64url. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** `sha256=<hex>` of the body keyed by the secret. */
export function signBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Receiver side (docs and tests): constant-time check of a signature header against the body. */
export function verifySignature(
  body: string | Uint8Array,
  secret: string,
  header: string | undefined,
): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(body, secret));
  const received = Buffer.from(header);
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** The version published before `version` in its instance, or null for an instance's first. */
async function previousVersionOf(
  store: Store,
  instance: string,
  version: VersionId,
): Promise<VersionId | null> {
  const versions = await store.listVersions(instance);
  let previous: VersionId | null = null;
  for (const record of versions) {
    if (record.version < version && (previous === null || record.version > previous))
      previous = record.version;
  }
  return previous;
}

/** The exact bytes of one delivery, from stored data only (retries resend identical bytes). */
export async function buildDeliveryBody(
  store: Store,
  delivery: Pick<Delivery, 'id' | 'instance' | 'version' | 'event'>,
): Promise<string> {
  if (delivery.event === EVENT_OVERLAY_CHANGED) return buildOverlayDeliveryBody(store, delivery);
  if (delivery.event === EVENT_VERSION_HELD) {
    const held = (await store.listHeldVersions({ instance: delivery.instance })).find(
      (h) => h.version === delivery.version,
    );
    if (held === undefined)
      throw new IpurlError(
        'ERR_NOT_HELD',
        `delivery ${delivery.id}: no held version ${delivery.version} of ${delivery.instance}`,
      );
    // Only what never changes after holding (not the status): every retry sends the same bytes.
    const payload: HeldWebhookPayload = {
      deliveryId: delivery.id,
      event: EVENT_VERSION_HELD,
      ...heldFacts(held),
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
