/**
 * The overlay addition the store tests record: a private range for an internal proxy, stored only
 * because its rule was relaxed, with who and why. A test adds `at`, `notify` or an id as it needs.
 */
import type { OverlayChangeInput } from '../../src/core/overlay.js';

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
