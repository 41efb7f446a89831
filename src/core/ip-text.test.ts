import { describe, expect, it } from 'vitest';
import { safeParseCidr, safeParseIpAddress } from './cidr.js';
import { formatIpv4, parseIpv4, parseIpv6Groups } from './ip-text.js';
import { parseIpv6 } from './ipv6-words.js';
import { parseLookupQuery } from './lookup-query.js';

/** Texts that are not addresses, whichever part of ipurl reads them. */
const NOT_IPV6 = [
  ':1::2',
  '1::2:',
  '1::2::3',
  '12345::',
  'g::1',
  '1:2:3:4:5:6:7',
  ':::',
  '1.2.3.4::',
];
const NOT_IPV4 = ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..2.3', '', 'a.b.c.d'];

describe('one IP-text parser (publishing, validation, lookup and classify agree)', () => {
  it('IPv4: four decimal octets, no leading zeros', () => {
    expect(parseIpv4('52.112.0.1')).toBe(52 * 2 ** 24 + 112 * 2 ** 16 + 1);
    expect(formatIpv4(parseIpv4('255.255.255.255'))).toBe('255.255.255.255');
    expect(parseIpv4('x52.112.0.1y', 1, 11)).toBe(parseIpv4('52.112.0.1'));
    for (const bad of NOT_IPV4) {
      expect(parseIpv4(bad)).toBe(-1);
      expect(safeParseIpAddress(bad).ok).toBe(false);
    }
  });

  it('IPv6: groups, `::` once, a trailing dotted IPv4', () => {
    expect(parseIpv6Groups('2603:1063::1')).toEqual([0x2603, 0x1063, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6Groups('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIpv6Groups('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it.each(NOT_IPV6)('%s is rejected by the address, prefix and lookup parsers alike', (bad) => {
    expect(parseIpv6Groups(bad)).toBeUndefined();
    expect(parseIpv6(bad)).toBeUndefined();
    expect(safeParseIpAddress(bad).ok).toBe(false);
    expect(safeParseCidr(`${bad}/64`).ok).toBe(false);
    expect(parseLookupQuery(bad).ok).toBe(false);
  });

  it('the lookup accepts a zone id; the published forms do not', () => {
    expect(parseIpv6('fe80::1%eth0')).toEqual([0xfe800000, 0, 0, 1]);
    expect(safeParseIpAddress('fe80::1%eth0').ok).toBe(false);
  });
});
