/**
 * Observed addresses (docs/operations.md "Observed addresses"): what a resolver answered for the
 * concrete names of URL-only endpoint sets, kept apart from published data. Never part of the
 * wire routes; exports and lookups show them only when asked, always labelled `observed`.
 */
import type { IpFamily } from './cidr.js';
import type { EndpointSet } from './endpoint-set.js';
import { classifyConcreteName } from './observed-names.js';

/** One answer: `address` was returned for `name`, a concrete name of set `setId`. */
export interface Observation {
  readonly instance: string;
  readonly setId: number;
  readonly name: string;
  /** Canonical address text (no prefix length). */
  readonly address: string;
  readonly family: IpFamily;
  /** ISO 8601. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** TTL of the last answer, seconds. */
  readonly ttl: number;
}

/** What a run saw for one (set, name, address), before the store merges it. */
export interface ObservationInput {
  readonly setId: number;
  readonly name: string;
  readonly address: string;
  readonly family: IpFamily;
  readonly ttl: number;
}

/** The concrete names of one set that can be resolved: exact hosts only (no wildcard guessed). */
export interface ObservedName {
  readonly setId: number;
  readonly name: string;
}

/**
 * The names to resolve: the exact host patterns of URL-only sets (sets with host patterns and no
 * IP prefix, which an IP-only firewall cannot allow otherwise). A wildcard pattern contributes nothing by itself:
 * its concrete names are the exact hosts the data also lists (`outlook.office365.com` next to
 * `*.office365.com`), never guessed ones. Names still holding `<tenant>` are skipped.
 */
export function namesToObserve(sets: readonly EndpointSet[]): ObservedName[] {
  const out: ObservedName[] = [];
  const seen = new Set<string>();
  for (const set of sets) {
    if ((set.ips ?? []).length > 0) continue;
    for (const url of set.urls ?? []) {
      const name = classifyConcreteName(url);
      if (name === undefined) continue;
      const key = `${set.id} ${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ setId: set.id, name });
    }
  }
  return out;
}
