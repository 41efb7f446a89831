/**
 * Worldwide 2020010200 from the bundled data, appended as the first version of a webhook test's
 * store with its change records (additions effective 30 days after the version's date), so every
 * webhook registered on the store has a delivery due.
 */
import { diffVersions } from '../../src/core/diff.js';
import type { Store } from '../../src/core/store.js';
import { readBundled } from '../helpers/bundled-data.js';

export const FIRST_VERSION = '2020010200';

export async function appendBundledFirstVersion(store: Store): Promise<void> {
  const sets = readBundled('Worldwide', FIRST_VERSION);
  await store.appendVersion({
    instance: 'Worldwide',
    version: FIRST_VERSION,
    sets,
    changes: diffVersions([], sets, { version: FIRST_VERSION, effectiveDate: '20200201' }),
    expectedLatest: null,
  });
}
