/**
 * `iptables`: two `iptables-restore` / `ip6tables-restore` files (iptables-restore(8)) for the
 * `filter` table, one chain per category (`<NAME>-OPTIMIZE`, `<NAME>-ALLOW`, `<NAME>-DEFAULT`):
 * an ACCEPT rule per (prefix, protocol) with the bucket's destination ports, and a final RETURN
 * so traffic that matches nothing goes back to the calling chain.
 *
 * Load with `iptables-restore --noflush FILE`: `--noflush` keeps every other chain, while
 * declaring a chain (`:<NAME>-OPTIMIZE - [0:0]`) empties it first, so a reload replaces exactly
 * these chains in one commit. Then jump to them, e.g. `iptables -A FORWARD -j M365-OPTIMIZE`.
 * Ports use `-m multiport --dports` (at most 15 ports per rule, a range counting two: iptables-
 * extensions(8)); longer lists are split over several rules. Host patterns are not carried.
 */
import type { IpFamily } from '../../core/cidr.js';
import type { PortList } from '../../core/port-list.js';
import {
  categoriesOf,
  checkName,
  commentBlock,
  headerLines,
  originLines,
  originOf,
  prefixCounts,
  textFile,
} from './export-model.js';
import { addressSummary, bucketSelection } from './export-selection.js';
import type { ExportInput, ExportResult } from './export-types.js';

/** multiport groups: `80,443`, `5061,50000:59999`, at most 15 ports each. */
function multiportGroups(list: PortList): string[] {
  const groups: string[][] = [];
  let current: string[] = [];
  let weight = 0;
  for (const range of list.ranges) {
    const item = range.from === range.to ? `${range.from}` : `${range.from}:${range.to}`;
    const w = range.from === range.to ? 1 : 2;
    if (weight + w > 15) {
      groups.push(current);
      current = [];
      weight = 0;
    }
    current.push(item);
    weight += w;
  }
  if (current.length > 0) groups.push(current);
  return groups.map((group) => group.join(','));
}

export function renderIptables(input: ExportInput): ExportResult {
  const name = checkName(input.name).toUpperCase();
  const selection = bucketSelection('iptables', input);
  const buckets = selection.buckets;
  const summary = addressSummary(input, selection, prefixCounts(buckets));
  const file = (family: IpFamily): string => {
    const mine = buckets.filter((b) => b.family === family);
    const chains = categoriesOf(mine).map((category) => `${name}-${category.toUpperCase()}`);
    const lines: string[] = ['*filter', ...chains.map((chain) => `:${chain} - [0:0]`)];
    for (const category of categoriesOf(mine)) {
      const chain = `${name}-${category.toUpperCase()}`;
      for (const bucket of mine.filter((b) => b.category === category)) {
        const matches: string[] = [];
        for (const [proto, list] of [
          ['tcp', bucket.tcp],
          ['udp', bucket.udp],
        ] as const) {
          if (list === undefined) continue;
          for (const group of multiportGroups(list))
            matches.push(`-p ${proto} -m multiport --dports ${group}`);
        }
        if (matches.length === 0) matches.push('');
        for (const cidr of bucket.prefixes) {
          lines.push(...originLines('#', originOf(bucket, cidr)));
          for (const match of matches) {
            lines.push(`-A ${chain} -d ${cidr.text}${match === '' ? '' : ` ${match}`} -j ACCEPT`);
          }
        }
      }
      lines.push(`-A ${chain} -j RETURN`);
    }
    lines.push('COMMIT');
    const tool = family === 4 ? 'iptables-restore' : 'ip6tables-restore';
    return (
      commentBlock('#', [
        ...headerLines(summary, input),
        `This file: IPv${family}. Load: ${tool} --noflush FILE, then jump to ${chains.join(', ') || 'the chains'} from your own chains.`,
      ]) + `${lines.join('\n')}\n`
    );
  };
  return {
    files: [
      textFile(`${input.name}.iptables`, 'iptables-restore file (IPv4)', ['ipv4'], file(4)),
      textFile(`${input.name}.ip6tables`, 'ip6tables-restore file (IPv6)', ['ipv6'], file(6)),
    ],
    summary,
  };
}
