/**
 * docs/errors.md lists every ErrorCode of src/core/errors.ts, and nothing else, with the HTTP
 * status of src/server/http-errors.ts and the exit code of src/cli/exit-codes.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import type { ErrorCode } from '../../src/core/errors.js';
import { HTTP_STATUS } from '../../src/server/http-errors.js';
import { REPO_ROOT } from '../helpers/bundled-data.js';

/** The ErrorCode union, read from its source (a type has no runtime list). */
function declaredCodes(): string[] {
  const source = readFileSync(join(REPO_ROOT, 'src/core/errors.ts'), 'utf8');
  const union = /export type ErrorCode =([\s\S]*?);/.exec(source)?.[1] ?? '';
  return [...union.matchAll(/'(ERR_[A-Z_]+)'/g)].map((m) => m[1]!).sort();
}

/** Rows of the table, padded or not (prettier aligns the columns). */
function documentedRows(): Array<{ code: string; http: number; exit: number; meaning: string }> {
  const doc = readFileSync(join(REPO_ROOT, 'docs/errors.md'), 'utf8');
  return [...doc.matchAll(/^\| `(ERR_[A-Z_]+)` +\| (\d+) +\| (\d+) +\| (.+?) *\|$/gm)].map((m) => ({
    code: m[1]!,
    http: Number(m[2]),
    exit: Number(m[3]),
    meaning: m[4]!,
  }));
}

it('documents every declared code once, and only those', () => {
  const documented = documentedRows().map((row) => row.code);
  expect(new Set(documented).size).toBe(documented.length);
  expect([...documented].sort()).toEqual(declaredCodes());
  expect(Object.keys(HTTP_STATUS).sort()).toEqual(declaredCodes());
});

it('states the HTTP status and exit code the code really gets', () => {
  for (const row of documentedRows()) {
    expect(row.http, row.code).toBe(HTTP_STATUS[row.code as ErrorCode]);
    expect(row.exit, row.code).toBe(exitCodeFor(row.code as ErrorCode));
    expect(row.meaning.length).toBeGreaterThan(20);
  }
});
