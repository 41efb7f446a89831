/**
 * `dnsmasq`: DNS-driven address sets (docs/formats.md "dnsmasq"). dnsmasq(8) `--nftset=/<domain>/
 * [(6|4)#[<family>#]<table>#<set>[,…]]` adds the addresses of every answer for a domain (and its
 * subdomains) to nftables sets; `--ipset=/<domain>/<ipset>[,…]` does the same for ipset. Two files:
 * `<name>.dnsmasq.conf` with one line per domain, and the file declaring the sets it fills:
 * `<name>-dnsmasq.nft` (default) or, with `ipset`, `<name>-dnsmasq.ipset`.
 *
 * - Sets per category and family (`optimize_v4`, `optimize_v6`, …) with a `timeout`, so an
 *   address Microsoft stops answering with ages out (default 1 day; dnsmasq re-adds an address
 *   each time a lookup returns it).
 * - The sets live in their own table `inet <name>_dns` (ipset: `<name>-dns-<category>-v4`), not in
 *   the `nftables` target's table: that file replaces its table atomically on reload, which would
 *   throw away every address dnsmasq has learned. Reloading this file keeps the learned addresses
 *   (set declarations are idempotent; the chains are flushed and refilled).
 * - dnsmasq matches a domain and all its subdomains. An exact host `outlook.office365.com` is
 *   written as the domain `outlook.office365.com` and also matches its subdomains; `*.office.com`
 *   is written as `office.com` and also matches `office.com` itself. Both over-matches are listed
 *   in the header. Wildcards inside a label (`*cdn.onenote.net`, `autodiscover.*.x.com` without a
 *   tenant) cannot be written and follow the unsupported policy.
 * - A domain in several categories is written once, in the highest one (Optimize > Allow >
 *   Default), and listed; dnsmasq uses the longest matching domain, so `outlook.office.com`
 *   (Optimize) wins over `office.com` (Default) for that name, as in the data.
 */
import { CATEGORIES, type Category } from '../../core/endpoint-set.js';
import { formatDuration } from '../../core/duration.js';
import { checkName, commentBlock, EntryLabels, headerLines, textFile } from './export-model.js';
import { hostRows, hostSummary, selectRows } from './export-selection.js';
import type { ExportInput, ExportResult } from './export-types.js';

export const DEFAULT_SET_TIMEOUT = 86_400;

/** dnsmasq matches whole domains (and their subdomains): a glob names none. */
const GLOB_REASON =
  'dnsmasq matches whole domains: a wildcard inside or after a label cannot be written';

interface Domain {
  readonly domain: string;
  category: Category;
  readonly patterns: Set<string>;
  readonly setIds: Set<number>;
  readonly others: Set<Category>;
}

export function renderDnsmasq(input: ExportInput): ExportResult {
  const name = checkName(input.name);
  const timeout = input.setTimeout ?? DEFAULT_SET_TIMEOUT;
  const selection = selectRows('dnsmasq', input);
  const labels = new EntryLabels();
  const domains = new Map<string, Domain>();
  for (const { row, shape } of hostRows(selection, GLOB_REASON)) {
    const domain = shape.shape === 'suffix' ? shape.base : shape.host;
    let entry = domains.get(domain);
    if (entry === undefined) {
      entry = {
        domain,
        category: row.category,
        patterns: new Set(),
        setIds: new Set(),
        others: new Set(),
      };
      domains.set(domain, entry);
    } else if (entry.category !== row.category) {
      const [high, low] =
        CATEGORIES.indexOf(row.category) < CATEGORIES.indexOf(entry.category)
          ? [row.category, entry.category]
          : [entry.category, row.category];
      entry.category = high;
      entry.others.add(low);
    }
    entry.patterns.add(shape.host);
    entry.setIds.add(row.setId);
    labels.note(domain, row.origin);
  }
  const sorted = [...domains.values()].sort(
    (a, b) =>
      CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) ||
      (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0),
  );
  const categories = CATEGORIES.filter((c) => sorted.some((d) => d.category === c));
  const table = `${name}_dns`;
  const nftSet = (c: Category, f: 4 | 6): string => `${c.toLowerCase()}_v${f}`;
  const ipsetName = (c: Category, f: 4 | 6): string => `${name}-dns-${c.toLowerCase()}-v${f}`;
  const lines = sorted.flatMap((d) => [
    ...labels.originLines('#', d.domain),
    input.ipset === true
      ? `ipset=/${d.domain}/${ipsetName(d.category, 4)},${ipsetName(d.category, 6)}`
      : `nftset=/${d.domain}/4#inet#${table}#${nftSet(d.category, 4)},6#inet#${table}#${nftSet(d.category, 6)}`,
  ]);

  const summary = hostSummary(input, selection, sorted.length);
  const overMatch: string[] = [];
  for (const d of sorted) {
    for (const pattern of [...d.patterns].sort()) {
      overMatch.push(
        pattern.startsWith('*.')
          ? `  ${pattern} written as ${d.domain}: also matches ${d.domain} itself`
          : `  ${pattern}: also matches every subdomain of ${pattern}`,
      );
    }
  }
  const merged = sorted
    .filter((d) => d.others.size > 0)
    .map((d) => `  ${d.domain}: ${d.category} (also ${[...d.others].join(', ')} in the data)`);
  const setsFile = input.ipset === true ? `${name}-dnsmasq.ipset` : `${name}-dnsmasq.nft`;
  const header = [
    ...headerLines(summary, input),
    `Load ${setsFile} first (the sets must exist), then add conf-file=PATH-OF-THIS-FILE to dnsmasq.conf and restart dnsmasq.`,
    `Addresses stay in a set for ${formatDuration(timeout)} after dnsmasq added them.`,
    ...(merged.length > 0 ? ['In several categories, written in the highest one:', ...merged] : []),
    `Over-match (dnsmasq matches a domain and all its subdomains): ${overMatch.length} entries`,
    ...overMatch,
  ];
  const conf = commentBlock('#', header) + lines.map((line) => `${line}\n`).join('');

  /** nft allows 128 characters in a comment: the set ids go into the comment line above. */
  const described = (c: Category, f: 4 | 6, withIds = false): string => {
    const chosen = sorted.filter((d) => d.category === c);
    const ids = [...new Set(chosen.flatMap((d) => [...d.setIds]))].sort((a, b) => a - b);
    return `${c} IPv${f}: addresses dnsmasq resolved for ${chosen.length} domains${withIds ? ` of sets ${ids.join(' ')}` : ''}`;
  };

  const setsContent =
    input.ipset === true
      ? renderIpsetSets(categories, ipsetName, timeout, described)
      : renderNftSets(name, table, categories, nftSet, timeout, described);
  const files = [
    textFile(
      `${name}.dnsmasq.conf`,
      input.ipset === true ? 'dnsmasq ipset= lines' : 'dnsmasq nftset= lines',
      ['url'],
      conf,
    ),
    textFile(
      setsFile,
      input.ipset === true
        ? 'ipset restore file declaring the sets dnsmasq fills'
        : 'nftables file declaring the sets dnsmasq fills (nft -f)',
      ['url'],
      (input.ipset === true ? '' : '#!/usr/sbin/nft -f\n') +
        commentBlock('#', [
          `Generated by ipurl export: ${summary.instance} version ${summary.version}, target dnsmasq`,
          `The sets ${name}.dnsmasq.conf fills; reloading keeps the addresses already learned.`,
        ]) +
        setsContent,
    ),
  ];
  return { files, summary };
}

function renderNftSets(
  name: string,
  table: string,
  categories: readonly Category[],
  setName: (c: Category, f: 4 | 6) => string,
  timeout: number,
  described: (c: Category, f: 4 | 6, withIds?: boolean) => string,
): string {
  const sets: string[] = [];
  const chains: string[] = [];
  for (const c of categories) {
    for (const f of [4, 6] as const) {
      sets.push(
        [
          `\t# ${described(c, f, true)}`,
          `\tset ${setName(c, f)} {`,
          `\t\ttype ${f === 4 ? 'ipv4_addr' : 'ipv6_addr'}`,
          '\t\tflags timeout',
          `\t\ttimeout ${timeout}s`,
          `\t\tcomment "${described(c, f)}"`,
          '\t}',
        ].join('\n'),
      );
    }
    chains.push(c.toLowerCase());
  }
  const declare = chains.map((chain) => `\tchain ${chain} {\n\t}`);
  const rules = categories.map(
    (c) =>
      `\tchain ${c.toLowerCase()} {\n\t\tip daddr @${setName(c, 4)} accept\n\t\tip6 daddr @${setName(c, 6)} accept\n\t}`,
  );
  return (
    '# Use: jump to the category chains from a base chain of this table, e.g.\n' +
    `# table inet ${table} { chain forward { type filter hook forward priority 0; jump optimize; } }\n` +
    `# (sets are table-scoped: the nftables target's table inet ${name} cannot use them).\n` +
    `\ntable inet ${table} {\n${[...sets, ...declare].join('\n')}\n}\n` +
    chains.map((chain) => `flush chain inet ${table} ${chain}\n`).join('') +
    `table inet ${table} {\n${rules.join('\n')}\n}\n`
  );
}

function renderIpsetSets(
  categories: readonly Category[],
  setName: (c: Category, f: 4 | 6) => string,
  timeout: number,
  described: (c: Category, f: 4 | 6, withIds?: boolean) => string,
): string {
  const blocks = categories.flatMap((c) =>
    ([4, 6] as const).map(
      (f) =>
        `# ${described(c, f, true)}\ncreate ${setName(c, f)} hash:ip family ${f === 4 ? 'inet' : 'inet6'} timeout ${timeout} -exist\n`,
    ),
  );
  return (
    '# Load: ipset restore -exist -f FILE (creates missing sets, keeps learned addresses).\n' +
    `# Use: iptables -A FORWARD -m set --match-set ${categories[0] !== undefined ? setName(categories[0], 4) : 'SET'} dst -j ACCEPT\n\n` +
    blocks.join('\n')
  );
}
