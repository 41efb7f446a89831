/**
 * Host patterns as published in the `urls` of an endpoint set (docs/api.md,
 * "GET /endpoints/{instance}").
 *
 * A pattern is a host name whose labels may contain the wildcard `*` anywhere (`*.office.com`,
 * `*cdn.onenote.net`, `*-files.sharepoint.com`, `autodiscover.*.onmicrosoft.com`) and, in publisher
 * form, the tenant placeholder `<tenant>` (docs/publishing.md). Matching follows PAC `shExpMatch`
 * (docs/formats.md, "Wildcards by target"): `*` matches any run of characters, dots included, so
 * `*.x.com` matches `a.b.x.com` but NOT `x.com`.
 */
import { TENANT_PLACEHOLDER } from './endpoint-set.js';

export type UrlPatternResult =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** What a valid pattern looks like, quoted in every rejection so the publisher knows the rule. */
export const URL_PATTERN_RULE =
  'a host name of dot-separated labels (letters, digits, "-"), at most 253 characters, each label 1–63 ' +
  'characters; "*" may stand for any run of characters inside a label (not "**"), "<tenant>" marks ' +
  'the tenant name; the last label (top-level domain) must be letters only, without wildcard';

const LABEL_CHARS = /^[a-z0-9*-]+$/;
const TLD = /^[a-z]{2,63}$/;
/** A private-use character standing for `<tenant>` while the pattern is checked label by label. */
const TENANT_MARK = '\u{E000}';

/**
 * Check one host pattern. Decisions (our own; docs/publishing.md, "The document"):
 * - case-insensitive; the canonical value is lower-cased;
 * - no scheme, path, port, spaces or trailing dot: the service publishes bare host patterns;
 * - `**` is rejected (it means nothing more than `*` and is almost always a typo);
 * - the top-level label carries no wildcard and no placeholder: a pattern such as `office.*`
 *   would match hosts in every TLD, which no published row does and no firewall should accept;
 * - a label must not start or end with `-` unless a wildcard or the placeholder is adjacent
 *   (`*-files` and `<tenant>-my` are real).
 */
export function safeParseUrlPattern(text: string): UrlPatternResult {
  if (text.length === 0) return fail('empty host pattern');
  if (text.length > 253) return fail(`longer than 253 characters (${text.length})`);
  const lower = text.toLowerCase();
  const marked = lower.split(TENANT_PLACEHOLDER).join(TENANT_MARK);
  if (/[<>]/.test(marked)) return fail(`"<" or ">" outside the placeholder ${TENANT_PLACEHOLDER}`);
  const labels = marked.split('.');
  for (const [index, label] of labels.entries()) {
    const problem = labelProblem(label, index === labels.length - 1);
    if (problem !== undefined) return fail(`label ${index + 1} "${unmark(label)}": ${problem}`);
  }
  return { ok: true, value: lower };
}

function labelProblem(label: string, isTld: boolean): string | undefined {
  if (label.length === 0) return 'empty label (".." or a leading/trailing dot)';
  const plain = label.split(TENANT_MARK).join('');
  if (!LABEL_CHARS.test(plain) && plain.length > 0) {
    return 'illegal character (allowed: letters, digits, "-", "*")';
  }
  if (isTld && !TLD.test(label)) {
    return 'the top-level label must be 2–63 letters, without wildcard or placeholder';
  }
  if (plain.length === 0) return undefined; // the whole label is the placeholder
  if (label.length > 63) return 'longer than 63 characters';
  if (label.includes('**')) return '"**" is not allowed (use a single "*")';
  if (label.startsWith('-') || label.endsWith('-')) return 'a label cannot start or end with "-"';
  return undefined;
}

const unmark = (label: string): string => label.split(TENANT_MARK).join(TENANT_PLACEHOLDER);
const fail = (reason: string): UrlPatternResult => ({ ok: false, reason });

/** True when the pattern contains a wildcard or the tenant placeholder (matches many hosts). */
export function isWildcardPattern(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes(TENANT_PLACEHOLDER);
}

/**
 * Compile a pattern into a predicate over a lower-cased host, with shExpMatch semantics: `*`
 * (and `<tenant>`, which renders as `*` without a TenantName) match any run of
 * characters, including dots. The regular expression is built once per pattern.
 */
export function compileHostPattern(pattern: string): (host: string) => boolean {
  const lower = pattern.toLowerCase().split(TENANT_PLACEHOLDER).join('*');
  if (!lower.includes('*')) return (host) => host === lower;
  const source = lower.split('*').map(escapeRegExp).join('.*');
  const regex = new RegExp(`^${source}$`);
  return (host) => regex.test(host);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
