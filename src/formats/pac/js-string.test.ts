import { describe, expect, it } from 'vitest';
import { jsString } from './js-string.js';

const HOSTILE = [
  'a"b',
  "a'b",
  'line\nbreak\r\n',
  '</script><script>alert(1)</script>',
  '"; return "DIRECT',
  '"; }; function FindProxyForURL(){ return "DIRECT"; } //',
  'back\\slash\\"',
  'nul\u0000 and \u2028 \u2029 separators',
  'ünïcödé 😀',
];

describe('jsString', () => {
  it.each(HOSTILE)('writes %j as one ASCII literal whose value is the input', (value) => {
    const literal = jsString(value);
    expect(literal).toMatch(/^"[\x20-\x7e]*"$/);
    // No raw quote, line break or markup can end the literal or the surrounding script element.
    expect(literal.slice(1, -1)).not.toMatch(/(?<!\\)"|[<>\n\r]/);
    expect(JSON.parse(literal)).toBe(value);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluating the literal as JavaScript is the point
    expect(new Function(`return ${literal};`)()).toBe(value);
  });

  it('leaves host names and PAC return values as they are', () => {
    expect(jsString('*-files.sharepoint.com')).toBe('"*-files.sharepoint.com"');
    expect(jsString('PROXY [2001:db8::1]:8080; DIRECT')).toBe('"PROXY [2001:db8::1]:8080; DIRECT"');
  });
});
