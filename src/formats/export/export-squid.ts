/**
 * `squid`: ACL files for Squid (squid.conf.documented, `acl ... dstdomain` / `dstdom_regex`)
 * plus an include file declaring the ACLs, per category:
 * - `<name>-optimize.dstdomain`: exact hosts (`outlook.office.com`) and `.domain` entries. Squid's
 *   `.x.com` matches x.com and every subdomain; there is no "subdomains only" form, so `*.x.com`
 *   (which in the data does NOT match the apex x.com, PAC shExpMatch semantics) is written
 *   as `.x.com` and so WIDENS to the apex. Decision: accept the widening (the apex of a Microsoft
 *   wildcard is Microsoft's own name, and the alternative, a regex per wildcard, costs Squid far
 *   more); every widened entry is listed in the include file's header and in `--json`.
 *   Squid warns about (and older versions refuse) overlapping entries in one ACL (`.x.com` plus
 *   `a.x.com`), so covered entries are collapsed and listed.
 * - `<name>-optimize.dstdom_regex`: patterns with a wildcard elsewhere (`*cdn.onenote.net`,
 *   `autodiscover.*.onmicrosoft.com`, `*-files.sharepoint.com`) as anchored regular expressions,
 *   `*` → `.*` (shExpMatch semantics: any run, dots included), used with `-i`.
 * - `<name>-acls.conf`: `acl <name>_optimize dstdomain "<dir>/<name>-optimize.dstdomain"` etc.;
 *   `include` it from squid.conf and use the ACLs in `http_access`/`ssl_bump`/`always_direct`.
 * IP prefixes are not carried (use `nftables`/`ipset`/`list` for them).
 */
import { CATEGORIES, type Category } from '../../core/endpoint-set.js';
import { IpurlError, describeValue } from '../../core/errors.js';
import { checkName, commentBlock, EntryLabels, headerLines, textFile } from './export-model.js';
import { hostRows, hostSummary, selectRows } from './export-selection.js';
import type {
  CollapsedEntry,
  ExportFile,
  ExportInput,
  ExportResult,
  ExportSummary,
} from './export-types.js';

const DIR = /^\/[A-Za-z0-9._/-]*$/;

function checkDir(dir: string): string {
  if (!DIR.test(dir) || dir.split('/').includes('..')) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `squid directory ${JSON.stringify(describeValue(dir))} is not valid: expected an absolute path of letters, digits, ".", "_", "-" and "/" without ".."`,
    );
  }
  return dir.endsWith('/') && dir.length > 1 ? dir.slice(0, -1) : dir;
}

/**
 * Anchored regex; a leading `*` drops the `^.*` (Squid 5 warns "unnecessary wildcard(s)" and
 * rewrites `^.*x$` to `x$` itself, which matches the same hosts).
 */
function toRegex(host: string): string {
  const body = host
    .split('*')
    .map((part) => part.replace(/\./g, '\\.'))
    .join('.*');
  return host.startsWith('*') ? body.slice(2) + '$' : `^${body}$`;
}

/** Parent domains of a host, nearest first: a.b.c → [b.c, c]. */
function parents(host: string): string[] {
  const labels = host.split('.');
  return labels.slice(1).map((_, i) => labels.slice(i + 1).join('.'));
}

export function renderSquid(input: ExportInput): ExportResult {
  const name = checkName(input.name);
  const dir = checkDir(input.squidDir);
  const selection = selectRows('squid', input);
  const labels = new EntryLabels();
  const exact = new Map<Category, Set<string>>();
  const suffix = new Map<Category, Set<string>>();
  const globs = new Map<Category, Set<string>>();
  const bucket = (map: Map<Category, Set<string>>, category: Category): Set<string> => {
    let set = map.get(category);
    if (set === undefined) map.set(category, (set = new Set()));
    return set;
  };
  for (const { row, shape } of hostRows(selection)) {
    if (shape.shape === 'exact') {
      bucket(exact, row.category).add(shape.host);
      labels.note(`${row.category} ${shape.host}`, row.origin);
    } else if (shape.shape === 'suffix') {
      bucket(suffix, row.category).add(shape.base);
      labels.note(`${row.category} .${shape.base}`, row.origin);
    } else {
      bucket(globs, row.category).add(shape.host);
      labels.note(`${row.category} ~${shape.host}`, row.origin);
    }
  }

  const collapsed: CollapsedEntry[] = [];
  const widened: string[] = [];
  const files: ExportFile[] = [];
  const acls: string[] = [];
  let written = 0;
  /**
   * One ACL data file of a category (its header, then each entry after its origin comment) and
   * the `acl` line declaring it; nothing when the category has no such entries.
   */
  const writeAcl = (
    category: Category,
    kind: 'dstdomain' | 'dstdom_regex',
    declaration: string,
    entries: readonly { readonly key: string; readonly line: string }[],
  ): void => {
    if (entries.length === 0) return;
    const file = `${name}-${category.toLowerCase()}.${kind}`;
    const lines = entries.flatMap(({ key, line }) => [
      ...labels.originLines('#', `${category} ${key}`),
      line,
    ]);
    files.push(
      textFile(
        file,
        `Squid ${kind} ACL file, ${category}`,
        ['url'],
        commentBlock('#', [
          `ipurl export: ${input.instance} version ${input.version}, ${category} ${kind} (see ${name}-acls.conf)`,
        ]) + lines.map((line) => `${line}\n`).join(''),
      ),
    );
    acls.push(`acl ${declaration} "${dir}/${file}"`);
    written += entries.length;
  };
  for (const category of CATEGORIES) {
    const acl = `${name}_${category.toLowerCase()}`;
    const bases = suffix.get(category) ?? new Set<string>();
    const hosts = exact.get(category) ?? new Set<string>();
    // A `.base` covered by a shorter `.base` goes; then hosts covered by a remaining `.base`.
    const keptBases = [...bases].filter((base) => {
      const cover = parents(base).find((p) => bases.has(p));
      if (cover !== undefined) collapsed.push({ value: `.${base}`, coveredBy: `.${cover}`, acl });
      return cover === undefined;
    });
    const kept = new Set(keptBases);
    const keptHosts = [...hosts].filter((host) => {
      const cover = [host, ...parents(host)].find((p) => kept.has(p));
      if (cover !== undefined) collapsed.push({ value: host, coveredBy: `.${cover}`, acl });
      return cover === undefined;
    });
    for (const base of keptBases) if (!hosts.has(base)) widened.push(base);
    const entries = [...keptHosts, ...keptBases.map((base) => `.${base}`)].sort((a, b) => {
      const ka = a.startsWith('.') ? a.slice(1) : a;
      const kb = b.startsWith('.') ? b.slice(1) : b;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    writeAcl(
      category,
      'dstdomain',
      `${acl} dstdomain`,
      entries.map((entry) => ({ key: entry, line: entry })),
    );
    const regexes = [...(globs.get(category) ?? [])].sort();
    writeAcl(
      category,
      'dstdom_regex',
      `${acl}_regex dstdom_regex -i`,
      regexes.map((host) => ({ key: `~${host}`, line: toRegex(host) })),
    );
  }
  const summary: ExportSummary = hostSummary(input, selection, written, {
    collapsed,
    widened: widened.sort(),
  });
  const include =
    commentBlock('#', [
      ...headerLines(summary, input),
      `Use: install the ACL files in ${dir}, add "include ${dir}/${name}-acls.conf" to squid.conf,`,
      `then refer to the ACLs, e.g. "always_direct allow ${name}_optimize".`,
    ]) + acls.map((line) => `${line}\n`).join('');
  files.unshift(
    textFile(`${name}-acls.conf`, 'squid.conf include declaring the ACLs', ['url'], include),
  );
  return { files, summary };
}
