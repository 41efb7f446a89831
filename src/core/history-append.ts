/**
 * How a version of a recorded history (the bundled data/) goes into a store, so the seed and
 * every other holder of that history (the in-memory catalog source) record it alike: the change
 * records the diff computes from its predecessor, additions effective `noticeDays` after the
 * version's date, published at the version's date 00:00Z, no webhook.
 */
import { diffVersions } from './diff.js';
import type { EndpointSet } from './endpoint-set.js';
import type { AppendVersionInput } from './store.js';
import { addDays, versionDate, type VersionId } from './version-id.js';

/** Notice period given to additions of the bundled history (Microsoft's usual 30 days). */
export const SEED_NOTICE_DAYS = 30;

/** `YYYYMMDDNN` → the version's date at midnight UTC, ISO 8601. */
export function versionMidnight(version: VersionId): string {
  const ymd = versionDate(version);
  return `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}T00:00:00.000Z`;
}

/** The version stored before the one appended (null and no sets for an instance's first). */
export interface HistoryPredecessor {
  readonly version: VersionId | null;
  readonly sets: readonly EndpointSet[];
}

/** The append of `version` of `instance` after `previous`, as the history records it. */
export function historyAppend(
  instance: string,
  version: VersionId,
  sets: readonly EndpointSet[],
  previous: HistoryPredecessor,
  noticeDays: number = SEED_NOTICE_DAYS,
): AppendVersionInput {
  return {
    instance,
    version,
    sets,
    changes: diffVersions(previous.sets, sets, {
      version,
      effectiveDate: addDays(versionDate(version), noticeDays),
    }),
    expectedLatest: previous.version,
    publishedAt: versionMidnight(version),
    notify: false,
  };
}
