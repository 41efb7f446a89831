import { describe, expect, it } from 'vitest';
import { bundledInstances, bundledVersions, readBundled } from '../../test/helpers/bundled-data.js';
import { compileHostPattern, isWildcardPattern, safeParseUrlPattern } from './url-pattern.js';
import { refusalOf } from './failure.fixture.js';

describe('safeParseUrlPattern', () => {
  it.each([
    'outlook.office.com',
    '*.office.com',
    '*cdn.onenote.net',
    '*-files.sharepoint.com',
    'autodiscover.*.onmicrosoft.com',
    '<tenant>.sharepoint.com',
    '<tenant>-my.sharepoint.com',
    'autodiscover.<tenant>.mail.onmicrosoft.us',
    'outlook.cloud.microsoft',
    'login.microsoftonline-p.com',
  ])('accepts %s', (pattern) => {
    expect(safeParseUrlPattern(pattern)).toEqual({ ok: true, value: pattern });
  });

  it('lower-cases', () => {
    expect(safeParseUrlPattern('Outlook.Office.COM')).toEqual({
      ok: true,
      value: 'outlook.office.com',
    });
  });

  it.each([
    ['', 'empty'],
    ['https://outlook.office.com', 'illegal character'],
    ['outlook.office.com/path', 'illegal character'],
    ['outlook.office.com:443', 'illegal character'],
    ['out look.office.com', 'illegal character'],
    ['outlook..office.com', 'empty label'],
    ['.office.com', 'empty label'],
    ['office.com.', 'empty label'],
    ['**.office.com', '"**"'],
    ['office.*', 'top-level label'],
    ['office.c*m', 'top-level label'],
    ['office.<tenant>', 'top-level label'],
    ['office.123', 'top-level label'],
    ['-x.office.com', 'start or end with "-"'],
    ['<tenant.office.com', '"<" or ">"'],
    [`${'a'.repeat(64)}.com`, 'longer than 63'],
    [`${'a.'.repeat(127)}com`, 'longer than 253'],
    ['ouť.office.com', 'illegal character'],
  ])('rejects %j (%s)', (pattern, reason) => {
    expect(refusalOf(safeParseUrlPattern(pattern))).toContain(reason);
  });

  it('accepts every url of every bundled version as already canonical', () => {
    const problems: string[] = [];
    for (const instance of bundledInstances()) {
      for (const version of bundledVersions(instance)) {
        for (const set of readBundled(instance, version)) {
          for (const url of set.urls ?? []) {
            const result = safeParseUrlPattern(url);
            if (!result.ok || result.value !== url) problems.push(`${instance} ${version} ${url}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('compileHostPattern (shExpMatch semantics)', () => {
  it.each([
    ['*.office.com', 'a.office.com', true],
    ['*.office.com', 'a.b.office.com', true],
    ['*.office.com', 'office.com', false],
    ['*.office.com', 'xoffice.com', false],
    ['*cdn.onenote.net', 'cdn.onenote.net', true],
    ['*cdn.onenote.net', 'appscdn.onenote.net', true],
    ['*-files.sharepoint.com', 'contoso-files.sharepoint.com', true],
    ['*-files.sharepoint.com', 'contoso.sharepoint.com', false],
    ['autodiscover.*.onmicrosoft.com', 'autodiscover.contoso.onmicrosoft.com', true],
    ['autodiscover.<tenant>.onmicrosoft.com', 'autodiscover.contoso.onmicrosoft.com', true],
    ['outlook.office.com', 'outlook.office.com', true],
    ['outlook.office.com', 'outlook.office.com.evil.net', false],
    ['Outlook.Office.com', 'outlook.office.com', true],
    ['a.b.com', 'axb.com', false],
  ])('%s on %s → %s', (pattern, host, expected) => {
    expect(compileHostPattern(pattern)(host)).toBe(expected);
  });

  it('knows wildcard patterns', () => {
    expect(isWildcardPattern('*.x.com')).toBe(true);
    expect(isWildcardPattern('<tenant>.x.com')).toBe(true);
    expect(isWildcardPattern('x.com')).toBe(false);
  });
});
