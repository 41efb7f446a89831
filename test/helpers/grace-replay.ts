/**
 * The real removal that the grace tests replay: Worldwide 2025013000 then 2025092900, with the
 * change records a publisher computes between them (14 entries removed, additions effective 30
 * days after the version date).
 */
import { diffVersions } from '../../src/core/diff.js';
import type { Store } from '../../src/core/store.js';
import { addDays, versionDate } from '../../src/core/version-id.js';
import { readBundled } from './bundled-data.js';

export const GRACE_OLD = '2025013000';
export const GRACE_NEW = '2025092900';

/** Append the two versions to an empty store (SQLite, PostgreSQL or the in-memory source). */
export async function appendGraceReplay(target: Pick<Store, 'appendVersion'>): Promise<void> {
  const before = readBundled('Worldwide', GRACE_OLD);
  const after = readBundled('Worldwide', GRACE_NEW);
  await target.appendVersion({
    instance: 'Worldwide',
    version: GRACE_OLD,
    sets: before,
    changes: [],
    expectedLatest: null,
    notify: false,
  });
  await target.appendVersion({
    instance: 'Worldwide',
    version: GRACE_NEW,
    sets: after,
    changes: diffVersions(before, after, {
      version: GRACE_NEW,
      effectiveDate: addDays(versionDate(GRACE_NEW), 30),
    }),
    expectedLatest: GRACE_OLD,
    notify: false,
  });
}
