/**
 * What every part of the Store contract shares: a fresh store around each test, and the stable
 * code and message of a refusal.
 */
import { afterEach, beforeEach } from 'vitest';
import { isIpurlError } from '../src/core/errors.js';
import type { StoreHandle } from './store-contract.js';

/**
 * Open a fresh store before each test of the enclosing describe (handing it to `opened`, which
 * may fill it) and destroy it after the test.
 */
export function eachFreshStore(
  createStore: () => Promise<StoreHandle>,
  opened: (handle: StoreHandle) => void | Promise<void>,
): void {
  let current: StoreHandle | undefined;
  beforeEach(async () => {
    current = await createStore();
    await opened(current);
  });
  afterEach(async () => {
    await current?.destroy();
    current = undefined;
  });
}

/** The code and message a call is refused with; anything but an IpurlError fails the test. */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isIpurlError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection, the promise resolved');
}
