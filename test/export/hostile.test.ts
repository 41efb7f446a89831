/**
 * Hostile data cannot break out of any export format (issue 4): quotes, newlines, `</script>`,
 * `"; return "DIRECT`, `,=cmd`, `=HYPERLINK(`, an iptables `-j DROP` and a port list carrying
 * `"; accept; #`. Device formats refuse them (ERR_UNSUPPORTED_PATTERN, or left out and reported
 * under warn/skip); CSV and JSON carry them escaped. The skipped outputs are also loaded into
 * the real programs by real-tools.test.ts.
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CatalogSource } from '../../src/service/catalog.js';
import { TARGET_NAMES } from '../../src/formats/export/export-registry.js';
import { HOSTILE_NOTE, HOSTILE_URLS, hostileSets, run, sourceWith } from './fixture.js';

const DEVICE_TARGETS = TARGET_NAMES.filter((t) => t !== 'csv' && t !== 'json');
const FRAGMENTS = [
  '"; return',
  '</script>',
  '\ninclude',
  '=cmd',
  'HYPERLINK',
  "'",
  '-j DROP',
  '; drop',
  'accept; #',
  '@SUM',
  '+cmd',
];

/** Every category (split-tunnel targets default to Optimize) and the interface windows-routes needs. */
const EVERY = {
  categories: ['Optimize', 'Allow', 'Default'] as const,
  interfaceAlias: 'Wi-Fi',
};

let source: CatalogSource;
beforeAll(async () => {
  source = await sourceWith([{ instance: 'Hostile', version: '2025010100', sets: hostileSets() }]);
});

describe('device formats refuse hostile entries', () => {
  for (const target of DEVICE_TARGETS) {
    it(`${target}: error by default, naming the entries`, async () => {
      await expect(run(source, { instance: 'Hostile', target, ...EVERY })).rejects.toMatchObject({
        code: 'ERR_UNSUPPORTED_PATTERN',
        message: expect.stringContaining('Nothing was written'),
      });
    });

    it(`${target}: with skip, nothing hostile reaches any file and every left-out entry is reported`, async () => {
      const outcome = await run(source, {
        instance: 'Hostile',
        target,
        onUnsupported: 'skip',
        ...EVERY,
      });
      for (const file of outcome.files) {
        // Comment lines (the header reports left-out entries) are single printable lines with
        // no quote or statement separator; everything else must be free of every fragment.
        const lines = file.content.split('\n');
        const comments = lines.filter((line) => /^[#!]/.test(line));
        for (const line of comments) {
          expect(line).toMatch(/^[#!][\x20-\x7e]*$/);
          for (const fragment of ['"; return', '</script>', '; drop', 'accept; #', "' -j", '"']) {
            if (!line.includes('Use:') && !line.includes('e.g.'))
              expect(line).not.toContain(fragment);
          }
        }
        const body = lines.filter((line) => !/^[#!]/.test(line)).join('\n');
        // PowerShell's single-quoted literal is windows-routes' quoting: its own quotes are fine,
        // what is inside them is a re-rendered prefix or an alias that cannot hold a quote.
        const fragments =
          target === 'windows-routes' ? FRAGMENTS.filter((f) => f !== "'") : FRAGMENTS;
        for (const fragment of fragments)
          expect(body, `${file.name} has ${JSON.stringify(fragment)}`).not.toContain(fragment);
        if (target === 'windows-routes')
          expect(
            body
              .match(/'[^'\n]*'/g)
              ?.filter((q) => !/^'(\$InterfaceAlias|Wi-Fi|Stop|[0-9a-f.:/]+)'$/.test(q)),
          ).toEqual([]);
        expect(file.content).not.toContain('x"; return "DIRECT"');
        // Notes never reach a device format.
        expect(file.content).not.toContain(HOSTILE_NOTE.slice(0, 10));
        // Only printable ASCII and newlines: nothing can smuggle a control character.
        expect(file.content).toMatch(/^[\x20-\x7e\n\t]*$/);
      }
      const left = outcome.summary.unsupported.map((u) => u.value);
      const kinds = new Set(outcome.files.flatMap((f) => f.kinds));
      if (kinds.has('url')) {
        for (const url of [...HOSTILE_URLS, '+cmd.example.com']) expect(left).toContain(url);
      }
      if (kinds.has('ipv4')) {
        expect(left).toContain('1.2.3.0/24"; drop');
        expect(left).toContain('443"; accept; #');
      }
      // The good entries are still there.
      const all = outcome.files.map((f) => f.content).join('\n');
      if (kinds.has('url')) expect(all).toMatch(/outlook\.office\.com/);
      // wireguard writes the complement: the neighbour of the excluded 13.107.6.152/31.
      if (kinds.has('ipv4'))
        expect(all).toMatch(target === 'wireguard' ? /13\.107\.6\.154\/31/ : /13\.107\.6\.152/);
    });
  }
});

describe('csv and json carry hostile text escaped', () => {
  it('csv: RFC 4180 round trip, formula cells neutralised', async () => {
    const outcome = await run(source, { instance: 'Hostile', target: 'csv' });
    const text = outcome.files[0]!.content;
    const rows: string[][] = parse(text, { relax_column_count: false });
    const [header, ...data] = rows;
    expect(header).toEqual([
      'setId',
      'serviceArea',
      'category',
      'required',
      'expressRoute',
      'tcpPorts',
      'udpPorts',
      'kind',
      'value',
      'notes',
    ]);
    for (const row of data) {
      expect(row).toHaveLength(10);
      for (const cell of row)
        expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/);
    }
    const values = data.map((row) => row[8]);
    expect(values).toContain("'=cmd|calc.example.com");
    expect(values).toContain(',=cmd.example.com');
    expect(values).toContain("'+cmd.example.com");
    expect(values).toContain('a.example.com\ninclude /etc/passwd');
    const notes = data.map((row) => row[9]);
    expect(notes).toContain(HOSTILE_NOTE);
    expect(notes).toContain("'@SUM(1+1)");
    expect(notes).toContain("'-2+3");
  });

  it('json: parses back to the same rows, no raw < > & in the text', async () => {
    const outcome = await run(source, { instance: 'Hostile', target: 'json' });
    const text = outcome.files[0]!.content;
    expect(text).not.toMatch(/[<>&]/);
    const rows = JSON.parse(text);
    expect(rows.map((r: { value: string }) => r.value)).toEqual(
      expect.arrayContaining([...HOSTILE_URLS, '1.2.3.0/24"; drop']),
    );
    expect(rows.find((r: { setId: number }) => r.setId === 1).notes).toBe(HOSTILE_NOTE);
  });
});

describe('warn reports each entry', () => {
  it('list with warn: every hostile URL is listed in the summary with a reason', async () => {
    const outcome = await run(source, {
      instance: 'Hostile',
      target: 'list',
      onUnsupported: 'warn',
    });
    expect(outcome.summary.onUnsupported).toBe('warn');
    expect(outcome.summary.unsupported.length).toBeGreaterThanOrEqual(HOSTILE_URLS.length + 2);
    for (const entry of outcome.summary.unsupported) expect(entry.reason).not.toBe('');
  });
});
