import { describe, expect, it } from 'vitest';
import { IpurlError } from './errors.js';
import { parseTenantName, renderUrl, safeParseTenantName } from './tenant.js';
import { thrownBy } from './failure.fixture.js';

describe('parseTenantName (a DNS label, lower-cased)', () => {
  it.each([
    ['contoso', 'contoso'],
    ['Contoso', 'contoso'],
    ['a', 'a'],
    ['x-1', 'x-1'],
    ['A'.repeat(63), 'a'.repeat(63)],
  ])('accepts %s as %s', (input, expected) => {
    expect(parseTenantName(input)).toBe(expected);
    expect(safeParseTenantName(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    '',
    '-contoso',
    'contoso-',
    'con.toso',
    'con toso',
    'contoso*',
    '<tenant>',
    'ä',
    'a'.repeat(64),
  ])('rejects %j with ERR_INVALID_TENANT_NAME naming the value and the rule', (input) => {
    const result = safeParseTenantName(input);
    expect(result.ok).toBe(false);
    const caught = thrownBy(() => parseTenantName(input));
    expect(caught).toBeInstanceOf(IpurlError);
    expect((caught as IpurlError).code).toBe('ERR_INVALID_TENANT_NAME');
    expect((caught as IpurlError).message).toContain(`"${input.slice(0, 80)}`);
    expect((caught as IpurlError).message).toContain('DNS label');
  });
});

describe('renderUrl (<tenant> becomes the TenantName or *)', () => {
  it('replaces only the placeholder', () => {
    expect(renderUrl('autodiscover.<tenant>.onmicrosoft.com')).toBe(
      'autodiscover.*.onmicrosoft.com',
    );
    expect(renderUrl('<tenant>-files.sharepoint.com', 'contoso')).toBe(
      'contoso-files.sharepoint.com',
    );
    expect(renderUrl('*.sharepoint.com', 'contoso')).toBe('*.sharepoint.com');
    expect(renderUrl('outlook.office.com')).toBe('outlook.office.com');
  });
});
