/**
 * Both PAC styles evaluated in a real PAC engine (pacparser, Debian python3-pacparser) on every
 * URL pattern of real versions turned into concrete hosts and on generated hosts around them,
 * each answer compared with the independent reference rule of reference.ts (Get-PacFile's rule).
 */
import { beforeAll, expect, it } from 'vitest';
import { OPT_IN_SERVICE_AREAS } from '../../src/core/endpoint-set.js';
import { filterEndpointSets } from '../../src/core/filters.js';
import { renderPac, type PacStyle } from '../../src/formats/pac/render-pac.js';
import { bundledVersions, readBundled } from '../helpers/bundled-data.js';
import { describeWith, hasPythonModule } from '../helpers/system.js';
import { hostsForSets } from './hosts.js';
import { evaluatePacs, type PacJob } from './pacparser.js';
import { referenceRule, type ReferenceRequest } from './reference.js';

const DIRECT = 'DIRECT';
const PROXY = 'PROXY proxy.example.net:3128';
const STYLES: readonly PacStyle[] = ['fast', 'get-pacfile'];

interface Config extends ReferenceRequest {
  readonly label: string;
}

function configs(full: boolean): Config[] {
  const out: Config[] = [];
  for (const type of [1, 2] as const) {
    for (const tenantName of [undefined, 'Contoso']) {
      for (const lowercase of [false, true]) {
        out.push({
          label: `type ${type}, ${tenantName === undefined ? 'no tenant' : `tenant ${tenantName}`}, lowercase ${lowercase ? 'on' : 'off'}`,
          type,
          lowercase,
          ...(tenantName === undefined ? {} : { tenantName }),
        });
      }
    }
  }
  if (full) return out;
  // Other versions: the two extremes of the matrix plus a service-area filter.
  return [
    {
      label: 'type 1, tenant contoso, lowercase on',
      type: 1,
      tenantName: 'contoso',
      lowercase: true,
    },
    { label: 'type 2, no tenant, lowercase off', type: 2, lowercase: false },
    {
      label: 'type 2, Exchange+SharePoint, lowercase on',
      type: 2,
      lowercase: true,
      serviceAreas: ['Exchange', 'SharePoint'],
    },
  ];
}

const latest = (instance: string): string => bundledVersions(instance).at(-1)!;

const CASES: ReadonlyArray<{ instance: string; version: string; full: boolean }> = [
  { instance: 'Worldwide', version: latest('Worldwide'), full: true },
  // Mid-label wildcards (*-files, *cdn.onenote.net, autodiscover-*.outlook.com) and <tenant>-my.
  { instance: 'Worldwide', version: '2020080600', full: false },
  { instance: 'USGovDoD', version: latest('USGovDoD'), full: false },
  { instance: 'USGovGCCHigh', version: latest('USGovGCCHigh'), full: false },
  { instance: 'China', version: latest('China'), full: false },
  { instance: 'Germany', version: latest('Germany'), full: false },
];

function render(instance: string, version: string, config: Config, style: PacStyle): string {
  const sets = filterEndpointSets(readBundled(instance, version), {
    ...(config.tenantName === undefined ? {} : { tenantName: config.tenantName }),
    ...(config.serviceAreas === undefined
      ? {}
      : {
          serviceAreas: new Set(
            config.serviceAreas as Array<'Exchange' | 'SharePoint' | 'Skype' | 'Common'>,
          ),
        }),
  });
  return renderPac(sets, {
    type: config.type,
    direct: DIRECT,
    proxy: PROXY,
    lowercase: config.lowercase,
    style,
    source: { instance, version },
  });
}

/**
 * The get-pacfile style is a chain of shExpMatch calls, which pacparser runs at a few hundred hosts
 * per second; it is checked on fewer configurations and on the lean host list (one fill per `*`),
 * the fast style on every configuration and the thorough host list.
 */
function getPacFileConfigs(full: boolean): Config[] {
  const all = configs(full);
  if (!full) return all.filter((config) => config.type === 1 || config.serviceAreas === undefined);
  return all.filter(
    (config) => config.type === 1 || config.lowercase === (config.tenantName !== undefined),
  );
}

function compare(
  sets: ReturnType<typeof readBundled>,
  hosts: readonly string[],
  config: Config,
  style: PacStyle,
  answers: readonly string[] | undefined,
  mismatches: string[],
): number {
  const reference = referenceRule(sets, config);
  expect(answers).toHaveLength(hosts.length);
  let direct = 0;
  hosts.forEach((host, index) => {
    const expected = reference.decide(host) === 'direct' ? DIRECT : PROXY;
    if (expected === DIRECT) direct++;
    const answer = answers?.[index];
    if (answer !== expected)
      mismatches.push(`${config.label} / ${style}: ${host} -> ${answer}, expected ${expected}`);
  });
  return direct;
}

describeWith('python3-pacparser', hasPythonModule('pacparser'))('PAC files in pacparser', () => {
  for (const { instance, version, full } of CASES) {
    for (const style of STYLES) {
      const chosen = style === 'fast' ? configs(full) : getPacFileConfigs(full);
      it(
        `${instance} ${version}, ${style} style, ${chosen.length} configurations: every host as the reference rule says`,
        { timeout: 120_000 },
        async () => {
          // The hosts come from every set, MEM included, but the reference decides with the sets a
          // PAC holds by default: MEM is opt-in (asked for by name), so its hosts go to the proxy.
          const all = readBundled(instance, version);
          const sets = all.filter((set) => !OPT_IN_SERVICE_AREAS.has(set.serviceArea));
          const hosts = hostsForSets(all, style === 'fast');
          const jobs: PacJob[] = chosen.map((config) => ({
            name: config.label,
            pac: render(instance, version, config, style),
            hosts,
          }));
          const results = await evaluatePacs(jobs);
          const mismatches: string[] = [];
          let direct = 0;
          for (const config of chosen)
            direct += compare(sets, hosts, config, style, results.get(config.label), mismatches);
          expect(mismatches.slice(0, 20)).toEqual([]);
          // The host list really exercises both answers (not all-proxy).
          expect(direct).toBeGreaterThan((hosts.length * chosen.length) / 50);
        },
      );
    }
  }

  it('synthetic patterns reach every lookup path of the fast style (?, globs without a dotted tail, __proto__, overrides)', async () => {
    let id = 1;
    const set = (category: 'Optimize' | 'Allow' | 'Default', urls: string[]) => ({
      id: id++,
      serviceArea: 'Common' as const,
      serviceAreaDisplayName: 'Common',
      urls,
      expressRoute: false,
      category,
      required: true,
    });
    const sets = [
      set('Optimize', [
        '*.example.com',
        'a?.example.org',
        'office*',
        '__proto__',
        'constructor',
        'x.*.y.example.net',
        '*mid*.example.net',
        'exact.example.io',
      ]),
      set('Allow', ['*.allow.example.com', 'b*c.example.org']),
      set('Default', [
        '*-files.example.com',
        'deep.sub.example.com',
        'ab.example.org',
        'officex',
        'x.q.y.example.net',
        'exact.example.io',
        '*.allow.example.com',
      ]),
    ];
    const hosts = [
      'example.com',
      'a.example.com',
      'a-files.example.com',
      '-files.example.com',
      'deep.sub.example.com',
      'sub.example.com',
      'x.deep.sub.example.com',
      'ab.example.org',
      'ac.example.org',
      'a.example.org',
      'abc.example.org',
      'office',
      'office365',
      'officex',
      'Office',
      'xoffice',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '__count__',
      'x.constructor',
      'x.a.y.example.net',
      'x.q.y.example.net',
      'x..y.example.net',
      'amidb.example.net',
      'mid.example.net',
      'id.example.net',
      'exact.example.io',
      'EXACT.example.io',
      'z.allow.example.com',
      'bc.example.org',
      'bxxc.example.org',
    ];
    const jobs: PacJob[] = [];
    const configs: Config[] = [
      { label: 'type 1', type: 1, lowercase: false },
      { label: 'type 2', type: 2, lowercase: false },
      { label: 'type 2 lower', type: 2, lowercase: true },
    ];
    for (const config of configs) {
      for (const style of STYLES) {
        jobs.push({
          name: `${config.label} / ${style}`,
          pac: renderPac(sets, {
            type: config.type,
            direct: DIRECT,
            proxy: PROXY,
            lowercase: config.lowercase,
            style,
          }),
          hosts,
        });
      }
    }
    const results = await evaluatePacs(jobs);
    const mismatches: string[] = [];
    for (const config of configs) {
      for (const style of STYLES)
        compare(sets, hosts, config, style, results.get(`${config.label} / ${style}`), mismatches);
    }
    expect(mismatches).toEqual([]);
  });

  it('answers the documented examples (shExpMatch: the bare apex of *.x.com is not matched)', async () => {
    const sets = filterEndpointSets(readBundled('Worldwide', '2020080600'), {});
    const hosts = [
      'outlook.office365.com',
      'outlook.office365.com.example.net',
      'xoutlook.office365.com',
      'contoso.sharepoint.com',
      'contoso-files.sharepoint.com',
      'contoso-myfiles.sharepoint.com',
      'sharepoint.com',
      'OUTLOOK.OFFICE365.COM',
    ];
    const expected = [DIRECT, PROXY, PROXY, DIRECT, PROXY, PROXY, PROXY, PROXY];
    const expectedLower = [DIRECT, PROXY, PROXY, DIRECT, PROXY, PROXY, PROXY, DIRECT];
    const jobs: PacJob[] = [];
    for (const style of STYLES) {
      for (const lowercase of [false, true]) {
        jobs.push({
          name: `${style} ${lowercase}`,
          pac: renderPac(sets, { type: 1, direct: DIRECT, proxy: PROXY, lowercase, style }),
          hosts,
        });
      }
    }
    const results = await evaluatePacs(jobs);
    for (const style of STYLES) {
      expect(results.get(`${style} false`)).toEqual(expected);
      expect(results.get(`${style} true`)).toEqual(expectedLower);
    }
  });

  it('a PAC with several return values and bracketed IPv6 proxies loads and answers them verbatim', async () => {
    const sets = filterEndpointSets(readBundled('Worldwide', latest('Worldwide')), {});
    const proxy = 'PROXY [2001:db8::1]:8080; SOCKS5 socks.example.net:1080; DIRECT';
    const direct = 'HTTPS er-gateway.example.net:443';
    const jobs: PacJob[] = STYLES.map((style) => ({
      name: style,
      pac: renderPac(sets, { type: 2, direct, proxy, lowercase: false, style }),
      hosts: ['outlook.office365.com', 'www.example.com'],
    }));
    const results = await evaluatePacs(jobs);
    for (const style of STYLES) expect(results.get(style)).toEqual([direct, proxy]);
  });
});

beforeAll(() => {
  // Every case's PACs must avoid DNS-resolving helpers, whatever the engine: Get-PacFile emits
  // only shExpMatch tests.
  for (const { instance, version } of CASES) {
    for (const style of STYLES) {
      const pac = render(instance, version, { label: '', type: 2, lowercase: true }, style);
      expect(pac).not.toMatch(
        /isInNet|dnsResolve|myIpAddress|isResolvable|dnsDomainIs|localHostOrDomainIs/,
      );
    }
  }
});
