/**
 * Read the bundled dataset (`data/<Instance>/<version>.json`) for tests. Lives outside src/core so
 * core tests can use real files while core itself stays free of node:* imports (README.md,
 * "Layout"; eslint.config.js enforces it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { packageRoot, type BundledDataset } from '../../src/service/bundle.js';

/** The repository root, also from a test child compiled elsewhere (process-bundles.ts). */
export const REPO_ROOT = packageRoot();
export const DATA_DIR = join(REPO_ROOT, 'data');

/** Instance folders under data/, sorted. */
export function bundledInstances(): string[] {
  return readdirSync(DATA_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** Version ids of one instance, oldest first. */
export function bundledVersions(instance: string): string[] {
  return readdirSync(join(DATA_DIR, instance))
    .filter((name) => /^\d{10}\.json$/.test(name))
    .map((name) => name.slice(0, 10))
    .sort();
}

/** The raw parsed JSON of one bundled version (unknown: validators get it as received). */
export function readBundledRaw(instance: string, version: string): unknown {
  return JSON.parse(readFileSync(join(DATA_DIR, instance, `${version}.json`), 'utf8'));
}

/** One bundled version as endpoint sets (the files are in publisher form, data/README.md). */
export function readBundled(instance: string, version: string): EndpointSet[] {
  return readBundledRaw(instance, version) as EndpointSet[];
}

/** A JSON file under test/fixtures. */
export function readFixture(relativePath: string): unknown {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', relativePath), 'utf8'));
}

/**
 * The bundled dataset cut after `last` (every instance): for tests written against the history as
 * it stood then (e.g. publishing "the next version after 2025013000"), pinned explicitly instead
 * of following whatever the newest bundled version is.
 */
export function bundledUntil(dataset: BundledDataset, last: string): BundledDataset {
  return {
    ...dataset,
    instances: dataset.instances
      .map((i) => ({ ...i, versions: i.versions.filter((v) => v.version <= last) }))
      .filter((i) => i.versions.length > 0),
  };
}
