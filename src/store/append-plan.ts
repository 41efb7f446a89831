/**
 * What an append writes, decided the same way by both adapters once the instance is locked and
 * its latest version and highest change id are read: the conflict check, the version row and the
 * change records with their ids, and the version as appendVersion answers it.
 */
import type { ChangeRecord } from '../core/change-record.js';
import type { AppendVersionInput, VersionRecord } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import { assignChangeIds, checkLatest } from './append-input.js';
import { isoText, newVersionRow, toVersionRecord, versionValues } from './store-rows.js';

export interface AppendPlan {
  /** The values of VERSION_SQL.insertVersion (statements.ts). */
  readonly versionValues: unknown[];
  readonly changes: ChangeRecord[];
  readonly version: VersionRecord;
}

export function planAppend(
  input: AppendVersionInput,
  latest: VersionId | null,
  maxChangeId: number,
): AppendPlan {
  checkLatest(input, latest);
  const row = newVersionRow(input);
  return {
    versionValues: versionValues(row),
    changes: assignChangeIds(input.changes, maxChangeId),
    version: toVersionRecord(row, isoText),
  };
}
