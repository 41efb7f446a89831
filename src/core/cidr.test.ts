import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledInstances, bundledVersions, readBundled } from '../../test/helpers/bundled-data.js';
import {
  cidrContains,
  cidrRange,
  compareCidrs,
  formatCidr,
  formatIpAddress,
  isCanonicalCidr,
  parseCidr,
  parseIpAddress,
  safeParseCidr,
  safeParseIpAddress,
} from './cidr.js';
import { refusalOf } from './failure.fixture.js';

describe('addresses', () => {
  it.each([
    ['192.0.2.1', 4, 0xc0000201n],
    ['0.0.0.0', 4, 0n],
    ['255.255.255.255', 4, 0xffffffffn],
    ['::', 6, 0n],
    ['::1', 6, 1n],
    ['2001:DB8::1', 6, 0x20010db8000000000000000000000001n],
    ['2001:db8:0:0:0:0:0:1', 6, 0x20010db8000000000000000000000001n],
    ['::ffff:192.0.2.1', 4, 0xc0000201n],
    ['::FFFF:c000:0201', 4, 0xc0000201n],
    ['64:ff9b::192.0.2.1', 6, 0x0064ff9b0000000000000000c0000201n],
  ] as const)('parses %s', (text, family, value) => {
    expect(parseIpAddress(text)).toEqual({ family, value });
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    ' 1.2.3.4',
    '1.2.3.4/24',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    ':1::',
    '12345::',
    'g::1',
    '1.2.3.4::',
    '::1.2.3',
    'fe80::1%eth0',
    'example.com',
  ])('rejects %j with a reason', (text) => {
    const result = safeParseIpAddress(text);
    expect(result.ok).toBe(false);
    expect(() => parseIpAddress(text)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_PARAMETER' }),
    );
  });

  it('formats IPv6 per RFC 5952 §4', () => {
    const f = (text: string): string => formatIpAddress(parseIpAddress(text));
    expect(f('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(f('2001:db8:0:1:0:0:0:1')).toBe('2001:db8:0:1::1'); // longest run
    expect(f('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1'); // first on a tie
    expect(f('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1'); // one zero group stays
    expect(f('::')).toBe('::');
    expect(f('1::')).toBe('1::');
  });
});

describe('prefixes', () => {
  it('parses and canonicalises', () => {
    expect(parseCidr('13.107.6.152/31')).toEqual({
      family: 4,
      network: 0x0d6b0698n,
      prefix: 31,
      text: '13.107.6.152/31',
    });
    expect(parseCidr('2603:1006::/40').text).toBe('2603:1006::/40');
    expect(parseCidr('192.0.2.77/24').text).toBe('192.0.2.0/24'); // host bits cleared
    expect(parseCidr('2603:1006:0000::/40').text).toBe('2603:1006::/40');
    expect(parseCidr('192.0.2.1').text).toBe('192.0.2.1/32');
    expect(parseCidr('2620:1ec:4::152').text).toBe('2620:1ec:4::152/128');
    expect(isCanonicalCidr('192.0.2.0/24')).toBe(true);
    expect(isCanonicalCidr('192.0.2.1/24')).toBe(false);
    expect(isCanonicalCidr('2603:1006:0::/40')).toBe(false);
    expect(isCanonicalCidr('192.0.2.1')).toBe(false);
  });

  it.each([
    ['192.0.2.0/33', 'expected 0–32'],
    ['192.0.2.0/64', 'IPv6 prefix length on an IPv4 address'],
    ['2001:db8::/129', 'expected 0–128'],
    ['192.0.2.0/', 'expected 0–32'],
    ['192.0.2.0/024', 'expected 0–32'],
    ['192.0.2.0/-1', 'expected 0–32'],
    ['300.0.2.0/24', 'not an IPv4 address'],
    ['2001:db8::g/32', 'not an IPv6 address'],
  ])('rejects %s (%s)', (text, reason) => {
    expect(refusalOf(safeParseCidr(text))).toContain(reason);
  });

  it('contains addresses and prefixes of its own family only', () => {
    const net = parseCidr('52.112.0.0/14');
    expect(cidrContains(net, parseIpAddress('52.115.255.255'))).toBe(true);
    expect(cidrContains(net, parseIpAddress('52.116.0.0'))).toBe(false);
    expect(cidrContains(net, parseIpAddress('::ffff:52.112.1.1'))).toBe(true);
    expect(cidrContains(net, parseCidr('52.113.0.0/16'))).toBe(true);
    expect(cidrContains(net, parseCidr('52.112.0.0/13'))).toBe(false);
    expect(cidrContains(parseCidr('::/0'), parseIpAddress('52.112.0.1'))).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0'), parseIpAddress('1.2.3.4'))).toBe(true);
    expect(cidrContains(parseCidr('2603:1063::/38'), parseIpAddress('2603:1063:3ff::1'))).toBe(
      true,
    );
  });

  it('gives the inclusive range', () => {
    expect(cidrRange(parseCidr('192.0.2.0/24'))).toEqual({ first: 0xc0000200n, last: 0xc00002ffn });
    expect(cidrRange(parseCidr('2001:db8::/127')).last).toBe(0x20010db8000000000000000000000001n);
  });

  it('orders IPv4 before IPv6, numerically (not lexically)', () => {
    const sorted = [
      '2603:1006::/40',
      '13.107.18.10/31',
      '2.0.0.0/8',
      '13.107.6.152/31',
      '13.107.6.0/24',
    ]
      .map(parseCidr)
      .sort(compareCidrs)
      .map(formatCidr);
    expect(sorted).toEqual([
      '2.0.0.0/8',
      '13.107.6.0/24',
      '13.107.6.152/31',
      '13.107.18.10/31',
      '2603:1006::/40',
    ]);
  });

  it('round-trips any canonical prefix (property)', () => {
    const v4 = fc.tuple(
      fc.constant(4 as const),
      fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }),
      fc.integer({ min: 0, max: 32 }),
    );
    const v6 = fc.tuple(
      fc.constant(6 as const),
      fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
      fc.integer({ min: 0, max: 128 }),
    );
    fc.assert(
      fc.property(fc.oneof(v4, v6), ([family, value, prefix]) => {
        const first = parseCidr(`${formatIpAddress({ family, value })}/${prefix}`);
        const again = parseCidr(first.text);
        expect(again).toEqual(first);
        expect(cidrContains(first, { family, value })).toBe(true);
      }),
    );
  });

  it('accepts every bundled ip as canonical, each list in the published order', () => {
    let count = 0;
    const problems: string[] = [];
    for (const instance of bundledInstances()) {
      for (const version of bundledVersions(instance)) {
        for (const set of readBundled(instance, version)) {
          const ips = set.ips ?? [];
          for (const ip of ips)
            if (!isCanonicalCidr(ip)) problems.push(`${instance} ${version} ${ip}`);
          const sorted = ips.map(parseCidr).sort(compareCidrs).map(formatCidr);
          if (sorted.join() !== ips.join())
            problems.push(`${instance} ${version} set ${set.id}: order`);
          count += ips.length;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(1000);
  });
});
