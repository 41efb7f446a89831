/**
 * What both adapters check and compute the same way around `appendVersion`: input validation that
 * needs no database, the conflict errors (optimistic concurrency: version ids only increase),
 * change-id assignment (unique, increasing per instance, never reused: docs/publishing.md,
 * "Decisions") and timestamp normalisation, so SQLite and PostgreSQL give byte-identical answers.
 */
import type { ChangeDraft, ChangeRecord } from '../core/change-record.js';
import { IpurlError, ValidationError, describeValue, type Issue } from '../core/errors.js';
import { isValidInstanceName } from '../core/instance.js';
import type { AppendVersionInput, DeliveryStatus } from '../core/store.js';
import { isVersionId, type VersionId } from '../core/version-id.js';

/** Normalise an ISO 8601 timestamp to `Date#toISOString()` form so text order is time order. */
export function isoTimestamp(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${field} must be an ISO 8601 timestamp such as 2026-11-28T00:00:00.000Z; received ${describeValue(value)}`,
    );
  }
  return new Date(ms).toISOString();
}

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed'];

/** Reject input that can never be stored, before touching the database. */
export function validateAppendInput(input: AppendVersionInput): void {
  const issues: Issue[] = [];
  if (!isValidInstanceName(input.instance)) {
    issues.push({
      path: 'instance',
      value: describeValue(input.instance),
      reason: 'an instance name is a letter followed by up to 63 letters or digits',
    });
  }
  if (!isVersionId(input.version)) {
    issues.push({
      path: 'version',
      value: describeValue(input.version),
      reason: 'a version id is ten digits YYYYMMDDNN',
    });
  }
  if (input.expectedLatest !== null && !isVersionId(input.expectedLatest)) {
    issues.push({
      path: 'expectedLatest',
      value: describeValue(input.expectedLatest),
      reason: 'the expected latest version is ten digits, or null for a new instance',
    });
  }
  const setIds = new Set<number>();
  input.sets.forEach((set, index) => {
    if (!Number.isSafeInteger(set.id) || set.id < 0) {
      issues.push({
        path: `sets[${index}].id`,
        value: describeValue(set.id),
        reason: 'a set id is a non-negative integer',
      });
    } else if (setIds.has(set.id)) {
      issues.push({
        path: `sets[${index}].id`,
        value: String(set.id),
        reason: 'duplicate endpoint set id in one version',
        setId: set.id,
      });
    }
    setIds.add(set.id);
  });
  const changeIds = new Set<number>();
  input.changes.forEach((change, index) => {
    if (change.version !== input.version) {
      issues.push({
        path: `changes[${index}].version`,
        value: describeValue(change.version),
        reason: `a change record of this append belongs to version ${input.version}`,
      });
    }
    if (change.id !== undefined) {
      if (!Number.isSafeInteger(change.id) || change.id < 1) {
        issues.push({
          path: `changes[${index}].id`,
          value: describeValue(change.id),
          reason: 'a change record id is a positive integer',
        });
      } else if (changeIds.has(change.id)) {
        issues.push({
          path: `changes[${index}].id`,
          value: String(change.id),
          reason: 'duplicate change record id in one append',
        });
      }
      changeIds.add(change.id);
    }
  });
  if (input.publishedAt !== undefined) isoTimestamp(input.publishedAt, 'publishedAt');
  if (issues.length > 0) {
    throw new ValidationError(
      issues,
      `cannot store version ${describeValue(input.version)} of ${describeValue(input.instance)}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`,
    );
  }
}

/** The optimistic-concurrency check, run inside the append transaction with the locked latest. */
export function checkLatest(input: AppendVersionInput, latest: VersionId | null): void {
  if (latest !== input.expectedLatest) {
    throw new IpurlError(
      'ERR_CONFLICT',
      `${input.instance} changed meanwhile: this append expected the latest version to be ${input.expectedLatest ?? 'none (a new instance)'} but the store has ${latest ?? 'none'}; nothing was written. Re-read the latest version, recompute and retry.`,
      { details: { instance: input.instance, expectedLatest: input.expectedLatest, latest } },
    );
  }
  if (latest !== null && input.version <= latest) {
    throw new IpurlError(
      'ERR_CONFLICT',
      `version ${input.version} of ${input.instance} is not after the latest version ${latest}: version ids only increase; nothing was written. Retry with a version after ${latest}.`,
      { details: { instance: input.instance, version: input.version, latest } },
    );
  }
}

/**
 * Give drafts without an id the next ids of the instance, in order, after the highest id stored or
 * passed explicitly (a mirror passes upstream ids). `id` goes first: the wire field order.
 */
export function assignChangeIds(
  drafts: readonly ChangeDraft[],
  maxStoredId: number,
): ChangeRecord[] {
  let next = maxStoredId;
  for (const draft of drafts) if (draft.id !== undefined && draft.id > next) next = draft.id;
  return drafts.map((draft) => {
    const { id, ...rest } = draft;
    const assigned = id ?? ++next;
    return { id: assigned, ...rest };
  });
}

/** The conflict error for a change id that already exists in the instance. */
export function duplicateChangeIdError(instance: string, cause: unknown): IpurlError {
  return new IpurlError(
    'ERR_CONFLICT',
    `a change record id of this append already exists in ${instance} (change ids are never reused); nothing was written`,
    { cause },
  );
}
