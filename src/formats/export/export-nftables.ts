/**
 * `nftables`: one `nft -f` file (nft(8), "SETS" and "ELEMENTS"): a table `inet <name>` holding
 * one named interval set per (category, ports, family) bucket (`type ipv4_addr` / `ipv6_addr`,
 * `flags interval`, `auto-merge`: without auto-merge the kernel rejects overlapping intervals,
 * firewalld#1344) and one regular chain per category (`optimize`, `allow`, `default`) that
 * accepts each bucket's prefixes on its ports. Attach it from your own base chain:
 * `jump optimize` (the chain ends by returning, so later rules still apply to other traffic).
 *
 * The file starts with `table inet <name>` + `delete table inet <name>`: nft applies a file as
 * one transaction, so a reload replaces the whole table atomically and never leaves stale sets.
 * Host patterns are not carried (an nftables set holds addresses): they are counted in the header.
 */
import { originText } from '../../core/device-entry.js';
import {
  categoriesOf,
  checkName,
  commentBlock,
  headerLines,
  originOf,
  portsText,
  prefixCounts,
  textFile,
  type IpBucket,
} from './export-model.js';
import { addressSummary, bucketSelection } from './export-selection.js';
import type { ExportInput, ExportResult } from './export-types.js';

/** `{ 80, 443 }`, `443`, `{ 5061, 50000-59999 }` */
function nftPorts(text: string): string {
  const items = text.split(',');
  return items.length === 1 ? (items[0] ?? '') : `{ ${items.join(', ')} }`;
}

function setBlock(setName: string, bucket: IpBucket): string {
  const type = bucket.family === 4 ? 'ipv4_addr' : 'ipv6_addr';
  const lines = [
    `\tset ${setName} {`,
    `\t\ttype ${type}`,
    '\t\tflags interval',
    '\t\tauto-merge',
    `\t\tcomment "${bucket.label}, sets ${bucket.setIds.join(' ')}"`,
  ];
  if (bucket.prefixes.length > 0) {
    // A labelled entry (observed, grace, local) carries its origin as the element's comment
    // (generated text; nft limits a comment to 128 bytes).
    const elements = bucket.prefixes.map((cidr) => {
      const origin = originOf(bucket, cidr);
      return origin === undefined
        ? cidr.text
        : `${cidr.text} comment "${originText(origin).slice(0, 120)}"`;
    });
    lines.push(`\t\telements = {\n\t\t\t${elements.join(',\n\t\t\t')}\n\t\t}`);
  }
  lines.push('\t}');
  return lines.join('\n');
}

function ruleLines(setName: string, bucket: IpBucket): string[] {
  const match = `${bucket.family === 4 ? 'ip' : 'ip6'} daddr @${setName}`;
  const rules: string[] = [];
  if (bucket.tcp !== undefined)
    rules.push(`\t\t${match} tcp dport ${nftPorts(portsText(bucket.tcp))} accept`);
  if (bucket.udp !== undefined)
    rules.push(`\t\t${match} udp dport ${nftPorts(portsText(bucket.udp))} accept`);
  if (rules.length === 0) rules.push(`\t\t${match} accept`);
  return rules;
}

export function renderNftables(input: ExportInput): ExportResult {
  const name = checkName(input.name);
  const selection = bucketSelection('nftables', input);
  const buckets = selection.buckets;
  const names = new Map<IpBucket, string>();
  const counters = new Map<string, number>();
  for (const bucket of buckets) {
    const key = `${bucket.category.toLowerCase()}_v${bucket.family}`;
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    names.set(bucket, `${key}_${n}`);
  }
  const body: string[] = [];
  for (const bucket of buckets) body.push(setBlock(names.get(bucket) ?? '', bucket));
  for (const category of categoriesOf(buckets)) {
    const rules = buckets
      .filter((bucket) => bucket.category === category)
      .flatMap((bucket) => ruleLines(names.get(bucket) ?? '', bucket));
    body.push(`\tchain ${category.toLowerCase()} {\n${rules.join('\n')}\n\t}`);
  }
  const summary = addressSummary(input, selection, prefixCounts(buckets));
  const content =
    '#!/usr/sbin/nft -f\n' +
    commentBlock('#', [
      ...headerLines(summary, input),
      `Use: include this file from your ruleset, then add a base chain to table inet ${name}`,
      `that jumps to the category chains, e.g. chain forward { type filter hook forward priority 0; jump optimize; }.`,
      'Loading the file alone (nft -f) replaces the table atomically.',
    ]) +
    `\ntable inet ${name}\ndelete table inet ${name}\n\ntable inet ${name} {\n${body.join('\n\n')}\n}\n`;
  return {
    files: [textFile(`${name}.nft`, 'nftables ruleset (nft -f)', ['ipv4', 'ipv6'], content)],
    summary,
  };
}
