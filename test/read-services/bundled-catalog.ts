/**
 * What the read-service tests answer from: the whole bundled history in an in-memory catalog
 * source, recorded as `ipurl seed` records it (change records from the diffs, the seed's notice
 * period, publish times at midnight), and a catalog over it opened as the CLI opens one.
 */
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { openCatalog, type Catalog } from '../../src/service/catalog.js';
import { loadBundledDataset, type BundledDataset } from '../../src/service/bundle.js';
import { SEED_NOTICE_DAYS } from '../../src/core/history-append.js';
import type { MemoryCatalogSource } from '../../src/store/memory/memory-catalog-source.js';
import { memorySourceOf } from '../../src/store/memory/memory-dataset.js';
import { bundledUntil } from '../helpers/bundled-data.js';

let dataset: Promise<BundledDataset> | undefined;

/** The bundled dataset, read once per test file. */
export function bundled(): Promise<BundledDataset> {
  dataset ??= loadBundledDataset();
  return dataset;
}

/** A new memory source with every bundled version (up to `last` when given). */
export async function bundledSource(last?: string): Promise<MemoryCatalogSource> {
  const all = await bundled();
  return memorySourceOf(last === undefined ? all : bundledUntil(all, last), {
    noticeDays: SEED_NOTICE_DAYS,
  });
}

/** A catalog over a new memory source with the whole bundled history. */
export async function bundledCatalog(): Promise<Catalog> {
  return openCatalog(await bundledSource());
}

/** The bundled versions of an instance, newest first, each with its sets. */
export async function bundledVersionsOf(
  instance: string,
): Promise<Array<{ version: string; sets: readonly EndpointSet[] }>> {
  const found = (await bundled()).instances.find((i) => i.instance === instance);
  if (found === undefined) throw new Error(`no bundled instance ${instance}`);
  return [...found.versions].reverse();
}
