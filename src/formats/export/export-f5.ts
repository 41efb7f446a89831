/**
 * `f5`: BIG-IP external data group files (tmsh `sys file data-group`, then `ltm data-group
 * external`): `<name>_urls` (type string) and `<name>_ipv4` / `<name>_ipv6` (type ip). Records:
 *   "outlook.office.com" := "Optimize",      string key, value = category
 *   ".office.com" := "Optimize",             `*.office.com`: the key is the suffix with its dot
 *   network 13.107.6.152/30 := "Optimize",   prefix
 *   host 52.108.0.1 := "Optimize",           a /32 or /128
 * Keys in a data group are unique, so an entry published in several categories gets the highest one
 * (Optimize > Allow > Default, Microsoft's priority rule). Suffix keys keep the data's semantics
 * when the iRule looks up the host and then each parent suffix with its leading dot (`.office.com`
 * matches `a.office.com`, never the apex `office.com`); see docs/formats.md for the iRule.
 * Mid-label wildcards cannot be expressed as keys and follow the unsupported policy.
 * External data group files have no comment syntax: the summary is reported, not embedded.
 */
import type { Cidr } from '../../core/cidr.js';
import { CATEGORIES, type Category } from '../../core/endpoint-set.js';
import { checkName, makeSummary, textFile } from './export-model.js';
import { bucketSelection, hostRows } from './export-selection.js';
import type { ExportInput, ExportResult } from './export-types.js';

const rank = (category: Category): number => CATEGORIES.indexOf(category);

/** Why a glob cannot be written: only `*.` prefixes map to a `.suffix` key. */
const GLOB_REASON =
  'a wildcard inside or after a label cannot be a data-group key (only "*." prefixes map to a ".suffix" key)';

export function renderF5(input: ExportInput): ExportResult {
  const name = checkName(input.name);
  const selection = bucketSelection('f5', input);
  const { rows, unsupported, buckets } = selection;
  const keys = new Map<string, Category>();
  for (const { row, shape } of hostRows(selection, GLOB_REASON)) {
    const key = shape.shape === 'exact' ? shape.host : `.${shape.base}`;
    const previous = keys.get(key);
    if (previous === undefined || rank(row.category) < rank(previous)) keys.set(key, row.category);
  }
  const addresses = (family: 4 | 6): string => {
    const best = new Map<string, { cidr: Cidr; category: Category }>();
    for (const bucket of buckets) {
      if (bucket.family !== family) continue;
      for (const cidr of bucket.prefixes) {
        const previous = best.get(cidr.text);
        if (previous === undefined || rank(bucket.category) < rank(previous.category)) {
          best.set(cidr.text, { cidr, category: bucket.category });
        }
      }
    }
    const full = family === 4 ? 32 : 128;
    return [...best.values()]
      .sort((a, b) =>
        a.cidr.network < b.cidr.network
          ? -1
          : a.cidr.network > b.cidr.network
            ? 1
            : a.cidr.prefix - b.cidr.prefix,
      )
      .map(({ cidr, category }) =>
        cidr.prefix === full
          ? `host ${cidr.text.slice(0, cidr.text.indexOf('/'))} := "${category}",\n`
          : `network ${cidr.text} := "${category}",\n`,
      )
      .join('');
  };
  const urlContent = [...keys.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, category]) => `"${key}" := "${category}",\n`)
    .join('');
  const ipv4 = addresses(4);
  const ipv6 = addresses(6);
  const count = (text: string): number => (text === '' ? 0 : text.split('\n').length - 1);
  return {
    files: [
      textFile(
        `${name}_urls`,
        'F5 external data group, type string (hosts and .suffixes)',
        ['url'],
        urlContent,
      ),
      textFile(`${name}_ipv4`, 'F5 external data group, type ip (IPv4)', ['ipv4'], ipv4),
      textFile(`${name}_ipv6`, 'F5 external data group, type ip (IPv6)', ['ipv6'], ipv6),
    ],
    summary: makeSummary('f5', input, rows, unsupported, {
      written: { url: keys.size, ipv4: count(ipv4), ipv6: count(ipv6) },
      merges: selection.merges,
      capacity: selection.capacity,
    }),
  };
}
