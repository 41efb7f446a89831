/**
 * Golden files: every target on Worldwide 2025013000 (test/golden/export/<target>/<file>).
 * Regenerate after an intended change with `UPDATE_GOLDEN=1 npx vitest run test/export/golden.test.ts`
 * and review the diff.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogSource } from '../../src/service/catalog.js';
import { TARGET_NAMES } from '../../src/formats/export/export-registry.js';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { GOLDEN_INSTANCE, GOLDEN_VERSION, run, sourceWith } from './fixture.js';

const GOLDEN_DIR = join(REPO_ROOT, 'test', 'golden', 'export');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

let source: CatalogSource;
beforeAll(async () => {
  source = await sourceWith([{ instance: GOLDEN_INSTANCE, version: GOLDEN_VERSION }]);
});

describe(`golden files: ${GOLDEN_INSTANCE} ${GOLDEN_VERSION}`, () => {
  for (const target of TARGET_NAMES) {
    it(`${target} matches test/golden/export/${target}/`, async () => {
      // Tenant "contoso" and explicit skip: the one pattern no list-type target can express
      // (*cdn.onenote.net) is left out and reported, as an administrator would ask for.
      const outcome = await run(source, {
        instance: GOLDEN_INSTANCE,
        target,
        version: GOLDEN_VERSION,
        tenantName: 'contoso',
        onUnsupported: 'skip',
        // windows-routes needs the interface a user names; the other targets ignore it.
        interfaceAlias: 'Wi-Fi',
      });
      const dir = join(GOLDEN_DIR, target);
      if (UPDATE) {
        mkdirSync(dir, { recursive: true });
        for (const file of outcome.files) writeFileSync(join(dir, file.name), file.content);
      }
      expect(existsSync(dir), `missing ${dir}: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(outcome.files.map((f) => f.name).sort()).toEqual(readdirSync(dir).sort());
      for (const file of outcome.files) {
        expect(file.content, `${target}/${file.name}`).toBe(
          readFileSync(join(dir, file.name), 'utf8'),
        );
      }
    });
  }
});
