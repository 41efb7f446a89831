/**
 * An independent reference of the PAC decision rule, written from Microsoft's Get-PacFile 1.0.4
 * script and the PAC format alone (it shares no code with src/formats/pac or src/core/filters):
 *
 * - the sets are those of the requested service areas plus Common, with `<tenant>` replaced by
 *   the lower-cased TenantName or by `*`, as /endpoints does (docs/api.md,
 *   "GET /endpoints/{instance}");
 * - direct patterns D: URLs of Optimize sets (type 1) or Optimize and Allow sets (type 2);
 * - override patterns O: URLs of the other sets for which some direct pattern, turned into a
 *   case-insensitive regex (`.` escaped, `*` → `.*`, `?` → `.`, anchored), matches the literal URL,
 *   unless the two are the same string ignoring case;
 * - a host (lower-cased first with Lowercase) goes direct iff it matches a pattern of D and none
 *   of O, where matching is shExpMatch: a case-sensitive shell glob over the whole host, `*` any
 *   run of characters (dots included, possibly empty), `?` one character.
 */
import type { EndpointSet } from '../../src/core/endpoint-set.js';

export interface ReferenceRequest {
  readonly type: 1 | 2;
  readonly tenantName?: string;
  /** Requested areas; undefined = all. */
  readonly serviceAreas?: readonly string[];
  readonly lowercase: boolean;
}

export type Decision = 'direct' | 'proxy';

/** shExpMatch as a regex: a case-sensitive shell glob over the whole host. */
export function shellGlob(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, (c) => `\\${c}`);
  }
  return new RegExp(`^${source}$`);
}

/** A direct pattern as Get-PacFile matches it against another set's literal URL. */
export function literalMatchRegex(directPattern: string): RegExp {
  const source = directPattern.split('.').join('\\.').split('*').join('.*').split('?').join('.');
  return new RegExp(`^${source}$`, 'i');
}

export interface ReferenceRule {
  readonly direct: readonly string[];
  readonly override: readonly string[];
  decide(host: string): Decision;
}

export function referenceRule(
  sets: readonly EndpointSet[],
  request: ReferenceRequest,
): ReferenceRule {
  const areas =
    request.serviceAreas === undefined ? undefined : new Set([...request.serviceAreas, 'Common']);
  const tenant = request.tenantName === undefined ? '*' : request.tenantName.toLowerCase();
  const chosen = sets.filter((set) => areas === undefined || areas.has(set.serviceArea));
  const isDirect = (category: string): boolean =>
    category === 'Optimize' || (request.type === 2 && category === 'Allow');
  const urlsOf = (wanted: boolean): string[] => {
    const seen = new Map<string, string>();
    for (const set of chosen) {
      if (isDirect(set.category) !== wanted) continue;
      for (const url of set.urls ?? []) {
        const rendered = url.split('<tenant>').join(tenant);
        if (!seen.has(rendered.toLowerCase())) seen.set(rendered.toLowerCase(), rendered);
      }
    }
    return [...seen.values()];
  };
  const direct = urlsOf(true);
  const override = urlsOf(false).filter((url) =>
    direct.some((d) => d.toLowerCase() !== url.toLowerCase() && literalMatchRegex(d).test(url)),
  );
  const directGlobs = direct.map(shellGlob);
  const overrideGlobs = override.map(shellGlob);
  return {
    direct,
    override,
    decide(host) {
      const h = request.lowercase ? host.toLowerCase() : host;
      if (!directGlobs.some((glob) => glob.test(h))) return 'proxy';
      return overrideGlobs.some((glob) => glob.test(h)) ? 'proxy' : 'direct';
    },
  };
}
