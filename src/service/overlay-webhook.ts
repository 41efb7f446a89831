/**
 * The body of an `overlay.changed` webhook delivery (docs/publishing.md "Webhooks"): the store
 * queues one per subscriber in the transaction that records an overlay change (like a new
 * version), and this builds its bytes from stored data only: the change, the overlay revision and
 * what was in force right after it, so every retry sends the same bytes.
 */
import { IpurlError } from '../core/errors.js';
import { activeOverlay, type OverlayChange } from '../core/overlay.js';
import type { Delivery, Store } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';

export const EVENT_OVERLAY_CHANGED = 'overlay.changed';

export interface OverlayWebhookPayload {
  readonly deliveryId: string;
  readonly event: typeof EVENT_OVERLAY_CHANGED;
  readonly instance: string;
  /** The version served when the overlay changed (the data the overlay applies to). */
  readonly version: VersionId;
  /** The overlay revision this change made (the change id). */
  readonly revision: number;
  readonly change: OverlayChange;
  /** What was in force right after the change. */
  readonly additions: number;
  readonly exclusions: number;
}

/** ERR_NOT_FOUND when the change is not in this store (a delivery copied without it). */
export async function buildOverlayDeliveryBody(
  store: Store,
  delivery: Pick<Delivery, 'id' | 'instance' | 'version'>,
): Promise<string> {
  const history = await store.listOverlayChanges(delivery.instance);
  const change = history.find((c) => c.deliveries?.includes(delivery.id) === true);
  if (change === undefined) {
    throw new IpurlError(
      'ERR_NOT_FOUND',
      `delivery ${delivery.id}: no overlay change of ${delivery.instance} queued it`,
    );
  }
  const active = activeOverlay(
    delivery.instance,
    history.filter((c) => c.id <= change.id),
  );
  const payload: OverlayWebhookPayload = {
    deliveryId: delivery.id,
    event: EVENT_OVERLAY_CHANGED,
    instance: delivery.instance,
    version: delivery.version,
    revision: change.id,
    change,
    additions: active.additions.length,
    exclusions: active.exclusions.length,
  };
  return JSON.stringify(payload);
}
