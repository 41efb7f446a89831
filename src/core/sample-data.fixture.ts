/**
 * Sample endpoint sets and change records for the unit tests, built in one place so that each
 * test states only what it is about. Test-only: tsconfig.build.json leaves `*.fixture.ts` out.
 */
import type { ChangeAttributes, ChangeDraft, ChangeRemove } from './change-record.js';
import { ENDPOINT_SET_MEMBERS, type EndpointSet } from './endpoint-set.js';
import type { VersionId } from './version-id.js';

/** A set shaped like the real Worldwide Common ones, overridable per test. */
export function sampleSet(id: number, extra: Partial<EndpointSet> = {}): EndpointSet {
  return {
    id,
    serviceArea: 'Common',
    serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
    tcpPorts: '80,443',
    expressRoute: false,
    category: 'Default',
    required: true,
    ...extra,
  };
}

/**
 * An Exchange set holding every member, its keys in reverse wire order: what a renderer or
 * filter must put back in order. `extra` changes values, never the key order.
 */
export function scrambledSet(extra: Partial<EndpointSet> = {}): EndpointSet {
  const set = sampleSet(4, {
    serviceArea: 'Exchange',
    serviceAreaDisplayName: 'Exchange Online',
    urls: ['a.example.com'],
    ips: ['192.0.2.0/24'],
    tcpPorts: '443',
    udpPorts: '443',
    required: false,
    notes: '',
    ...extra,
  });
  const reversed = [...ENDPOINT_SET_MEMBERS].reverse();
  return Object.fromEntries(
    reversed.map((member) => [member, set[member]]),
  ) as unknown as EndpointSet;
}

/** The `previous`/`current` attributes of a sampleSet, as change records carry them. */
export function sampleAttributes(extra: Partial<ChangeAttributes> = {}): ChangeAttributes {
  return {
    expressRoute: 'false',
    serviceArea: 'Common',
    category: 'Default',
    required: 'true',
    tcpPorts: '80,443',
    ...extra,
  };
}

/** The record of a set removed in `version`: what it was and what went with it. */
export function removalDraft(
  endpointSetId: number,
  version: VersionId,
  previous: ChangeAttributes,
  remove: ChangeRemove,
): ChangeDraft {
  return {
    endpointSetId,
    disposition: 'Remove',
    version,
    impact: 'RemovedIpOrUrl',
    previous,
    remove,
  };
}
