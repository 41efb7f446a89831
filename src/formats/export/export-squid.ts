/**
 * `squid`: ACL files for Squid (squid.conf.documented, `acl ... dstdomain` / `dstdom_regex`)
 * plus an include file declaring the ACLs, per category:
 * - `<name>-optimize.dstdomain`: exact hosts (`outlook.office.com`) and `.domain` entries. Squid's
 *   `.x.com` matches x.com and every subdomain; there is no "subdomains only" form, so `*.x.com`
 *   (which in the data does NOT match the apex x.com, SPEC §4.4 shExpMatch semantics) is written
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
import {
  EntryLabels,
  originLines,
  UnsupportedCollector,
  buildRows,
  checkName,
  classifyHost,
  commentBlock,
  countKinds,
  headerLines,
  makeSummary,
} from './export-model.js';
import type { ExportFile, ExportInput, ExportResult, ExportSummary } from './export-types.js';

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
  const rows = buildRows(input.sets, input.labelled);
  const labels = new EntryLabels();
  const unsupported = new UnsupportedCollector('squid', input.onUnsupported);
  const exact = new Map<Category, Set<string>>();
  const suffix = new Map<Category, Set<string>>();
  const globs = new Map<Category, Set<string>>();
  const bucket = (map: Map<Category, Set<string>>, category: Category): Set<string> => {
    let set = map.get(category);
    if (set === undefined) map.set(category, (set = new Set()));
    return set;
  };
  for (const row of rows) {
    if (row.kind !== 'url') continue;
    const shape = classifyHost(row.value);
    if (shape.shape === 'invalid') {
      unsupported.add({ setId: row.setId, kind: 'url', value: row.value, reason: shape.reason });
    } else if (shape.shape === 'exact') {
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

  const collapsed: { value: string; coveredBy: string; acl: string }[] = [];
  const widened: string[] = [];
  const files: ExportFile[] = [];
  const acls: string[] = [];
  let written = 0;
  const dataHeader = (category: Category, kind: string): string =>
    commentBlock('#', [
      `ipurl export: ${input.instance} version ${input.version}, ${category} ${kind} (see ${name}-acls.conf)`,
    ]);
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
    if (entries.length > 0) {
      const file = `${name}-${category.toLowerCase()}.dstdomain`;
      files.push({
        name: file,
        mediaType: 'text/plain; charset=utf-8',
        description: `Squid dstdomain ACL file, ${category}`,
        kinds: ['url'],
        content:
          dataHeader(category, 'dstdomain') +
          entries
            .flatMap((e) => [...originLines('#', labels.get(`${category} ${e}`)), e])
            .map((line) => `${line}\n`)
            .join(''),
      });
      acls.push(`acl ${acl} dstdomain "${dir}/${file}"`);
      written += entries.length;
    }
    const regexes = [...(globs.get(category) ?? [])].sort();
    if (regexes.length > 0) {
      const file = `${name}-${category.toLowerCase()}.dstdom_regex`;
      files.push({
        name: file,
        mediaType: 'text/plain; charset=utf-8',
        description: `Squid dstdom_regex ACL file, ${category}`,
        kinds: ['url'],
        content:
          dataHeader(category, 'dstdom_regex') +
          regexes
            .flatMap((host) => [
              ...originLines('#', labels.get(`${category} ~${host}`)),
              toRegex(host),
            ])
            .map((line) => `${line}\n`)
            .join(''),
      });
      acls.push(`acl ${acl}_regex dstdom_regex -i "${dir}/${file}"`);
      written += regexes.length;
    }
  }
  const summary: ExportSummary = makeSummary('squid', input, rows, unsupported, {
    written: { url: written, ipv4: 0, ipv6: 0 },
    collapsed,
    widened: widened.sort(),
    notCarried: { ipv4: countKinds(rows).ipv4, ipv6: countKinds(rows).ipv6 },
  });
  const include =
    commentBlock('#', [
      ...headerLines(summary, input),
      `Use: install the ACL files in ${dir}, add "include ${dir}/${name}-acls.conf" to squid.conf,`,
      `then refer to the ACLs, e.g. "always_direct allow ${name}_optimize".`,
    ]) + acls.map((line) => `${line}\n`).join('');
  files.unshift({
    name: `${name}-acls.conf`,
    mediaType: 'text/plain; charset=utf-8',
    description: 'squid.conf include declaring the ACLs',
    kinds: ['url'],
    content: include,
  });
  return { files, summary };
}
