/**
 * A whole dataset's history in a memory source, recorded the way seeding a store records it
 * (core/history-append.ts), per instance oldest to newest. The dataset is taken as it is: validating it is the
 * seed's job (and the bundle's own tests'), and skipping it is what makes this cheap.
 */
import type { EndpointSet } from '../../core/endpoint-set.js';
import { historyAppend } from '../../core/history-append.js';
import type { VersionId } from '../../core/version-id.js';
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
      await source.appendVersion(
        historyAppend(
          instance,
          version,
          sets,
          { version: expectedLatest, sets: previous },
          rules.noticeDays,
        ),
      );
      previous = sets;
      expectedLatest = version;
    }
  }
  return source;
}
