/**
 * The one gate for everything that enters a store: a publish, a sync, a mirror (`serve
 * --upstream`), `ipurl copy` and the seed. It runs, in order:
 *
 * 1. the size caps on counts alone (a 3.5-million-prefix answer is refused before any prefix is
 *    parsed: nothing big is built);
 * 2. the validator of endpoint sets (core/validate.ts) and of change records
 *    (core/validate-changes.ts): shape, types, canonical forms, every problem at once;
 * 3. the sanity policy (core/sanity-policy.ts) over what passed: address ranges, prefix breadth,
 *    free text, and the version id against the clock and the stored latest.
 *
 * Every issue carries a path (with the caller's prefix, e.g. the upstream URL), the value and the
 * reason; a policy issue also names its rule and how to relax it. Never throws.
 */
import type { ChangeRecord } from './change-record.js';
import type { EndpointSet } from './endpoint-set.js';
import type { Issue } from './errors.js';
import {
  countEntries,
  partsIssues,
  setIssues,
  versionIssues,
  volumeIssues,
  type PolicedParts,
  type SanityPolicy,
} from './sanity-policy.js';
import { validateChangeRecords } from './validate-changes.js';
import { validateDocument } from './validate.js';
import type { VersionId } from './version-id.js';

export interface IncomingVersion {
  /** The endpoint sets as received (parsed JSON, not yet trusted). */
  readonly sets: unknown;
  /** Change records as received, when the source sends them (sync, copy). */
  readonly changes?: unknown;
  /** The id the version will be stored under, when known. */
  readonly version?: VersionId;
  /** The store's latest version of the instance (null: none yet). */
  readonly latest?: VersionId | null;
  readonly now: Date;
  readonly policy: SanityPolicy;
  /** Set ids ever published in the instance, with their service area (ids never move). */
  readonly knownSetIds?: ReadonlyMap<number, string>;
  /** Put before every path (e.g. `http://upstream/endpoints/Worldwide `); default none. */
  readonly path?: string;
}

export interface IncomingResult {
  /** Normalised and sorted by id (core/validate.ts); meaningful only without issues. */
  readonly sets: EndpointSet[];
  /** The sets exactly as received (order, spelling); meaningful only without issues. */
  readonly asGiven: EndpointSet[];
  readonly changes: ChangeRecord[];
  readonly issues: Issue[];
}

const withPrefix = (prefix: string, issues: readonly Issue[]): Issue[] =>
  prefix === ''
    ? [...issues]
    : issues.map((issue) => ({
        ...issue,
        path: issue.path === '$' ? prefix.trim() : `${prefix}${issue.path}`,
      }));

/** Validate one incoming version (see the module comment). */
export function validateIncoming(input: IncomingVersion): IncomingResult {
  const prefix = input.path ?? '';
  const empty: IncomingResult = { sets: [], asGiven: [], changes: [], issues: [] };
  const volume = volumeIssues(countEntries(input.sets), prefix.trim() || '$', input.policy);
  const recordVolume =
    input.changes === undefined ? [] : changeVolumeIssues(input.changes, prefix, input.policy);
  if (volume.length > 0 || recordVolume.length > 0) {
    return { ...empty, issues: [...volume, ...recordVolume] };
  }
  const issues: Issue[] = [];
  const document = validateDocument(
    input.sets,
    input.knownSetIds === undefined ? {} : { knownSetIds: input.knownSetIds },
  );
  issues.push(...withPrefix(prefix, document.issues));
  const asGiven = document.issues.length === 0 ? (input.sets as EndpointSet[]) : [];
  if (document.issues.length === 0) issues.push(...setIssues(asGiven, input.policy, prefix));
  let changes: ChangeRecord[] = [];
  if (input.changes !== undefined) {
    const records = validateChangeRecords(input.changes);
    issues.push(...withPrefix(prefix, records.issues));
    if (records.issues.length === 0) {
      changes = records.records;
      issues.push(...partsIssues(changes, changeParts, input.policy, prefix));
    }
  }
  if (input.version !== undefined) {
    issues.push(
      ...versionIssues(
        input.version,
        input.latest ?? null,
        input.now,
        input.policy,
        `${prefix}version`,
      ),
    );
  }
  return { sets: document.sets, asGiven, changes, issues };
}

/** What the policy reads of a validated change record: its addresses and its free text. */
function changeParts(record: ChangeRecord): PolicedParts {
  return {
    setId: record.endpointSetId,
    prefixLists: [
      ['add.ips', record.add?.ips],
      ['remove.ips', record.remove?.ips],
    ],
    texts: [
      ['changeDescription', record.changeDescription],
      ['previous.notes', record.previous?.notes],
      ['current.notes', record.current?.notes],
    ],
  };
}

/** Per version, the prefixes and URLs its records add (and remove) are capped like a version. */
function changeVolumeIssues(changes: unknown, prefix: string, policy: SanityPolicy): Issue[] {
  if (!Array.isArray(changes)) return [];
  // Per version: [added prefixes, removed prefixes, added URLs, removed URLs].
  const perVersion = new Map<string, [number, number, number, number]>();
  for (const record of changes as unknown[]) {
    if (typeof record !== 'object' || record === null) continue;
    const { version, add, remove } = record as {
      version?: unknown;
      add?: unknown;
      remove?: unknown;
    };
    const key = typeof version === 'string' ? version : '?';
    const counts = perVersion.get(key) ?? [0, 0, 0, 0];
    [add, remove].forEach((part, side) => {
      if (typeof part !== 'object' || part === null) return;
      const { ips, urls } = part as { ips?: unknown; urls?: unknown };
      if (Array.isArray(ips)) counts[side] = (counts[side] ?? 0) + ips.length;
      if (Array.isArray(urls)) counts[side + 2] = (counts[side + 2] ?? 0) + urls.length;
    });
    perVersion.set(key, counts);
  }
  // Adds and removes of one version are two lists: each may reach the cap of a version.
  return [...perVersion.entries()].flatMap(([version, [addIps, removeIps, addUrls, removeUrls]]) =>
    volumeIssues(
      { prefixes: Math.max(addIps, removeIps), urls: Math.max(addUrls, removeUrls) },
      `${prefix}change records of ${version}`,
      policy,
    ),
  );
}
