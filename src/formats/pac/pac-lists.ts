/**
 * The two URL lists of a Get-PacFile PAC (steps 2–3 of Microsoft's script), shared by both PAC
 * styles so their decisions cannot drift apart:
 *
 * - direct: URLs of the direct categories (type 1: Optimize; type 2: Optimize and Allow),
 * - override: URLs of every other set that a direct pattern matches "as a regex against the literal
 *   URL", other than an identical string: hosts under a direct wildcard that must still go to the
 *   proxy (e.g. `*-files.sharepoint.com` under `*.sharepoint.com`).
 *
 * Both lists are de-duplicated case-insensitively and sorted like PowerShell's `Sort-Object -Unique`
 * (culture-aware, case-insensitive). The published Get-PacFile samples were produced by PowerShell 7,
 * which compares with ICU: `Intl.Collator` is ICU too, and reproduces their order (`*` first,
 * `login-us.` before `login.`).
 */
import type { Category, EndpointSet } from '../../core/endpoint-set.js';
import { ValidationError, describeValue, type Issue } from '../../core/errors.js';

/** Get-PacFile `-Type`: 1 = Optimize direct, 2 = Optimize and Allow direct. */
export type PacType = 1 | 2;

export const PAC_TYPES: readonly PacType[] = [1, 2];

export interface PacLists {
  /** Patterns whose hosts go to the direct return value, sorted. */
  readonly direct: readonly string[];
  /** Patterns tested first, whose hosts go to the proxy even under a direct wildcard, sorted. */
  readonly override: readonly string[];
}

/**
 * What a PAC can carry: host-name characters and the glob characters of `shExpMatch`. Anything
 * else (quotes, spaces, `<tenant>` left unsubstituted, regex metacharacters that engines'
 * shExpMatch would pass to RegExp) is refused rather than written into a program.
 */
export const PAC_PATTERN = /^[A-Za-z0-9_.*?-]{1,253}$/;

export function directCategories(type: PacType): readonly Category[] {
  return type === 1 ? ['Optimize'] : ['Optimize', 'Allow'];
}

const collator = new Intl.Collator('en-US', { sensitivity: 'accent' });

/** PowerShell `Sort-Object -Unique`: culture order, case-insensitive, first of equal strings kept. */
export function sortUniqueLikePowerShell(values: Iterable<string>): string[] {
  const sorted = [...values].sort(collator.compare); // stable: equal strings keep input order
  const out: string[] = [];
  for (const value of sorted) {
    const last = out[out.length - 1];
    if (last === undefined || collator.compare(last, value) !== 0) out.push(value);
  }
  return out;
}

/**
 * Get-PacFile's `Get-Regex`: escape `.`, then `*` → `.*` and `?` → `.`, anchored; PowerShell's
 * `-match` is case-insensitive. PAC_PATTERN guarantees no other regex metacharacter is present.
 */
function wildcardRegex(pattern: string): RegExp {
  return new RegExp(
    `^${pattern.replaceAll('.', '\\.').replaceAll('*', '.*').replaceAll('?', '.')}$`,
    'i',
  );
}

/** Compute the direct and override lists of a PAC from rendered sets (no `<tenant>` left). */
export function computePacLists(sets: readonly EndpointSet[], type: PacType): PacLists {
  checkPatterns(sets);
  const directSet = new Set<Category>(directCategories(type));
  const direct = sortUniqueLikePowerShell(
    sets.filter((set) => directSet.has(set.category)).flatMap((set) => set.urls ?? []),
  );
  const others = sortUniqueLikePowerShell(
    sets.filter((set) => !directSet.has(set.category)).flatMap((set) => set.urls ?? []),
  );
  return { direct, override: overridesOf(direct, others) };
}

/**
 * Get-PacFile's override list: the `others` a `direct` pattern matches as a regex against the
 * literal URL, other than an identical string (also used per route group, pac-routes.ts).
 */
export function overridesOf(direct: readonly string[], others: readonly string[]): string[] {
  const directRegexes = direct.map((pattern) => ({
    lower: pattern.toLowerCase(),
    regex: wildcardRegex(pattern),
  }));
  // `Match-RegexList`: `$regex -ne $ToMatch` is a case-insensitive comparison in PowerShell.
  return others.filter((url) =>
    directRegexes.some(({ lower, regex }) => lower !== url.toLowerCase() && regex.test(url)),
  );
}

export function checkPatterns(sets: readonly EndpointSet[]): void {
  const issues: Issue[] = [];
  for (const set of sets) {
    for (const [index, url] of (set.urls ?? []).entries()) {
      if (!PAC_PATTERN.test(url)) {
        issues.push({
          path: `urls[${index}]`,
          value: JSON.stringify(describeValue(url)),
          reason:
            'a PAC can only test host patterns made of letters, digits, ".", "-", "_" and the wildcards "*" and "?"',
          setId: set.id,
        });
      }
    }
  }
  if (issues.length > 0) {
    throw new ValidationError(
      issues,
      `${issues.length} URL${issues.length === 1 ? '' : 's'} cannot be written into a PAC file`,
      'ERR_UNSUPPORTED_PATTERN',
    );
  }
}
