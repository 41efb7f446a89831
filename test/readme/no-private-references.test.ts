/**
 * Users have README.md, data/README.md, docs/ and examples/: none of them may send a reader to a
 * file users do not have (the project's private spec, design or ecosystem notes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/bundled-data.js';

const FORBIDDEN =
  /SPEC §|SPEC\.md|ECOSYSTEM(\.md)?\b|DESIGN\.md|ANCHORS\.md|\/work\/shared|\.\.\/shared/;

function files(): string[] {
  const list = ['README.md', join('data', 'README.md')];
  for (const folder of ['docs', 'examples']) {
    for (const name of readdirSync(join(REPO_ROOT, folder))) list.push(join(folder, name));
  }
  return list;
}

it('README, data/README, docs/ and examples/ cite only files users have', () => {
  const hits: string[] = [];
  for (const file of files()) {
    readFileSync(join(REPO_ROOT, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (FORBIDDEN.test(line)) hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
  }
  expect(hits).toEqual([]);
});
