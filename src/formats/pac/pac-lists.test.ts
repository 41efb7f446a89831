import { describe, expect, it } from 'vitest';
import type { Category, EndpointSet } from '../../core/endpoint-set.js';
import { ValidationError } from '../../core/errors.js';
import { computePacLists, sortUniqueLikePowerShell } from './pac-lists.js';

let nextId = 1;
function set(category: Category, urls: string[]): EndpointSet {
  return {
    id: nextId++,
    serviceArea: 'Common',
    serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
    urls,
    expressRoute: false,
    category,
    required: true,
  };
}

describe('Get-PacFile lists (direct and override)', () => {
  it('sorts like PowerShell 7 (ICU): "*" first, "-" before ".", case-insensitive, duplicates dropped', () => {
    expect(
      sortUniqueLikePowerShell([
        'login.microsoft.com',
        'login-us.microsoftonline.com',
        'Outlook.office.com',
        '*.sharepoint.com',
        'account.office.net',
        'outlook.office.com',
        '*-files.sharepoint.com',
        'login.microsoftonline-p.com',
        'logincert.microsoftonline.com',
      ]),
    ).toEqual([
      '*-files.sharepoint.com',
      '*.sharepoint.com',
      'account.office.net',
      'login-us.microsoftonline.com',
      'login.microsoft.com',
      'login.microsoftonline-p.com',
      'logincert.microsoftonline.com',
      'Outlook.office.com',
    ]);
  });

  it('type 1 sends Optimize direct, type 2 Optimize and Allow', () => {
    const sets = [
      set('Optimize', ['outlook.office.com']),
      set('Allow', ['*.lync.com']),
      set('Default', ['www.example.com']),
    ];
    expect(computePacLists(sets, 1)).toEqual({ direct: ['outlook.office.com'], override: [] });
    expect(computePacLists(sets, 2)).toEqual({
      direct: ['*.lync.com', 'outlook.office.com'],
      override: [],
    });
  });

  it('overrides are the other URLs a direct pattern matches as a literal string, never an identical one', () => {
    const sets = [
      set('Optimize', ['*.sharepoint.com', 'outlook.office365.com']),
      set('Allow', [
        'outlook.office365.com',
        'smtp.office365.com',
        '*-files.sharepoint.com',
        'X.SharePoint.com',
      ]),
      set('Default', [
        '*.office365.com',
        'sharepoint.com',
        '*sharepoint.com',
        'a.b.sharepoint.com',
        'OUTLOOK.OFFICE365.COM',
      ]),
    ];
    expect(computePacLists(sets, 1)).toEqual({
      direct: ['*.sharepoint.com', 'outlook.office365.com'],
      // `*-files.sharepoint.com` matches ^.*\.sharepoint\.com$ as text; `*sharepoint.com` and the
      // apex do not; outlook.office365.com (any case) is the same string as a direct pattern.
      override: ['*-files.sharepoint.com', 'a.b.sharepoint.com', 'X.SharePoint.com'],
    });
    // Type 2: the Allow URLs are direct; only Default URLs can be overrides.
    expect(computePacLists(sets, 2).override).toEqual(['a.b.sharepoint.com']);
  });

  it('"?" in a direct pattern matches one character; a URL listed both direct and other can still be an override', () => {
    const sets = [
      set('Optimize', ['a?.example.com', '*.example.org', 'x.example.org']),
      set('Default', ['ab.example.com', 'abc.example.com', 'x.example.org']),
    ];
    expect(computePacLists(sets, 1)).toEqual({
      direct: ['*.example.org', 'a?.example.com', 'x.example.org'],
      // x.example.org is in an Optimize set too, but `*.example.org` matches it: Get-PacFile puts
      // it in the override block, which comes first (both styles keep that decision).
      override: ['ab.example.com', 'x.example.org'],
    });
  });

  it.each([
    'a"b.example.com',
    'evil.com"; return "DIRECT',
    'x\n.example.com',
    '</script>',
    '<tenant>.sharepoint.com',
    'a b.com',
    'a(b).com',
    'a\\.com',
  ])('refuses %j with ERR_UNSUPPORTED_PATTERN naming the set', (url) => {
    const sets = [set('Optimize', ['ok.example.com']), set('Default', ['fine.example.com', url])];
    const id = sets[1]!.id;
    let caught: unknown;
    try {
      computePacLists(sets, 1);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe('ERR_UNSUPPORTED_PATTERN');
    expect(error.issues).toEqual([
      expect.objectContaining({ setId: id, path: 'urls[1]', value: JSON.stringify(url) }),
    ]);
  });
});
