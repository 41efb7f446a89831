/**
 * Real-tool tests: a test that needs a program this machine lacks skips with a visible reason,
 * and fails instead under CI (where .ci/run installs every such program).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe } from 'vitest';

export const IN_CI = Boolean(process.env.CI) && process.env.CI !== 'false';

/** True when `command` is on PATH (or is an absolute path that exists and runs). */
export function hasCommand(command: string): boolean {
  const result = spawnSync('sh', ['-c', `command -v ${JSON.stringify(command)}`], {
    encoding: 'utf8',
  });
  return result.status === 0;
}

/**
 * The Python that sees Debian's packages (python3-pacparser, python3-feedparser). A `python3`
 * earlier on PATH (pyenv and the like) does not, so real-tool tests spawn this one.
 */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** True when Debian's python3 can import `module`. */
export function hasPythonModule(module: string): boolean {
  const result = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  return result.status === 0;
}

/**
 * `describe` that runs when `available`, else skips with a message naming what is missing;
 * under CI a missing requirement fails the run instead of skipping.
 */
export function describeWith(
  requirement: string,
  available: boolean,
): typeof describe | typeof describe.skip {
  if (available) return describe;
  if (IN_CI) {
    throw new Error(`CI requires ${requirement}, which is missing on this machine (see .ci/run)`);
  }
  process.stderr.write(`\n[skip] ${requirement} is not available here: its tests are skipped\n`);
  return describe.skip;
}
