import { describe, expect, it } from 'vitest';
import {
  compactPortList,
  formatPortList,
  parsePortList,
  portListIncludes,
  safeParsePortList,
} from './port-list.js';
import { refusalOf } from './failure.fixture.js';

describe('port lists (tcpPorts/udpPorts)', () => {
  it.each([
    ['443', [[443, 443]]],
    [
      '80,443',
      [
        [80, 80],
        [443, 443],
      ],
    ],
    [
      '143, 587, 993, 995',
      [
        [143, 143],
        [587, 587],
        [993, 993],
        [995, 995],
      ],
    ],
    [
      '5061,50000-59999',
      [
        [5061, 5061],
        [50000, 59999],
      ],
    ],
    [
      '1,65535',
      [
        [1, 1],
        [65535, 65535],
      ],
    ],
  ])('parses %j keeping the text', (text, ranges) => {
    const list = parsePortList(text);
    expect(list.ranges.map((r) => [r.from, r.to])).toEqual(ranges);
    expect(formatPortList(list)).toBe(text);
  });

  it.each([
    ['', 'empty'],
    ['0', 'outside 1–65535'],
    ['65536', 'outside 1–65535'],
    ['59999-50000', 'reversed'],
    ['80,,443', 'not a port'],
    ['80,443,', 'not a port'],
    ['http', 'not a port'],
    ['443/tcp', 'not a port'],
    ['1-2-3', 'not a port'],
  ])('rejects %j (%s) naming the rule', (text, why) => {
    const reason = refusalOf(safeParsePortList(text));
    expect(reason).toContain(why);
    expect(reason).toContain('1–65535');
    expect(() => parsePortList(text)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_PARAMETER' }),
    );
  });

  it('answers membership and compacts spaces away', () => {
    const list = parsePortList('143, 587, 50000-59999');
    expect(portListIncludes(list, 587)).toBe(true);
    expect(portListIncludes(list, 55555)).toBe(true);
    expect(portListIncludes(list, 443)).toBe(false);
    expect(compactPortList(list)).toBe('143,587,50000-59999');
  });
});
