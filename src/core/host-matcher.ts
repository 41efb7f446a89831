/**
 * Host patterns of the lookup index, compiled once per version (lower-cased, trailing dot
 * removed): an exact map for plain names; a suffix map for patterns with one leading `*`
 * (`*.x.com`, `*cdn.x.net`, `*-files.sharepoint.com`) or a leading `<tenant>`, keyed by the domain
 * after the pattern's first dot and reached by walking the host's labels; and a short list of
 * regular expressions for the rest (`autodiscover.*.onmicrosoft.com`). `*` follows PAC shExpMatch:
 * any run of characters, so `*.x.com` matches `a.b.x.com` but never `x.com`. The tenant
 * placeholder stands for one DNS label (a tenant name is a label).
 */
import { TENANT_PLACEHOLDER } from './endpoint-set.js';

export interface HostMatcher<T> {
  /** Every item whose pattern matches the host (lower-cased, no trailing dot), sorted. */
  readonly match: (host: string) => readonly T[];
  readonly exactHosts: number;
  readonly suffixPatterns: number;
  readonly otherPatterns: number;
}

interface SuffixPattern<T> {
  /** The pattern without its leading `*` or `<tenant>` (what the host must end with). */
  readonly tail: string;
  /** `<tenant>`: the part before `tail` must be exactly one non-empty label. */
  readonly oneLabel: boolean;
  readonly item: T;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function buildHostMatcher<T>(
  patterns: Iterable<{ readonly pattern: string; readonly item: T }>,
  sortItems: (items: T[]) => T[],
): HostMatcher<T> {
  const none: readonly T[] = Object.freeze([]);
  const exact = new Map<string, T[]>();
  const suffix = new Map<string, SuffixPattern<T>[]>();
  const others: Array<{ regex: RegExp; item: T }> = [];
  let suffixCount = 0;

  for (const { pattern: raw, item } of patterns) {
    const pattern = raw.toLowerCase();
    const starCount = pattern.split('*').length - 1;
    const tenantCount = pattern.split(TENANT_PLACEHOLDER).length - 1;
    if (starCount === 0 && tenantCount === 0) {
      const list = exact.get(pattern) ?? [];
      list.push(item);
      exact.set(pattern, list);
      continue;
    }
    const leadingStar = starCount === 1 && tenantCount === 0 && pattern.startsWith('*');
    const leadingTenant =
      starCount === 0 && tenantCount === 1 && pattern.startsWith(TENANT_PLACEHOLDER);
    if (leadingStar || leadingTenant) {
      const tail = pattern.slice(leadingStar ? 1 : TENANT_PLACEHOLDER.length);
      const dot = tail.indexOf('.');
      if (dot !== -1 && dot < tail.length - 1) {
        const key = tail.slice(dot + 1);
        const list = suffix.get(key) ?? [];
        list.push({ tail, oneLabel: leadingTenant, item });
        suffix.set(key, list);
        suffixCount += 1;
        continue;
      }
    }
    const source = pattern
      .split(TENANT_PLACEHOLDER)
      .map((part) => part.split('*').map(escapeRegExp).join('.*'))
      .join('[a-z0-9-]+');
    others.push({ regex: new RegExp(`^${source}$`), item });
  }

  function match(host: string): readonly T[] {
    let found: T[] | undefined;
    const direct = exact.get(host);
    if (direct !== undefined) found = [...direct];
    // Walk the host's proper dot-suffixes: a.b.x.com → b.x.com, x.com, com.
    if (suffix.size > 0) {
      let dot = host.indexOf('.');
      while (dot !== -1) {
        const bucket = suffix.get(host.slice(dot + 1));
        if (bucket !== undefined) {
          for (const entry of bucket) {
            if (host.length >= entry.tail.length && host.endsWith(entry.tail)) {
              if (entry.oneLabel) {
                const head = host.slice(0, host.length - entry.tail.length);
                if (head === '' || head.includes('.')) continue;
              }
              (found ??= []).push(entry.item);
            }
          }
        }
        dot = host.indexOf('.', dot + 1);
      }
    }
    for (const other of others) {
      if (other.regex.test(host)) (found ??= []).push(other.item);
    }
    return found === undefined ? none : found.length > 1 ? sortItems(found) : found;
  }

  return {
    match,
    exactHosts: exact.size,
    suffixPatterns: suffixCount,
    otherPatterns: others.length,
  };
}
