/**
 * PAC routing by category and by ExpressRoute (issue 11, docs/formats.md "PAC routing"): the
 * generalisation of Get-PacFile's two-way decision to any number of return values.
 *
 * Every URL of the selection gets a class: its set's category (`--route Optimize=DIRECT
 * --route Allow='PROXY a:8080' --route Default='PROXY b:8080'`), or, with `--expressroute`,
 * `ExpressRoute` (sets with `expressRoute: true`) or `Internet` (the others, and the CDN names
 * of ExpressRoute sets, which ExpressRoute does not carry). Each class has a return value (a
 * class without a route takes the fallback, `--proxy`). Classes with the same value form a
 * group; groups are ordered by their first class in priority order (Optimize, Allow, Default;
 * ExpressRoute, Internet).
 *
 * Decision for a host: the first group g such that the host matches a member pattern of g and
 * none of g's override patterns answers g's value; else the fallback. g's overrides are the
 * patterns of other groups that a member of g matches as a regex against the literal URL, other
 * than an identical string (Get-PacFile's rule, pac-lists.ts overridesOf): a URL of a more
 * specific class inside a broader pattern of g keeps its own route. With two groups (types 1 and
 * 2) this is exactly Get-PacFile's decision.
 */
import { CATEGORIES, type Category, type EndpointSet } from '../../core/endpoint-set.js';
import { IpurlError, describeValue } from '../../core/errors.js';
import { checkPatterns, overridesOf, sortUniqueLikePowerShell } from './pac-lists.js';
import { parsePacReturn } from './pac-return.js';

export type RoutingKind = 'category' | 'expressroute';

export interface PacRouting {
  readonly kind: RoutingKind;
  /** Return value per class (a category, or ExpressRoute / Internet); others take the fallback. */
  readonly routes: Readonly<Record<string, string>>;
}

export interface RouteGroup {
  readonly value: string;
  /** Classes routed to value, in priority order. */
  readonly classes: readonly string[];
  /** Patterns of those classes, sorted like Get-PacFile. */
  readonly members: readonly string[];
  /** Patterns of other groups inside a member: they keep their own route. */
  readonly overrides: readonly string[];
}

export interface RoutedLists {
  readonly kind: RoutingKind;
  readonly groups: readonly RouteGroup[];
  readonly fallback: string;
  /** ExpressRoute only: CDN names of ExpressRoute sets, routed as Internet. */
  readonly cdnNames: readonly string[];
}

export const EXPRESSROUTE_CLASSES = ['ExpressRoute', 'Internet'] as const;

/**
 * CDN host names: a label containing "cdn", or a CDN provider's domain. Microsoft's ExpressRoute
 * guidance: content served from CDNs is not advertised over ExpressRoute Microsoft peering, so
 * such names must leave through the Internet path even when their set is marked expressRoute.
 */
const CDN_NAME = /cdn|akamai|azureedge\.net|msecnd\.net|edgekey\.net|edgesuite\.net/i;

export function isCdnName(pattern: string): boolean {
  return CDN_NAME.test(pattern);
}

/** `Optimize=DIRECT` (category any case; value a PAC return string) → [category, value]. */
export function parseRoute(text: string, parameter = 'route'): [Category, string] {
  const at = text.indexOf('=');
  const name = at === -1 ? '' : text.slice(0, at).trim();
  const category = CATEGORIES.find((c) => c.toLowerCase() === name.toLowerCase());
  if (category === undefined) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${parameter} must be CATEGORY=RETURN with CATEGORY one of ${CATEGORIES.join(', ')}, e.g. ${parameter === 'route' ? 'route=Optimize%3DDIRECT' : '--route Optimize=DIRECT'}; received ${JSON.stringify(describeValue(text))}`,
      { details: { parameter, value: describeValue(text), accepted: CATEGORIES } },
    );
  }
  return [category, parsePacReturn(`${parameter} ${category}`, text.slice(at + 1).trim())];
}

/** Several `--route` values; a category given twice with different values is refused. */
export function parseRoutes(texts: readonly string[], parameter = 'route'): PacRouting {
  const routes: Record<string, string> = {};
  for (const text of texts) {
    const [category, value] = parseRoute(text, parameter);
    const before = routes[category];
    if (before !== undefined && before !== value) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `${parameter}: ${category} is routed twice (${JSON.stringify(before)} and ${JSON.stringify(value)}); give one route per category`,
      );
    }
    routes[category] = value;
  }
  return { kind: 'category', routes };
}

function classOf(set: EndpointSet, url: string, kind: RoutingKind): string {
  if (kind === 'category') return set.category;
  return set.expressRoute && !isCdnName(url) ? 'ExpressRoute' : 'Internet';
}

/** Group the selection's URLs by return value and compute each group's overrides. */
export function computeRoutedLists(
  sets: readonly EndpointSet[],
  routing: PacRouting,
  fallback: string,
): RoutedLists {
  checkPatterns(sets);
  const order: readonly string[] = routing.kind === 'category' ? CATEGORIES : EXPRESSROUTE_CLASSES;
  const urlsByClass = new Map<string, string[]>(order.map((c) => [c, []]));
  const cdnNames: string[] = [];
  for (const set of sets) {
    for (const url of set.urls ?? []) {
      const klass = classOf(set, url, routing.kind);
      urlsByClass.get(klass)?.push(url);
      if (routing.kind === 'expressroute' && set.expressRoute && klass === 'Internet')
        cdnNames.push(url);
    }
  }
  const values: string[] = [];
  const classesOf = new Map<string, string[]>();
  for (const klass of order) {
    const value = routing.routes[klass] ?? fallback;
    const list = classesOf.get(value);
    if (list === undefined) {
      values.push(value);
      classesOf.set(value, [klass]);
    } else list.push(klass);
  }
  const membersOf = (classes: readonly string[]): string[] =>
    sortUniqueLikePowerShell(classes.flatMap((klass) => urlsByClass.get(klass) ?? []));
  const groups = values.map((value): RouteGroup => {
    const classes = classesOf.get(value) ?? [];
    const members = membersOf(classes);
    const others = membersOf(order.filter((klass) => !classes.includes(klass)));
    return { value, classes, members, overrides: overridesOf(members, others) };
  });
  return {
    kind: routing.kind,
    groups,
    fallback,
    cdnNames: sortUniqueLikePowerShell(cdnNames),
  };
}

/** `Optimize → DIRECT; Allow, Default → PROXY b:8080` for comments and reports. */
export function describeRouting(lists: RoutedLists): string {
  return lists.groups.map((g) => `${g.classes.join(', ')} -> ${g.value}`).join('; ');
}
