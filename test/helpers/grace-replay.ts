/**
 * The real removal that the grace tests replay: Worldwide 2025013000 then 2025092900, with the
 * change records the seed computes between them (14 entries removed, additions effective 30
 * days after the version date).
 */
import { historyAppend } from '../../src/core/history-append.js';
import type { Store } from '../../src/core/store.js';
import { readBundled } from './bundled-data.js';

export const GRACE_OLD = '2025013000';
export const GRACE_NEW = '2025092900';

/** Append the two versions to an empty store (SQLite, PostgreSQL or the in-memory source). */
export async function appendGraceReplay(target: Pick<Store, 'appendVersion'>): Promise<void> {
  const before = readBundled('Worldwide', GRACE_OLD);
  await target.appendVersion(
    historyAppend('Worldwide', GRACE_OLD, before, { version: null, sets: [] }),
  );
  await target.appendVersion(
    historyAppend('Worldwide', GRACE_NEW, readBundled('Worldwide', GRACE_NEW), {
      version: GRACE_OLD,
      sets: before,
    }),
  );
}
