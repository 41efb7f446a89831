/**
 * Overlay changes the store tests record (the Store contract and ipurl copy): an addition stored
 * only because its rule was relaxed, and an exclusion. A test adds `at`, `notify`, warnings or an
 * id as it needs.
 */
import type { OverlayChangeInput } from '../../src/core/overlay.js';

/** A private range for an internal proxy, with who and why. */
export const INTERNAL_PROXY_ADDITION: OverlayChangeInput = {
  instance: 'Worldwide',
  entry: {
    action: 'add',
    ips: ['10.20.0.0/16'],
    category: 'Optimize',
    serviceArea: 'Common',
    tcpPorts: '443',
  },
  by: 'alice',
  note: 'internal proxy',
  relaxedRules: ['private'],
};

/** Yammer left out, by bob without a note; the test names the instance. */
export const YAMMER_EXCLUSION: Omit<OverlayChangeInput, 'instance'> = {
  entry: { action: 'exclude', urls: ['*.yammer.com'] },
  by: 'bob',
  note: '',
};
