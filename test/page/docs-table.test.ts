import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { renderDocsTable } from '../../src/formats/docs-table.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TABLES = join(ROOT, 'test', 'fixtures', 'tables');

function loadSets(instance: string, version: string): EndpointSet[] {
  return JSON.parse(
    readFileSync(join(ROOT, 'data', instance, `${version}.json`), 'utf8'),
  ) as EndpointSet[];
}

/** Microsoft's generator mixes CRLF and LF lines (an artefact, not meaning): compare lines. */
function lines(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
}

const GENERATED = /^<!--File generated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{4}-->$/;
/**
 * The 2022–2025 samples were transcribed from an index that lost the separator rows; they carry
 * this placeholder instead. Microsoft's real files of those versions have full-width separators
 * (e.g. specialized806/microsoft-365-docs@0559481c, USGovGCCHigh 2025013000), which the 2020
 * sample, an untouched copy of Microsoft's file, checks byte for byte.
 */
const TRANSCRIBED_SEPARATOR = '-- | -- | -- | -- | --';

const samples = readdirSync(TABLES).filter((name) => name.endsWith('.md'));

describe('renderDocsTable reproduces the endpoint tables of Microsoft’s generator', () => {
  it('has the samples to check', () => {
    expect(samples.length).toBeGreaterThanOrEqual(6);
  });

  for (const sample of samples) {
    it(`renders ${sample} from data/ byte for byte (line endings and timestamp aside)`, () => {
      const match = /^([A-Za-z]+)-(\d{10})\.md$/.exec(sample);
      expect(match, `sample name ${sample}`).not.toBeNull();
      const [, instance = '', version = ''] = match ?? [];
      const expected = lines(readFileSync(join(TABLES, sample), 'utf8'));
      const actual = lines(
        renderDocsTable(instance, version, loadSets(instance, version), {
          generatedAt: new Date('2025-04-30T00:32:12.483Z'),
        }),
      );

      expect(actual.length).toBe(expected.length);
      expect(actual[3]).toBe('<!--File generated 2025-04-30 00:32:12.4830-->');
      expect(expected[3]).toMatch(GENERATED);
      let transcribedSeparators = 0;
      for (let i = 0; i < expected.length; i++) {
        if (i === 3) continue;
        const want = expected[i] ?? '';
        const got = actual[i] ?? '';
        if (want === TRANSCRIBED_SEPARATOR) {
          // Still a separator row of five dash runs, each as wide as the widest cell of its column.
          transcribedSeparators++;
          expect(got, `line ${i + 1}`).toMatch(/^-+( \| -+){4}$/);
          continue;
        }
        expect(got, `line ${i + 1} of ${sample}`).toBe(want);
      }
      if (sample === 'Worldwide-2020012800.md') expect(transcribedSeparators).toBe(0);
    });
  }
});

describe('separator widths', () => {
  it('sizes every run to the longest cell of its column, header included', () => {
    const rendered = lines(
      renderDocsTable('Worldwide', '2025013000', loadSets('Worldwide', '2025013000'), {
        generatedAt: new Date(0),
      }),
    );
    for (let i = 0; i < rendered.length; i++) {
      if (rendered[i] !== 'ID | Category | ER | Addresses | Ports') continue;
      const runs = (rendered[i + 1] ?? '').split(' | ').map((run) => run.length);
      const body: string[][] = [];
      for (let j = i + 2; j < rendered.length && rendered[j] !== ''; j++)
        body.push((rendered[j] ?? '').split(' | '));
      const widest = [0, 1, 2, 3, 4].map((c) =>
        Math.max(
          ['ID', 'Category', 'ER', 'Addresses', 'Ports'][c]!.length,
          ...body.map((row) => row[c]!.length),
        ),
      );
      expect(runs).toEqual(widest);
    }
  });
});

describe('separator widths of the transcribed samples, against Microsoft’s real files', () => {
  // The transcribed samples lost their separator rows; Microsoft's real files of the same
  // versions did not. Their lengths (LF endings) pin the separators: every other byte is in
  // the samples, which the test above compares.
  const REAL: ReadonlyArray<readonly [string, string, number, string]> = [
    [
      'Worldwide',
      '2025013000',
      16569,
      'specialized806/microsoft-365-docs@01ba757e988f3af53efee8bea5c622106d9c908b',
    ],
    [
      'USGovGCCHigh',
      '2025013000',
      6091,
      'specialized806/microsoft-365-docs@0559481c5bba91c75b5348030b026d791c0c5364',
    ],
    [
      'USGovGCCHigh',
      '2024073100',
      6097,
      'Centaurioun/microsoft-365-docs-book@8d8d07a296e8b4ff083d4edeb756ae29afa707b5',
    ],
  ];
  for (const [instance, version, length, source] of REAL) {
    it(`renders ${instance} ${version} to the length of ${source}`, () => {
      const text = renderDocsTable(instance, version, loadSets(instance, version), {
        generatedAt: new Date('2025-02-09T12:01:57.930Z'),
      });
      expect(text.length).toBe(length);
    });
  }
});
