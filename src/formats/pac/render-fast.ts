/**
 * The default `fast` PAC style: the same decisions as Get-PacFile (a host goes direct
 * when it matches a direct pattern and no override pattern), evaluated with lookup tables.
 *
 * Get-PacFile tests a host with one `shExpMatch` per pattern; engines implement shExpMatch by
 * building a RegExp per call, which makes a 70-pattern PAC tens of times slower than an empty one
 * (bench/pac). Here every pattern is placed in one of four tables, built once when the PAC loads:
 *
 * - exact host names: one property lookup;
 * - `*.example.com`: keyed by `.example.com`, found by walking the host's dots (a glob `*` may match
 *   dots and the empty string, so "ends with `.example.com`" is exactly the glob, and as in
 *   Get-PacFile's shExpMatch the bare apex does not match);
 * - other globs (`*-files.sharepoint.com`, `autodiscover.*.onmicrosoft.com`, `*cdn.onenote.net`):
 *   keyed by the dotted tail after their last wildcard (every matching host ends with it), so they
 *   are tested only for hosts in that domain, by plain string comparisons on the `*`-separated
 *   segments; a pattern with `?` falls back to shExpMatch;
 * - globs without a dotted tail: tested for every host (none in Microsoft's data).
 *
 * Each entry carries flags: 1 = direct pattern, 2 = override pattern. The answer is direct exactly
 * when the flags of everything the host matched are 1. The exact-host lookup uses hasOwnProperty,
 * so hosts such as `constructor`, `__proto__` or SpiderMonkey's `__count__` cannot hit inherited
 * properties; a pattern that is literally `__proto__` (an object literal cannot hold that key)
 * goes to the glob list instead. Suffix and glob keys all start with ".", which no inherited
 * property name does, so those lookups are plain reads (one function call less per dot).
 *
 * The output is ES3: PAC engines embed old JavaScript (pacparser: SpiderMonkey 1.7, no JSON, no
 * String.prototype.endsWith); no trailing commas, only `var`, `indexOf` and `substring`.
 */
import { jsString } from './js-string.js';
import type { PacLists, PacType } from './pac-lists.js';

const FLAG_DIRECT = 1;
const FLAG_OVERRIDE = 2;

/** One glob entry: flags and the `*`-separated segments, or flags and a shExpMatch pattern. */
export type GlobEntry =
  | { readonly flags: number; readonly segments: readonly string[] }
  | { readonly flags: number; readonly shExp: string };

export interface FastTables {
  readonly exact: ReadonlyMap<string, number>;
  readonly suffix: ReadonlyMap<string, number>;
  readonly globByTail: ReadonlyMap<string, GlobEntry[]>;
  readonly globAny: readonly GlobEntry[];
}

/** Sort every pattern of the two lists into the four tables. */
export function buildFastTables(lists: PacLists): FastTables {
  return buildFlagTables([
    ...lists.direct.map((pattern) => [pattern, FLAG_DIRECT] as const),
    ...lists.override.map((pattern) => [pattern, FLAG_OVERRIDE] as const),
  ]);
}

/** Sort patterns, each with its flag bits (OR-ed when a pattern comes twice), into the tables. */
export function buildFlagTables(entries: Iterable<readonly [string, number]>): FastTables {
  const exact = new Map<string, number>();
  const suffix = new Map<string, number>();
  const globs = new Map<string, GlobEntry>();
  const add = (pattern: string, flag: number): void => {
    const wild = /[*?]/.exec(pattern);
    if (wild === null && pattern !== '__proto__') {
      exact.set(pattern, (exact.get(pattern) ?? 0) | flag);
    } else if (pattern.startsWith('*.') && !/[*?]/.test(pattern.slice(1))) {
      const key = pattern.slice(1);
      suffix.set(key, (suffix.get(key) ?? 0) | flag);
    } else {
      const existing = globs.get(pattern);
      const flags = (existing?.flags ?? 0) | flag;
      globs.set(
        pattern,
        pattern.includes('?') || wild === null
          ? { flags, shExp: pattern }
          : { flags, segments: pattern.split('*') },
      );
    }
  };
  for (const [pattern, flag] of entries) add(pattern, flag);

  const globByTail = new Map<string, GlobEntry[]>();
  const globAny: GlobEntry[] = [];
  for (const [pattern, entry] of globs) {
    const tail = pattern.slice(Math.max(pattern.lastIndexOf('*'), pattern.lastIndexOf('?')) + 1);
    const dot = tail.indexOf('.');
    if (dot === -1) {
      globAny.push(entry);
    } else {
      const key = tail.slice(dot);
      const list = globByTail.get(key) ?? [];
      list.push(entry);
      globByTail.set(key, list);
    }
  }
  return { exact, suffix, globByTail, globAny };
}

export interface FastTextOptions {
  readonly type: PacType;
  readonly direct: string;
  readonly proxy: string;
  readonly lowercase: boolean;
  /** Named in the header comment when known. */
  readonly source?: { readonly instance: string; readonly version: string };
}

const INDENT = '    ';

function objectLiteral<T>(entries: ReadonlyMap<string, T>, value: (v: T) => string): string {
  if (entries.size === 0) return '{}';
  const lines = [...entries].map(([key, v]) => `${INDENT}${jsString(key)}: ${value(v)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

function globLiteral(entry: GlobEntry): string {
  const parts = 'shExp' in entry ? [entry.shExp] : entry.segments;
  return `[${entry.flags}, ${parts.map(jsString).join(', ')}]`;
}

function globList(entries: readonly GlobEntry[], indent: string): string {
  if (entries.length === 0) return '[]';
  return `[\n${entries.map((entry) => `${indent}${INDENT}${globLiteral(entry)}`).join(',\n')}\n${indent}]`;
}

export function renderFast(lists: PacLists, options: FastTextOptions): string {
  const what =
    options.type === 1 ? 'Optimize endpoints go direct' : 'Optimize and Allow endpoints go direct';
  const from =
    options.source === undefined
      ? ''
      : ` from ${options.source.instance} version ${options.source.version}`;
  return emitFast(buildFastTables(lists), {
    header: [
      `// Microsoft 365 PAC file${from}, generated by ipurl (fast style).`,
      `// Type ${options.type}: ${what}; everything else goes to the proxy. Same decisions as`,
      '// Get-PacFile 1.0.4, evaluated with lookup tables instead of a chain of shExpMatch calls.',
      '// No DNS lookups.',
      `var direct = ${jsString(options.direct)};`,
      `var proxyServer = ${jsString(options.proxy)};`,
      '',
      '// Flags: 1 = direct pattern, 2 = override pattern (proxy even under a direct wildcard).',
    ],
    decision: ['    return f === 1 ? direct : proxyServer;'],
    lowercase: options.lowercase,
  });
}

export interface FastParts {
  /** Comment and variable lines before the tables (generated text, values through jsString). */
  readonly header: readonly string[];
  /** The last lines of FindProxyForURL, given `f` = the OR of every matched pattern's flags. */
  readonly decision: readonly string[];
  readonly lowercase: boolean;
}

/** The fast-style program around four tables (shared by the type and the routed PACs). */
export function emitFast(tables: FastTables, parts: FastParts): string {
  const hasTailGlobs = tables.globByTail.size > 0;
  const hasAnyGlobs = tables.globAny.length > 0;
  const hasGlobs = hasTailGlobs || hasAnyGlobs;
  const lines: string[] = [
    ...parts.header,
    'var ipurlHas = Object.prototype.hasOwnProperty;',
    '// Exact host names.',
    `var ipurlExact = ${objectLiteral(tables.exact, String)};`,
    '// "*.example.com" patterns, keyed by ".example.com".',
    `var ipurlSuffix = ${objectLiteral(tables.suffix, String)};`,
  ];
  if (hasTailGlobs) {
    lines.push(
      '// Other wildcard patterns as [flags, segments between "*"...] or [flags, shExpMatch pattern],',
      '// keyed by the dotted tail every matching host ends with.',
      `var ipurlGlob = ${objectLiteral(tables.globByTail, (entries) => globList(entries, INDENT))};`,
    );
  }
  if (hasAnyGlobs) {
    lines.push(
      '// Wildcard patterns without a dotted tail: tested for every host.',
      `var ipurlGlobAny = ${globList(tables.globAny, '')};`,
    );
  }
  if (hasGlobs) {
    lines.push(
      '',
      'function ipurlSegments(h, g) {',
      '    var first = g[1], last = g[g.length - 1], end = h.length - last.length;',
      '    if (end < first.length || h.substring(0, first.length) !== first || h.substring(end) !== last) return false;',
      '    var pos = first.length;',
      '    for (var k = 2; k < g.length - 1; k++) {',
      '        var at = h.indexOf(g[k], pos);',
      '        if (at < 0 || at + g[k].length > end) return false;',
      '        pos = at + g[k].length;',
      '    }',
      '    return true;',
      '}',
      '',
      'function ipurlGlobs(h, globs) {',
      '    var f = 0;',
      '    for (var n = 0; n < globs.length; n++) {',
      '        var g = globs[n];',
      '        if (g.length === 2 ? shExpMatch(h, g[1]) : ipurlSegments(h, g)) f |= g[0];',
      '    }',
      '    return f;',
      '}',
    );
  }
  lines.push(
    '',
    'function FindProxyForURL(url, host) {',
    `    var h = ${parts.lowercase ? 'host.toLowerCase()' : 'host'};`,
    '    var f = ipurlHas.call(ipurlExact, h) ? ipurlExact[h] : 0;',
    '    for (var i = h.indexOf("."); i >= 0; i = h.indexOf(".", i + 1)) {',
    '        var s = h.substring(i);',
    '        if (ipurlSuffix[s]) f |= ipurlSuffix[s];',
  );
  if (hasTailGlobs) lines.push('        if (ipurlGlob[s]) f |= ipurlGlobs(h, ipurlGlob[s]);');
  lines.push('    }');
  if (hasAnyGlobs) lines.push('    f |= ipurlGlobs(h, ipurlGlobAny);');
  lines.push(...parts.decision, '}', '');
  return lines.join('\n');
}
