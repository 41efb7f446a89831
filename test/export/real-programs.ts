/**
 * What the tests that load device outputs into real programs share: whether this process may load
 * rules (root) and open a throwaway network namespace, a runner that keeps both output streams,
 * the cases every device output is checked with (each bundled instance's latest version and the
 * hostile fixture, policy skip), and the nft and squid checks the device and overlay tests make.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ExportFile } from '../../src/formats/export/export-types.js';
import type { CatalogSource } from '../../src/service/catalog.js';
import type { ExportOutcome, ExportRequest } from '../../src/service/export.js';
import { hasCommand } from '../helpers/system.js';
import { hostileSets, realVersions, run, sourceWith } from './fixture.js';

export const ROOT = process.getuid?.() === 0;
/** Root and `unshare -n` works (a container may forbid it even to root). */
export const NS =
  ROOT && hasCommand('unshare') && spawnSync('unshare', ['-n', 'true']).status === 0;

/** Run a program to the end; stdout and stderr together, as an assertion message shows them. */
export function sh(command: string, args: string[]): { status: number | null; out: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

export interface ToolCase {
  readonly label: string;
  readonly request: Omit<ExportRequest, 'target'>;
}

export interface RealProgramCases {
  /** The real versions' cases, then the file's own; filled by the file's beforeAll. */
  readonly cases: readonly ToolCase[];
  /**
   * Export `request` as `target` into a fresh folder of the run's temp folder (squid's files name
   * it as their directory) and write the files there.
   */
  readonly exportTo: (
    target: string,
    request: Omit<ExportRequest, 'target'>,
    extra?: Partial<ExportRequest>,
  ) => Promise<{ outcome: ExportOutcome; folder: string }>;
}

/**
 * For the calling test file: before its tests, one source holding the real versions and the
 * hostile fixture (instance Hostile), a case (policy skip) for each real version followed by
 * `own`, and a temp folder named `prefix…`; after them the folder is removed and nothing is kept.
 */
export function realProgramCases(prefix: string, own: readonly ToolCase[]): RealProgramCases {
  let source: CatalogSource | undefined;
  let dir: string | undefined;
  const cases: ToolCase[] = [];
  let counter = 0;
  beforeAll(async () => {
    const versions = realVersions();
    source = await sourceWith([
      ...versions,
      { instance: 'Hostile', version: '2025010100', sets: hostileSets() },
    ]);
    dir = mkdtempSync(join(tmpdir(), prefix));
    for (const { instance, version } of versions) {
      cases.push({
        label: `${instance} ${version}`,
        request: { instance, version, onUnsupported: 'skip' },
      });
    }
    cases.push(...own);
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    source = undefined;
    cases.length = 0;
  });
  return {
    cases,
    async exportTo(target, request, extra = {}) {
      if (source === undefined || dir === undefined) throw new Error('exportTo before beforeAll');
      const folder = join(dir, `${target}-${++counter}`);
      mkdirSync(folder, { recursive: true });
      const outcome = await run(source, { ...request, target, squidDir: folder, ...extra });
      for (const file of outcome.files) writeFileSync(join(folder, file.name), file.content);
      return { outcome, folder };
    },
  };
}

/** `nft -c -f` accepts the file without a word. */
export function expectNftChecks(file: string): void {
  const checked = spawnSync('nft', ['-c', '-f', file], { encoding: 'utf8' });
  expect(checked.stderr).toBe('');
  expect(checked.status).toBe(0);
}

/**
 * Install the squid `files` in `squidDir` under a squid.conf that includes them and allows
 * m365_default; `squid -k parse` accepts it without a warning or an error.
 */
export function expectSquidParses(squidDir: string, files: readonly ExportFile[]): void {
  mkdirSync(squidDir, { recursive: true });
  for (const file of files) writeFileSync(join(squidDir, file.name), file.content);
  const conf = join(squidDir, 'squid.conf');
  writeFileSync(
    conf,
    `include ${squidDir}/m365-acls.conf\nhttp_access allow m365_default\nhttp_access deny all\nhttp_port 3128\n`,
  );
  const parsed = spawnSync('squid', ['-k', 'parse', '-f', conf], { encoding: 'utf8' });
  expect(parsed.status).toBe(0);
  expect(parsed.stderr).not.toMatch(/WARNING|ERROR/);
}
