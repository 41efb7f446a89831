/**
 * PAC routing by category and by ExpressRoute, and several tenants (issue 11), evaluated in a
 * real PAC engine (pacparser) on every URL pattern of real versions turned into hosts and on
 * generated hosts around them, in both styles, each answer compared with the reference below.
 *
 * Reference (written from docs/formats.md "PAC routing", sharing no code with src/formats/pac):
 * each URL has a class (its category; or ExpressRoute for sets with expressRoute true and no CDN
 * name, else Internet); each class a return value (a class without a route: the fallback);
 * classes with one value form a group, groups ordered by their first class in priority order.
 * A group's overrides are the other groups' URLs that one of its URLs, as a case-insensitive
 * regex over the literal URL, matches (identical strings aside). A host gets the value of the
 * first group it matches (shell glob) without matching one of that group's overrides; else the
 * fallback.
 */
import { expect, it } from 'vitest';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { filterEndpointSets } from '../../src/core/filters.js';
import type { PacRouting } from '../../src/formats/pac/pac-routes.js';
import { renderPac, type PacStyle } from '../../src/formats/pac/render-pac.js';
import { bundledVersions, readBundled } from '../helpers/bundled-data.js';
import { describeWith, hasPythonModule } from '../helpers/system.js';
import { hostsForSets } from './hosts.js';
import { evaluatePacs } from './pacparser.js';
import { literalMatchRegex, referenceRule, shellGlob } from './reference.js';

const FALLBACK = 'PROXY fallback.contoso.com:3128';
const THREE_WAY = {
  Optimize: 'DIRECT',
  Allow: 'PROXY a.contoso.com:8080',
  Default: 'PROXY b.contoso.com:8080',
};

type Klass = (set: EndpointSet, url: string) => string;

const byCategory: Klass = (set) => set.category;
const CDN = /cdn|akamai|azureedge\.net|msecnd\.net|edgekey\.net|edgesuite\.net/i;
const byExpressRoute: Klass = (set, url) =>
  set.expressRoute && !CDN.test(url) ? 'ExpressRoute' : 'Internet';

function reference(
  sets: readonly EndpointSet[],
  klass: Klass,
  order: readonly string[],
  routes: Readonly<Record<string, string>>,
  lowercase: boolean,
): (host: string) => string {
  const values: string[] = [];
  for (const c of order) {
    const value = routes[c] ?? FALLBACK;
    if (!values.includes(value)) values.push(value);
  }
  const urls = (value: string, same: boolean): string[] =>
    sets.flatMap((set) =>
      (set.urls ?? []).filter((url) => ((routes[klass(set, url)] ?? FALLBACK) === value) === same),
    );
  const groups = values.map((value) => {
    const members = urls(value, true);
    const overrides = urls(value, false).filter((url) =>
      members.some((m) => m.toLowerCase() !== url.toLowerCase() && literalMatchRegex(m).test(url)),
    );
    return { value, members: members.map(shellGlob), overrides: overrides.map(shellGlob) };
  });
  return (host) => {
    const h = lowercase ? host.toLowerCase() : host;
    for (const g of groups) {
      if (g.members.some((r) => r.test(h)) && !g.overrides.some((r) => r.test(h))) return g.value;
    }
    return FALLBACK;
  };
}

const latest = (instance: string): string => bundledVersions(instance).at(-1)!;
const CASES = [
  { instance: 'Worldwide', version: latest('Worldwide') },
  // Mid-label wildcards and overrides under broad wildcards.
  { instance: 'Worldwide', version: '2020080600' },
  { instance: 'USGovGCCHigh', version: latest('USGovGCCHigh') },
];
const STYLES: readonly PacStyle[] = ['fast', 'get-pacfile'];

describeWith('python3-pacparser', hasPythonModule('pacparser'))('routed PACs in pacparser', () => {
  for (const { instance, version } of CASES) {
    for (const style of STYLES) {
      it(
        `${instance} ${version} ${style}: three-way by category, ExpressRoute, Optimize=DIRECT = type 1`,
        { timeout: 180_000 },
        async () => {
          const sets = filterEndpointSets(readBundled(instance, version), {
            tenantNames: ['contoso', 'fabrikam'],
          });
          const hosts = hostsForSets(readBundled(instance, version), style === 'fast');
          const lowercase = style === 'fast';
          // The three PACs differ only in what a direct answer is and how URLs are routed.
          const routed = (direct: string, routing: PacRouting) =>
            renderPac(sets, { type: 1, direct, proxy: FALLBACK, lowercase, style, routing });
          const jobs = [
            {
              name: 'three-way',
              pac: routed('DIRECT', { kind: 'category', routes: THREE_WAY }),
              hosts,
            },
            {
              name: 'expressroute',
              pac: routed('PROXY er.contoso.com:8080', {
                kind: 'expressroute',
                routes: { ExpressRoute: 'PROXY er.contoso.com:8080', Internet: FALLBACK },
              }),
              hosts,
            },
            {
              name: 'type 1 as a route',
              pac: routed('DIRECT', { kind: 'category', routes: { Optimize: 'DIRECT' } }),
              hosts,
            },
          ];
          const results = await evaluatePacs(jobs);
          const expected = {
            'three-way': reference(
              sets,
              byCategory,
              ['Optimize', 'Allow', 'Default'],
              THREE_WAY,
              lowercase,
            ),
            expressroute: reference(
              sets,
              byExpressRoute,
              ['ExpressRoute', 'Internet'],
              { ExpressRoute: 'PROXY er.contoso.com:8080', Internet: FALLBACK },
              lowercase,
            ),
          };
          const type1 = referenceRule(sets, { type: 1, lowercase });
          const mismatches: string[] = [];
          const seen = new Map<string, Set<string>>();
          for (const job of jobs) {
            const answers = results.get(job.name) ?? [];
            expect(answers).toHaveLength(hosts.length);
            const values = new Set<string>();
            hosts.forEach((host, index) => {
              const want =
                job.name === 'type 1 as a route'
                  ? type1.decide(host) === 'direct'
                    ? 'DIRECT'
                    : FALLBACK
                  : expected[job.name as keyof typeof expected](host);
              values.add(want);
              if (answers[index] !== want)
                mismatches.push(`${job.name}: ${host} -> ${answers[index]}, expected ${want}`);
            });
            seen.set(job.name, values);
          }
          expect(mismatches.slice(0, 20)).toEqual([]);
          // The hosts exercise every route, not only the fallback.
          expect([...(seen.get('three-way') ?? [])].sort()).toEqual(
            [...Object.values(THREE_WAY), FALLBACK].sort(),
          );
          expect(seen.get('expressroute')?.size).toBe(2);
        },
      );
    }
  }

  it("two tenants (Worldwide 2020080600 lists <tenant> SharePoint URLs): both tenants' hosts direct, their -files hosts proxied", async () => {
    const sets = filterEndpointSets(readBundled('Worldwide', '2020080600'), {
      tenantNames: ['contoso', 'fabrikam'],
    });
    const direct = [
      'contoso.sharepoint.com',
      'contoso-my.sharepoint.com',
      'Fabrikam.SharePoint.com',
      'fabrikam-my.sharepoint.com',
    ];
    const proxied = ['contoso-files.sharepoint.com', 'fabrikam-myfiles.sharepoint.com'];
    for (const style of STYLES) {
      const pac = renderPac(sets, {
        type: 1,
        direct: 'DIRECT',
        proxy: FALLBACK,
        lowercase: true,
        style,
      });
      const results = await evaluatePacs([{ name: style, pac, hosts: [...direct, ...proxied] }]);
      expect(results.get(style)).toEqual([
        ...direct.map(() => 'DIRECT'),
        ...proxied.map(() => FALLBACK),
      ]);
    }
    const urls = sets.flatMap((s) => s.urls ?? []);
    for (const tenant of ['contoso', 'fabrikam']) {
      expect(urls).toContain(`${tenant}.sharepoint.com`);
      expect(urls).toContain(`autodiscover.${tenant}.onmicrosoft.com`);
    }
    expect(urls.some((u) => u.includes('<tenant>'))).toBe(false);
  });
});
