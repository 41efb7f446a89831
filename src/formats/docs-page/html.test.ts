import { describe, expect, it } from 'vitest';
import { escapeHtml, join, markup as html, safeHttpUrl, trusted } from './html.js';

describe('html escaping', () => {
  it('escapes the five significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('escapes interpolations but not nested fragments or trusted markup', () => {
    const value = '<script>alert(1)</script>';
    expect(html`<p title="${value}">${value}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
    expect(html`<div>${html`<b>${'&'}</b>`}${trusted('<br>')}</div>`.value).toBe(
      '<div><b>&amp;</b><br></div>',
    );
  });

  it('renders lists, numbers and skips null, undefined and false', () => {
    expect(html`${['<', 1, null, undefined, false, true]}`.value).toBe('&lt;1true');
    expect(join(['a<', html`<i>b</i>`], ', ').value).toBe('a&lt;, <i>b</i>');
  });
});

describe('safeHttpUrl', () => {
  it('accepts absolute http and https URLs, normalised', () => {
    expect(safeHttpUrl('https://learn.microsoft.com/x?y=1&z=2')).toBe(
      'https://learn.microsoft.com/x?y=1&z=2',
    );
    expect(safeHttpUrl(' HTTP://Example.COM/a b')).toBe('http://example.com/a%20b');
    expect(safeHttpUrl('https://example.com/"onmouseover="x')).toBe(
      'https://example.com/%22onmouseover=%22x',
    );
  });

  it('rejects every other scheme and relative forms', () => {
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox',
      '//evil.example/x',
      '/relative',
      'mailto:a@b.c',
      'https://',
      'http:/one-slash',
    ]) {
      expect(safeHttpUrl(bad), bad).toBeUndefined();
    }
  });
});
