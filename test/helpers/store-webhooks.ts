/**
 * Subscribers the store tests queue deliveries for: two on Worldwide and one on China, at the
 * discard port of loopback, where nothing answers (a delivery there can only be recorded, never
 * made by accident).
 */
import type { Store, Webhook } from '../../src/core/store.js';

/** Add the three subscribers, one after the other (ids in this order): URL …/n, secret sn. */
export async function addUnreachableWebhooks(
  store: Store,
): Promise<[worldwide1: Webhook, worldwide2: Webhook, china: Webhook]> {
  const add = (instance: string, n: number) =>
    store.addWebhook({ instance, url: `http://127.0.0.1:9/${n}`, secret: `s${n}` });
  return [await add('Worldwide', 1), await add('Worldwide', 2), await add('China', 3)];
}
