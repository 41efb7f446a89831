import { describe, expect, it } from 'vitest';
import { renderNotes } from './notes.js';

describe('renderNotes', () => {
  it('turns markdown links with http(s) targets into links and escapes the rest', () => {
    const notes =
      'For admin controls, see [Data security & Python in Excel](https://support.microsoft.com/office/data-security-33cc88a4). <b>bold</b>';
    expect(renderNotes(notes).value).toBe(
      'For admin controls, see <a href="https://support.microsoft.com/office/data-security-33cc88a4" rel="noopener noreferrer nofollow">Data security &amp; Python in Excel</a>. &lt;b&gt;bold&lt;/b&gt;',
    );
  });

  it('keeps links with other schemes as visible, escaped text', () => {
    expect(renderNotes('[x](javascript:alert(1))').value).toBe('[x](javascript:alert(1))');
    expect(renderNotes('[x](javascript:void)').value).toBe('[x](javascript:void)');
    expect(renderNotes('[x](data:text/html,hi)').value).toBe('[x](data:text/html,hi)');
    expect(renderNotes('[x](//evil.example)').value).toBe('[x](//evil.example)');
    expect(renderNotes('[<img src=x onerror=alert(1)>](ftp://a)').value).toBe(
      '[&lt;img src=x onerror=alert(1)&gt;](ftp://a)',
    );
  });

  it('escapes link text and percent-encodes quotes in the target', () => {
    expect(renderNotes('[a "b" <c>](https://e.example/"x")').value).toBe(
      '<a href="https://e.example/%22x%22" rel="noopener noreferrer nofollow">a &quot;b&quot; &lt;c&gt;</a>',
    );
  });

  it('handles several links, a title, and text with brackets that are not links', () => {
    expect(
      renderNotes('[a](https://a.example) and [b](http://b.example "B") [not a link] (x)').value,
    ).toBe(
      '<a href="https://a.example/" rel="noopener noreferrer nofollow">a</a> and <a href="http://b.example/" rel="noopener noreferrer nofollow">b</a> [not a link] (x)',
    );
  });

  it('is plain escaped text without links', () => {
    expect(renderNotes(`"; return "DIRECT"; </script>\nline`).value).toBe(
      '&quot;; return &quot;DIRECT&quot;; &lt;/script&gt;\nline',
    );
  });
});
