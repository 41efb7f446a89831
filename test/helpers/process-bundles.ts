/**
 * The programs tests start as real processes (the `ipurl` CLI and a few test children), compiled
 * once per run into plain JavaScript by esbuild (vitest globalSetup) and started with `node FILE`.
 *
 * Why: starting `node --import tsx src/cli/bin.ts` compiles some 250 TypeScript modules in every
 * child, over a second of CPU each time; the suite starts well over a hundred children (README
 * commands, crash loops, signals, replicas). The bundle is the same sources, built fresh for each
 * run, so a test never runs stale code; packages stay external and load from node_modules.
 *
 * The bundles live under node_modules/.cache/ so that Node resolves the packages from there and
 * the ipurl package root (service/bundle.ts packageRoot, for data/) is found above them.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { inject } from 'vitest';
import { REPO_ROOT } from './bundled-data.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder of the compiled process entry points (see PROCESS_ENTRIES). */
    processBundles: string;
  }
}

/** Programs tests start as processes: name → source entry point (relative to the repository). */
export const PROCESS_ENTRIES = {
  ipurl: 'src/cli/bin.ts',
  'append-loop': 'test/helpers/append-loop.ts',
  'publish-loop': 'test/publish/fixtures/publish-loop.ts',
  'rebind-delivery': 'test/publish/netns/rebind-delivery.ts',
} as const;

export type ProcessEntry = keyof typeof PROCESS_ENTRIES;

/** Compile every entry point into a new folder; returns the folder (remove it when done). */
export function buildProcessBundles(): string {
  const parent = join(REPO_ROOT, 'node_modules', '.cache', 'ipurl-test');
  mkdirSync(parent, { recursive: true });
  removeStaleBundles(parent);
  const dir = mkdtempSync(join(parent, 'bundles-'));
  // Readable by all: some tests run the CLI as an unprivileged user (run-cli.ts `unprivileged`).
  chmodSync(dir, 0o755);
  buildSync({
    entryPoints: Object.fromEntries(
      Object.entries(PROCESS_ENTRIES).map(([name, source]) => [name, join(REPO_ROOT, source)]),
    ),
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Modules the program imports lazily (the server, PostgreSQL) stay in chunks of their own,
    // so a command that never needs them never loads them, as with the unbundled sources.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return dir;
}

let ownBundles: string | undefined;

/** The compiled file of `entry`, ready for `node FILE args…`. */
export function processScript(entry: ProcessEntry): string {
  let dir = inject('processBundles') as string | undefined;
  if (dir === undefined) {
    // A file run without the run's globalSetup (an editor's single-test runner): build here.
    if (ownBundles === undefined) {
      const built = buildProcessBundles();
      process.once('exit', () => removeProcessBundles(built));
      ownBundles = built;
    }
    dir = ownBundles;
  }
  return join(dir, `${entry}.mjs`);
}

/**
 * A run that was killed never removed its bundles: clear those older than a day (a run still
 * going, here or in another checkout sharing node_modules, is never that old).
 */
function removeStaleBundles(parent: string): void {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(parent)) {
    const dir = join(parent, name);
    if (name.startsWith('bundles-') && statSync(dir).mtimeMs < dayAgo) removeProcessBundles(dir);
  }
}

/** Remove a folder made by buildProcessBundles. */
export function removeProcessBundles(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
