/**
 * The sanity policy: values that are valid JSON of the right shape, yet have no business in a
 * firewall, proxy or PAC file fed by this service. It runs after the validator (core/validate.ts,
 * core/validate-changes.ts) on everything that enters a store: a publish, a sync, a mirror, a copy
 * and the seed. Every rule has a stable name; a refusal names it, with the path, the value and how
 * to relax it. A custom publisher relaxes named rules (`publish --allow private`); the relaxed
 * rules are recorded with the version.
 *
 * Decisions:
 * - a prefix trips an address rule when it overlaps the range (contains it or lies inside it):
 *   `0.0.0.0/1` carries 10.0.0.0/8 to the firewall as surely as `10.0.0.0/8` does;
 * - one issue per value: the first rule it trips that is not relaxed, so relaxing `private`
 *   still refuses `0.0.0.0/1` under `unspecified` and `broad-prefix`;
 * - markup and control characters in URLs are never valid host patterns: the validator refuses
 *   them (no rule can relax that); here the text rules cover free text (notes, display names,
 *   change descriptions);
 * - `version-order` cannot be relaxed: stored version ids only increase.
 */
import { safeParseCidr } from './cidr.js';
import type { EndpointSet } from './endpoint-set.js';
import { IpurlError, describeValue, type Issue } from './errors.js';
import { allowedOf, prefixProblem } from './special-ranges.js';
import { addDays, formatYmd, versionDate, type VersionId } from './version-id.js';

// The address rules live in special-ranges.ts; their checks are part of the policy's interface.
export { prefixProblem, specialRangeOf } from './special-ranges.js';

/** Every rule, in the order a value is checked against them. */
export const SANITY_RULES = [
  'default-route',
  'unspecified',
  'loopback',
  'link-local',
  'multicast',
  'private',
  'shared',
  'documentation',
  'benchmark',
  'reserved',
  'broad-prefix',
  'future-version',
  'version-order',
  'control-character',
  'markup',
  'formula',
  'max-prefixes',
  'max-urls',
] as const;

export type SanityRule = (typeof SANITY_RULES)[number];

/** Rules no flag can relax. */
export const FIXED_RULES: ReadonlySet<SanityRule> = new Set<SanityRule>(['version-order']);

export interface SanityLimits {
  /** Shortest IPv4 prefix length accepted (default 8: `/8` passes, `/7` is refused). */
  readonly minPrefixV4: number;
  /** Shortest IPv6 prefix length accepted (default 24). */
  readonly minPrefixV6: number;
  /** Most prefixes in one version, over all its sets (default 100,000). */
  readonly maxPrefixes: number;
  /** Most URLs in one version, over all its sets (default 20,000). */
  readonly maxUrls: number;
  /** How many days after today a version id's date may lie (default 2). */
  readonly futureDays: number;
}

export const DEFAULT_LIMITS: SanityLimits = {
  minPrefixV4: 8,
  minPrefixV6: 24,
  maxPrefixes: 100_000,
  maxUrls: 20_000,
  futureDays: 2,
};

export interface SanityPolicy {
  /** Relaxed rules, in SANITY_RULES order. */
  readonly allow: readonly SanityRule[];
  readonly limits: SanityLimits;
}

export const DEFAULT_POLICY: SanityPolicy = { allow: [], limits: DEFAULT_LIMITS };

export function isSanityRule(value: string): value is SanityRule {
  return (SANITY_RULES as readonly string[]).includes(value);
}

/**
 * Rule names from flags or a query (`private,documentation`, repeatable). Unknown names and
 * fixed rules are refused with the list of names that can be relaxed.
 */
export function parseAllowList(values: readonly string[]): SanityRule[] {
  const names = values
    .flatMap((value) => value.split(','))
    .map((name) => name.trim().toLowerCase());
  const relaxable = SANITY_RULES.filter((rule) => !FIXED_RULES.has(rule));
  const out = new Set<SanityRule>();
  for (const name of names) {
    if (name === '') continue;
    if (!isSanityRule(name) || FIXED_RULES.has(name)) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `allow: ${JSON.stringify(describeValue(name))} is not a sanity rule that can be relaxed; rules: ${relaxable.join(', ')}`,
      );
    }
    out.add(name);
  }
  return SANITY_RULES.filter((rule) => out.has(rule));
}

/**
 * The stored form of a version's relaxed rules (a store column): names in rule order joined by
 * commas, '' for none. Anything but rule names is refused, so the column always reads back.
 */
export function relaxedRulesColumn(rules: readonly string[] | undefined): string {
  if (rules === undefined || rules.length === 0) return '';
  for (const rule of rules) {
    if (!isSanityRule(rule)) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `relaxedRules: ${JSON.stringify(describeValue(rule))} is not a sanity rule; rules: ${SANITY_RULES.join(', ')}`,
      );
    }
  }
  return SANITY_RULES.filter((rule) => rules.includes(rule)).join(',');
}

/** A policy from relaxed rules and limits (each limit checked: a whole number in its range). */
export function makePolicy(
  allow: readonly string[] = [],
  limits: Partial<SanityLimits> = {},
): SanityPolicy {
  const merged = { ...DEFAULT_LIMITS, ...limits };
  const ranges: Record<keyof SanityLimits, [number, number]> = {
    minPrefixV4: [0, 32],
    minPrefixV6: [0, 128],
    maxPrefixes: [1, 10_000_000],
    maxUrls: [1, 10_000_000],
    futureDays: [0, 3660],
  };
  for (const [key, [low, high]] of Object.entries(ranges) as Array<
    [keyof SanityLimits, [number, number]]
  >) {
    const value = merged[key];
    if (!Number.isInteger(value) || value < low || value > high) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `${key} must be a whole number from ${low} to ${high}; received ${describeValue(value)}`,
      );
    }
  }
  return { allow: parseAllowList(allow), limits: merged };
}

/** How a refusal can be relaxed, quoted in every issue. */
export function relaxHint(rule: SanityRule): string {
  if (FIXED_RULES.has(rule)) return `rule ${rule}, which cannot be relaxed`;
  const limit: Partial<Record<SanityRule, string>> = {
    'broad-prefix': ' or lower --ipv4-min-prefix / --ipv6-min-prefix',
    'max-prefixes': ' or raise --max-prefixes',
    'max-urls': ' or raise --max-urls',
  };
  return `rule ${rule}; relax with --allow ${rule}${limit[rule] ?? ''}`;
}

function issue(rule: SanityRule, path: string, value: unknown, why: string, setId?: number): Issue {
  return {
    path,
    value: describeValue(value),
    reason: `${why} (${relaxHint(rule)})`,
    rule,
    ...(setId === undefined ? {} : { setId }),
  };
}

// ---------------------------------------------------------------------------------------------
// Free text

/**
 * C0 and C1 controls, DEL, and the invisible format characters that can make text read other
 * than it is (zero-width, bidirectional overrides and isolates, line/paragraph separators, BOM).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;
const MARKUP = /[<>]/;
/** A spreadsheet (Excel, LibreOffice) reads such a cell as a formula (CSV injection). */
const FORMULA = /^\s*[=+\-@]/;

function codePoint(text: string): string {
  const match = CONTROL.exec(text);
  const char = match?.[0] ?? '';
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Issues of one free-text value (notes, display names, change descriptions). */
export function textIssues(
  text: string,
  path: string,
  policy: SanityPolicy,
  setId?: number,
): Issue[] {
  const allowed = allowedOf(policy);
  const out: Issue[] = [];
  if (!allowed.has('control-character') && CONTROL.test(text)) {
    out.push(
      issue(
        'control-character',
        path,
        text,
        `contains the control or invisible character ${codePoint(text)}`,
        setId,
      ),
    );
  } else if (!allowed.has('markup') && MARKUP.test(text)) {
    out.push(issue('markup', path, text, 'contains "<" or ">" (markup)', setId));
  } else if (!allowed.has('formula') && FORMULA.test(text)) {
    out.push(
      issue(
        'formula',
        path,
        text,
        'starts with "=", "+", "-" or "@": a spreadsheet would run it as a formula',
        setId,
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checks over a version

/** Prefixes and URLs in a document, counted without building anything (run before validation). */
export function countEntries(document: unknown): { prefixes: number; urls: number } {
  let prefixes = 0;
  let urls = 0;
  if (!Array.isArray(document)) return { prefixes, urls };
  for (const set of document as unknown[]) {
    if (typeof set !== 'object' || set === null) continue;
    const { ips, urls: list } = set as { ips?: unknown; urls?: unknown };
    if (Array.isArray(ips)) prefixes += ips.length;
    if (Array.isArray(list)) urls += list.length;
  }
  return { prefixes, urls };
}

/** The size caps, from counts (so a 3.5-million-prefix answer is refused before it is parsed). */
export function volumeIssues(
  counts: { prefixes: number; urls: number },
  path: string,
  policy: SanityPolicy,
): Issue[] {
  const allowed = new Set(policy.allow);
  const caps = [
    {
      rule: 'max-prefixes',
      what: 'prefixes',
      count: counts.prefixes,
      max: policy.limits.maxPrefixes,
    },
    { rule: 'max-urls', what: 'URLs', count: counts.urls, max: policy.limits.maxUrls },
  ] as const;
  return caps
    .filter(({ rule, count, max }) => count > max && !allowed.has(rule))
    .map(({ rule, what, count, max }) =>
      issue(
        rule,
        path,
        `${count} ${what}`,
        `one version may hold at most ${max} ${what}; this one has ${count}`,
      ),
    );
}

/** What the policy reads of one validated item, by path below the item, in report order. */
export interface PolicedParts {
  /** The set the item is about, named in its issues. */
  readonly setId: number;
  readonly prefixLists: ReadonlyArray<readonly [path: string, ips: readonly string[] | undefined]>;
  readonly texts: ReadonlyArray<readonly [path: string, text: string | undefined]>;
}

/**
 * Address and text rules over validated items (sets, change records): the prefix lists first,
 * then the texts. `prefix` is put before each path (`[i]…`).
 */
export function partsIssues<T>(
  items: readonly T[],
  partsOf: (item: T) => PolicedParts,
  policy: SanityPolicy,
  prefix = '',
): Issue[] {
  const out: Issue[] = [];
  items.forEach((item, index) => {
    const at = `${prefix}[${index}]`;
    const { setId, prefixLists, texts } = partsOf(item);
    for (const [path, ips] of prefixLists) {
      (ips ?? []).forEach((ip, i) =>
        out.push(...ipIssues(ip, `${at}.${path}[${i}]`, policy, setId)),
      );
    }
    for (const [path, text] of texts) {
      if (text !== undefined) out.push(...textIssues(text, `${at}.${path}`, policy, setId));
    }
  });
  return out;
}

/** What the policy reads of a validated set: its addresses, display name and notes. */
function setParts(set: EndpointSet): PolicedParts {
  return {
    setId: set.id,
    prefixLists: [['ips', set.ips]],
    texts: [
      ['serviceAreaDisplayName', set.serviceAreaDisplayName],
      ['notes', set.notes],
    ],
  };
}

/** Address and text rules over validated sets; `prefix` is put before each path (`[i]…`). */
export function setIssues(
  sets: readonly EndpointSet[],
  policy: SanityPolicy,
  prefix = '',
): Issue[] {
  return partsIssues(sets, setParts, policy, prefix);
}

/** The address rules for one prefix text (already valid CIDR; an invalid one is the validator's). */
export function ipIssues(
  text: string,
  path: string,
  policy: SanityPolicy,
  setId?: number,
): Issue[] {
  const parsed = safeParseCidr(text);
  if (!parsed.ok) return [];
  const problem = prefixProblem(parsed.value, policy);
  return problem === undefined ? [] : [issue(problem.rule, path, text, problem.why, setId)];
}

/**
 * A new version id against the clock and the stored latest: not dated more than `futureDays`
 * after today (UTC), and after the latest.
 */
export function versionIssues(
  version: VersionId,
  latest: VersionId | null,
  now: Date,
  policy: SanityPolicy,
  path = 'version',
): Issue[] {
  const out: Issue[] = [];
  const limit = addDays(formatYmd(now), policy.limits.futureDays);
  if (versionDate(version) > limit && !policy.allow.includes('future-version')) {
    out.push(
      issue(
        'future-version',
        path,
        version,
        `version ${version} is dated after ${limit}, more than ${policy.limits.futureDays} days after today (${formatYmd(now)})`,
      ),
    );
  }
  if (latest !== null && version <= latest) {
    out.push(
      issue(
        'version-order',
        path,
        version,
        `version ${version} is not after the stored latest ${latest}`,
      ),
    );
  }
  return out;
}
