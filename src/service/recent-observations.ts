/**
 * Observations as the server's device answers read them (`includeObserved`): one store read per
 * instance per `maxAgeMs` (default 1 s, the freshness the catalog gives a new version), however
 * many requests ask.
 *
 * Why: observations do not move the store revision — an `ipurl observe` run every few minutes
 * would otherwise drop every prepared answer of every route — so an answer that includes them is
 * keyed on their fingerprint (device-view.ts `deviceViewKey`). Read from the store each time,
 * that fingerprint cost one query per request; a flood of `includeObserved` requests now costs
 * one per instance per second.
 */
import type { Observation } from '../core/observation.js';
import type { ObservationSource } from './device-view.js';

export function recentObservations(
  source: ObservationSource,
  maxAgeMs = 1000,
  now: () => number = Date.now,
): ObservationSource {
  // Keyed by canonical instance name (the catalog resolved it), so bounded by the instances.
  const memo = new Map<string, { readonly at: number; readonly rows: Promise<Observation[]> }>();
  return {
    listObservations(instance) {
      const at = now();
      const held = memo.get(instance);
      if (held !== undefined && at - held.at < maxAgeMs) return held.rows;
      const rows = source.listObservations(instance);
      const entry = { at, rows };
      memo.set(instance, entry);
      // A failed read is not kept: the next request asks the store again.
      rows.catch(() => {
        if (memo.get(instance) === entry) memo.delete(instance);
      });
      return rows;
    },
  };
}
