import { describe, expect, it } from 'vitest';
import type { EndpointSet } from './endpoint-set.js';
import {
  DEFAULT_POLICY,
  SANITY_RULES,
  countEntries,
  ipIssues,
  makePolicy,
  parseAllowList,
  relaxedRulesColumn,
  setIssues,
  textIssues,
  versionIssues,
  volumeIssues,
} from './sanity-policy.js';

const ruleOf = (ip: string, policy = DEFAULT_POLICY): string | undefined =>
  ipIssues(ip, 'ips[0]', policy)[0]?.rule;

describe('sanity policy: addresses', () => {
  it.each([
    ['0.0.0.0/0', 'default-route'],
    ['::/0', 'default-route'],
    ['0.0.0.0/32', 'unspecified'],
    ['::/128', 'unspecified'],
    ['127.0.0.1/32', 'loopback'],
    ['::1/128', 'loopback'],
    ['169.254.169.254/32', 'link-local'],
    ['fe80::/64', 'link-local'],
    ['224.0.0.0/4', 'multicast'],
    ['ff02::1/128', 'multicast'],
    ['10.0.0.0/8', 'private'],
    ['172.20.0.0/16', 'private'],
    ['192.168.1.0/24', 'private'],
    ['fd00::/8', 'private'],
    ['100.64.0.0/10', 'shared'],
    ['192.0.2.0/24', 'documentation'],
    ['198.51.100.7/32', 'documentation'],
    ['203.0.113.0/24', 'documentation'],
    ['2001:db8::/32', 'documentation'],
    ['198.18.0.0/15', 'benchmark'],
    ['2001:2::/48', 'benchmark'],
    ['255.255.255.255/32', 'reserved'],
    ['::ffff:0:0/96', 'reserved'],
    ['8.0.0.0/7', 'broad-prefix'],
    ['2600::/7', 'broad-prefix'],
    ['2000::/3', 'documentation'],
    // A prefix that covers a special range trips it (it would carry that range to the firewall).
    ['0.0.0.0/1', 'unspecified'],
    ['8.0.0.0/5', 'private'],
  ])('%s is refused under %s', (ip, rule) => {
    const [found] = ipIssues(ip, '[0].ips[3]', DEFAULT_POLICY, 7);
    expect(found).toMatchObject({ rule, path: '[0].ips[3]', value: ip, setId: 7 });
    expect(found?.reason).toContain(`--allow ${rule}`);
  });

  it('passes real Microsoft prefixes, /8 IPv4 and /24 IPv6 at the defaults', () => {
    for (const ip of [
      '13.107.6.152/31',
      '40.96.0.0/13',
      '2603:1006:1400::/40',
      '52.0.0.0/8',
      '2603::/24',
    ]) {
      expect(ruleOf(ip)).toBeUndefined();
    }
  });

  it('relaxing a rule passes only what that rule refused', () => {
    const policy = makePolicy(['private']);
    expect(ruleOf('10.0.0.0/8', policy)).toBeUndefined();
    expect(ruleOf('0.0.0.0/1', policy)).toBe('unspecified');
    expect(ruleOf('::1/128', policy)).toBe('loopback');
    expect(ruleOf('4.0.0.0/6', makePolicy([], { minPrefixV4: 6 }))).toBeUndefined();
  });
});

describe('sanity policy: text, volume, versions', () => {
  it('refuses control characters, markup and formulas in free text', () => {
    expect(textIssues('a\u0000b', 'notes', DEFAULT_POLICY)[0]?.reason).toContain('U+0000');
    expect(textIssues('esc \u001b[31m', 'notes', DEFAULT_POLICY)[0]?.rule).toBe(
      'control-character',
    );
    expect(textIssues('evil \u202e txt', 'notes', DEFAULT_POLICY)[0]?.rule).toBe(
      'control-character',
    );
    expect(textIssues('<script>x</script>', 'notes', DEFAULT_POLICY)[0]?.rule).toBe('markup');
    for (const lead of ['=', '+', '-', '@', ' =']) {
      expect(textIssues(`${lead}HYPERLINK("x")`, 'notes', DEFAULT_POLICY)[0]?.rule).toBe('formula');
    }
    expect(textIssues('Required for Teams; see a-b (x)', 'notes', DEFAULT_POLICY)).toEqual([]);
    expect(textIssues('=1+1', 'notes', makePolicy(['formula']))).toEqual([]);
  });

  it('counts entries without parsing them and caps a version', () => {
    const doc = [{ ips: ['a', 'b'], urls: ['x'] }, { ips: ['c'] }, null, 'junk'];
    expect(countEntries(doc)).toEqual({ prefixes: 3, urls: 1 });
    const policy = makePolicy([], { maxPrefixes: 2, maxUrls: 1 });
    expect(volumeIssues(countEntries(doc), '$', policy).map((i) => i.rule)).toEqual([
      'max-prefixes',
    ]);
    expect(
      volumeIssues({ prefixes: 100_001, urls: 20_001 }, '$', DEFAULT_POLICY).map((i) => i.rule),
    ).toEqual(['max-prefixes', 'max-urls']);
  });

  it('refuses a version dated more than two days ahead, and one not after the latest', () => {
    const now = new Date('2026-12-01T23:00:00Z');
    expect(versionIssues('2026120300', '2026110100', now, DEFAULT_POLICY)).toEqual([]);
    expect(versionIssues('2026120400', null, now, DEFAULT_POLICY)[0]?.rule).toBe('future-version');
    expect(versionIssues('2099010100', null, now, DEFAULT_POLICY)[0]?.reason).toContain(
      '--allow future-version',
    );
    const order = versionIssues('2026110100', '2026110100', now, makePolicy(['future-version']));
    expect(order[0]).toMatchObject({ rule: 'version-order' });
    expect(order[0]?.reason).toContain('cannot be relaxed');
  });

  it('checks every set of a document with paths by position', () => {
    const sets: EndpointSet[] = [
      {
        id: 4,
        serviceArea: 'Common',
        serviceAreaDisplayName: 'X',
        ips: ['13.107.6.152/31', '::1/128'],
        expressRoute: false,
        category: 'Default',
        required: true,
        notes: '-x',
      },
    ];
    expect(setIssues(sets, DEFAULT_POLICY, 'up ').map((i) => [i.path, i.rule, i.setId])).toEqual([
      ['up [0].ips[1]', 'loopback', 4],
      ['up [0].notes', 'formula', 4],
    ]);
  });

  it('parses allow lists; refuses unknown and fixed rules; stores names in rule order', () => {
    expect(parseAllowList(['documentation,Private', 'private'])).toEqual([
      'private',
      'documentation',
    ]);
    expect(() => parseAllowList(['privat'])).toThrow(/not a sanity rule.*private/);
    expect(() => parseAllowList(['version-order'])).toThrow(
      /not a sanity rule that can be relaxed/,
    );
    expect(relaxedRulesColumn(['documentation', 'private'])).toBe('private,documentation');
    expect(() => relaxedRulesColumn(['x,y'])).toThrow(/not a sanity rule/);
    expect(new Set(SANITY_RULES).size).toBe(SANITY_RULES.length);
    expect(() => makePolicy([], { minPrefixV4: 40 })).toThrow(
      /minPrefixV4 must be a whole number from 0 to 32/,
    );
  });
});
