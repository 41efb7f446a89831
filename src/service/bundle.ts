/**
 * The bundled dataset: `data/<Instance>/<YYYYMMDDNN>.json`, every known published version of
 * every instance in publisher form (data/README.md). It ships inside the package, so its folder
 * is found from this module's own location: the package root is the nearest ancestor holding
 * ipurl's package.json, which works from `src/service/` (vitest, tsx) and `dist/service/` (built).
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EndpointSet } from '../core/endpoint-set.js';
import { IpurlError, describeValue } from '../core/errors.js';
import { compareInstances, isValidInstanceName } from '../core/instance.js';
import { isVersionId, type VersionId } from '../core/version-id.js';

export interface BundledVersion {
  readonly version: VersionId;
  /** The endpoint sets, as stored in the file (sorted by id). */
  readonly sets: readonly EndpointSet[];
}

export interface BundledInstance {
  readonly instance: string;
  /** Oldest first. */
  readonly versions: readonly BundledVersion[];
}

export interface BundledDataset {
  /** The folder it was read from. */
  readonly dir: string;
  /** Canonical instance order (Microsoft's first, then by name; compareInstances). */
  readonly instances: readonly BundledInstance[];
}

/** The ipurl package root: the nearest ancestor of this module with ipurl's package.json. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'ipurl')
          return dir;
      } catch {
        // An unreadable manifest on the way up is not ours; keep looking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new IpurlError('ERR_INTERNAL', `cannot find the ipurl package root above ${from}`);
    }
    dir = parent;
  }
}

export function bundledDataDir(): string {
  return join(packageRoot(), 'data');
}

/** Read every version of every instance under `dir` (default: the package's `data/`). */
export async function loadBundledDataset(dir: string = bundledDataDir()): Promise<BundledDataset> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new IpurlError('ERR_NOT_FOUND', `cannot read the bundled dataset folder ${dir}`, {
      cause: error,
    });
  }
  const names = entries
    .filter((entry) => entry.isDirectory() && isValidInstanceName(entry.name))
    .map((entry) => entry.name)
    .sort(compareInstances);
  const instances = await Promise.all(
    names.map(async (instance): Promise<BundledInstance> => {
      const files = (await readdir(join(dir, instance)))
        .filter((file) => file.endsWith('.json'))
        .sort();
      const versions = await Promise.all(
        files.map(async (file): Promise<BundledVersion> => {
          const version = file.slice(0, -'.json'.length);
          const path = join(dir, instance, file);
          if (!isVersionId(version)) {
            throw new IpurlError(
              'ERR_INVALID_DOCUMENT',
              `${path}: a bundled version file is named <YYYYMMDDNN>.json; received ${describeValue(file)}`,
            );
          }
          let sets: unknown;
          try {
            sets = JSON.parse(await readFile(path, 'utf8'));
          } catch (error) {
            throw new IpurlError('ERR_INVALID_DOCUMENT', `${path} is not valid JSON`, {
              cause: error,
            });
          }
          if (!Array.isArray(sets)) {
            throw new IpurlError(
              'ERR_INVALID_DOCUMENT',
              `${path} must hold an array of endpoint sets; received ${describeValue(sets)}`,
            );
          }
          return { version, sets: sets as EndpointSet[] };
        }),
      );
      return { instance, versions };
    }),
  );
  return { dir, instances: instances.filter((i) => i.versions.length > 0) };
}
