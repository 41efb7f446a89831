/**
 * A whole dataset's history in a memory source, recorded the way seeding a store records it
 * (service/seed.ts): per instance oldest to newest, each version with the change records the diff
 * computes from its predecessor, additions effective `noticeDays` after the version's date, and
 * published at the version's date 00:00Z. The dataset is taken as it is: validating it is the
 * seed's job (and the bundle's own tests'), and skipping it is what makes this cheap.
 */
import { diffVersions } from '../../core/diff.js';
import type { EndpointSet } from '../../core/endpoint-set.js';
import { addDays, parseYmd, versionDate, type VersionId } from '../../core/version-id.js';
import { MemoryCatalogSource } from './memory-catalog-source.js';

/** Versions per instance, oldest first: the shape of service/bundle.ts `BundledDataset`. */
export interface VersionedDataset {
  readonly instances: ReadonlyArray<{
    readonly instance: string;
    readonly versions: ReadonlyArray<{
      readonly version: VersionId;
      readonly sets: readonly EndpointSet[];
    }>;
  }>;
}

export interface HistoryRules {
  /** Days between a version's date and the effective date of its additions (the seed's notice). */
  readonly noticeDays: number;
}

/** A memory source holding every version of `dataset`. */
export async function memorySourceOf(
  dataset: VersionedDataset,
  rules: HistoryRules,
): Promise<MemoryCatalogSource> {
  const source = new MemoryCatalogSource();
  for (const { instance, versions } of dataset.instances) {
    let previous: readonly EndpointSet[] = [];
    let expectedLatest: VersionId | null = null;
    for (const { version, sets } of versions) {
      const date = versionDate(version);
      // addDays refuses a date that is not in the calendar, so parseYmd below has one.
      const effectiveDate = addDays(date, rules.noticeDays);
      await source.appendVersion({
        instance,
        version,
        sets,
        changes: diffVersions(previous, sets, { version, effectiveDate }),
        expectedLatest,
        publishedAt: parseYmd(date)!.toISOString(),
        notify: false,
      });
      previous = sets;
      expectedLatest = version;
    }
  }
  return source;
}
