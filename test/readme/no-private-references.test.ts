/**
 * The project speaks of the project alone: no file git tracks (sources, tests, docs, examples,
 * configuration, benchmarks, CI) may send a reader to a file users do not have (the team's
 * private spec, design, ecosystem or anchor notes). Left out: the bundled data/ JSON (Microsoft's
 * published data, not our prose), binary files, and this file, which has to name the words.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/bundled-data.js';

/** The notes' names; SPEC as a capitalised word also catches "SPEC §4.2" and "the SPEC's". */
const FORBIDDEN =
  /\bSPEC\b|ECOSYSTEM(\.md)?\b|DESIGN\.md|ANCHORS(\.md)?\b|\/work\/shared|\.\.\/shared/;

const THIS_FILE = 'test/readme/no-private-references.test.ts';
const BUNDLED_DATA = /^data\/.*\.json$/;

/** The tracked files to read, as git names them (relative, forward slashes). */
function trackedFiles(): string[] {
  const listing = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return listing
    .split('\0')
    .filter((file) => file !== '' && file !== THIS_FILE && !BUNDLED_DATA.test(file))
    .filter((file) => {
      // A tracked file deleted in the working tree (not yet committed) has nothing left to cite.
      const path = join(REPO_ROOT, file);
      return existsSync(path) && statSync(path).isFile();
    });
}

it('every file git tracks cites only files users have', () => {
  const files = trackedFiles();
  // Guards against a listing that silently came back (nearly) empty.
  expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'eslint.config.js']));
  const hits: string[] = [];
  for (const file of files) {
    const bytes = readFileSync(join(REPO_ROOT, file));
    if (bytes.includes(0)) continue; // binary: no prose to cite from
    bytes
      .toString('utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        if (FORBIDDEN.test(line)) hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
  }
  expect(hits).toEqual([]);
});
