/**
 * Golden files: the get-pacfile style reproduces Microsoft's own Get-PacFile outputs byte for byte
 * (fixtures/README.md: two real samples, line endings LF), and both styles' output for a fixed
 * version is pinned (fixtures/*.pac; regenerate with UPDATE_GOLDEN=1 after a deliberate change).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Category, EndpointSet } from '../../src/core/endpoint-set.js';
import { filterEndpointSets } from '../../src/core/filters.js';
import { DEFAULT_PAC_OPTIONS, renderPac, type PacStyle } from '../../src/formats/pac/render-pac.js';
import { bundledVersions, readBundled } from '../helpers/bundled-data.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/**
 * Worldwide as the web service sent it before 2022: the bundled tables list
 * `<tenant>-my.sharepoint.com` in set 31, which the JSON of that period did not (data/README.md).
 */
function worldwideAsServed(version: string): EndpointSet[] {
  const sets = readBundled('Worldwide', version).map((set) =>
    set.id === 31 && set.urls !== undefined
      ? { ...set, urls: set.urls.filter((url) => url !== '<tenant>-my.sharepoint.com') }
      : set,
  );
  return filterEndpointSets(sets, {});
}

/** The shExpMatch patterns of one block of a Get-PacFile PAC. */
function blockPatterns(pac: string, returnVar: string): string[] {
  const block = pac
    .split('\n\n')
    .find((part) => part.includes(`return ${returnVar};`) && part.includes('shExpMatch'));
  return [...(block ?? '').matchAll(/shExpMatch\(host, "([^"]*)"\)/g)].map((match) => match[1]!);
}

describe("get-pacfile style against Microsoft's Get-PacFile outputs", () => {
  const type1 = fixture('get-pacfile-type1-sample.pac');
  const type2 = fixture('get-pacfile-type2-sample.pac');

  it("type 1: every Worldwide version from 2018083000 to 2021010400 renders Microsoft's sample byte for byte", () => {
    const versions = bundledVersions('Worldwide').filter(
      (v) => v >= '2018083000' && v <= '2021010400',
    );
    expect(versions.length).toBeGreaterThan(25);
    for (const version of versions) {
      expect(
        renderPac(worldwideAsServed(version), { ...DEFAULT_PAC_OPTIONS, style: 'get-pacfile' }),
        version,
      ).toBe(type1);
    }
  });

  it("type 2: the sample's own endpoints, in any order, render the sample byte for byte (sort, de-dup, override rule, skeleton)", () => {
    const direct = blockPatterns(type2, 'direct');
    const override = blockPatterns(type2, 'proxyServer');
    expect(direct).toHaveLength(54);
    expect(override).toHaveLength(9);
    let id = 1;
    const set = (category: Category, urls: string[]): EndpointSet => ({
      id: id++,
      serviceArea: 'Common',
      serviceAreaDisplayName: 'Common',
      urls,
      expressRoute: false,
      category,
      required: true,
    });
    const reversed = [...direct].reverse();
    const sets: EndpointSet[] = [
      set(
        'Optimize',
        reversed.filter((_, i) => i % 3 === 0),
      ),
      set(
        'Allow',
        reversed.filter((_, i) => i % 3 !== 0),
      ),
      // Duplicates across sets and in other cases are dropped (Sort-Object -Unique).
      set('Allow', [direct[5]!.toUpperCase(), direct[0]!]),
      set('Default', [...override].reverse()),
      // Default URLs no direct pattern covers stay out of the PAC (microsoft-365-docs#8528).
      set('Default', ['*.office.com', 'www.example.com', '*.live.com', 'officeapps.live.com']),
      // The same string as a direct pattern is not an override (Match-RegexList's `-ne`).
      set('Default', ['outlook.office365.com', 'SMTP.office365.com']),
    ];
    expect(renderPac(sets, { ...DEFAULT_PAC_OPTIONS, type: 2, style: 'get-pacfile' })).toBe(type2);
  });

  it('the skeleton of Get-PacFile output: header, fixed variable names, override block first, clause separator, -Lowercase line', () => {
    const pac = renderPac(
      filterEndpointSets(readBundled('Worldwide', '2020080600'), { tenantName: 'contoso' }),
      {
        ...DEFAULT_PAC_OPTIONS,
        type: 2,
        lowercase: true,
        style: 'get-pacfile',
      },
    );
    const lines = pac.split('\n');
    expect(lines.slice(0, 10)).toEqual([
      '// This PAC file will provide proxy config to Microsoft 365 services',
      '//  using data from the public web service for all endpoints',
      'function FindProxyForURL(url, host)',
      '{',
      '    var direct = "DIRECT";',
      '    var proxyServer = "PROXY 10.10.10.10:8080";',
      '',
      '    host = host.toLowerCase();',
      '',
      expect.stringMatching(/^ {4}if\(shExpMatch\(host, "[^"]+"\)$/),
    ]);
    expect(lines.slice(-4)).toEqual(['', '    return proxyServer;', '}', '']);
    expect(pac.indexOf('return proxyServer;')).toBeLessThan(pac.indexOf('return direct;'));
    for (const line of lines.filter((l) => l.includes('shExpMatch') && !l.startsWith('    if('))) {
      expect(line).toMatch(/^ {8}\|\| shExpMatch\(host, "[^"]+"\)\)?$/);
    }
    // TenantName: the tenant's own hosts instead of `*` (so no `*-files` override is needed).
    expect(blockPatterns(pac, 'direct')).toEqual(
      expect.arrayContaining(['contoso.sharepoint.com', 'contoso-my.sharepoint.com']),
    );
    expect(pac).not.toContain('files.sharepoint.com');
  });
});

describe('pinned output of a fixed version (Worldwide 2025013000, type 2)', () => {
  const sets = filterEndpointSets(readBundled('Worldwide', '2025013000'), {});
  it.each(['get-pacfile', 'fast'] as PacStyle[])('%s', (style) => {
    const name = `worldwide-2025013000-type2-${style}.pac`;
    const pac = renderPac(sets, {
      ...DEFAULT_PAC_OPTIONS,
      type: 2,
      style,
      source: { instance: 'Worldwide', version: '2025013000' },
    });
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(join(FIXTURES, name), pac);
    expect(pac).toBe(fixture(name));
  });
});
