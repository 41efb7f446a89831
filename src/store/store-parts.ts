/** The parts each adapter builds its Store from, one per group of tables. */
import type { Store } from '../core/store.js';

export type VersionMethods = Pick<
  Store,
  | 'listInstances'
  | 'listVersions'
  | 'getEndpointSets'
  | 'getChanges'
  | 'knownSetIds'
  | 'appendVersion'
  | 'revision'
  | 'isEmpty'
>;

export type StateMethods = Pick<Store, 'getState' | 'setState' | 'listState'>;

export type WebhookMethods = Pick<
  Store,
  | 'addWebhook'
  | 'listWebhooks'
  | 'removeWebhook'
  | 'dueDeliveries'
  | 'recordDeliveryAttempt'
  | 'listDeliveries'
  | 'importDelivery'
>;

export type HeldMethods = Pick<
  Store,
  'holdVersion' | 'listHeldVersions' | 'getHeldSteps' | 'acceptHeldVersion' | 'closeHeldVersion'
>;

export type ObservationMethods = Pick<
  Store,
  'recordObservations' | 'listObservations' | 'expireObservations'
>;

export type OverlayMethods = Pick<Store, 'recordOverlayChange' | 'listOverlayChanges'>;
