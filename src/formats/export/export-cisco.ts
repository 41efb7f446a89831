/**
 * `cisco`: Cisco ASA / FTD (FlexConfig) `object-group network` definitions, one per (category,
 * family): `<NAME>-OPTIMIZE-V4`, `<NAME>-OPTIMIZE-V6` (ASA command reference, "object-group
 * network", "network-object"). IPv4 prefixes use dotted masks (`network-object 13.107.6.152
 * 255.255.255.252`), single addresses `network-object host 52.108.0.1`; IPv6 uses prefix length
 * (`network-object 2603:1006::/40`, `network-object host 2620:1ec:a92::153`).
 * Ports are not part of a network object-group: every port bucket of the category is written
 * (each aggregated on its own, exact duplicates removed). Host patterns are not carried.
 * Empty groups are not written (FMC refuses empty objects). Pasting the file adds entries; an
 * entry removed from the data must be removed with `no network-object` (the header says so).
 */
import type { Cidr, IpFamily } from '../../core/cidr.js';
import { CATEGORIES } from '../../core/endpoint-set.js';
import {
  UnsupportedCollector,
  bucketIps,
  bucketOptions,
  buildRows,
  checkName,
  commentBlock,
  countKinds,
  headerLines,
  makeSummary,
  unionPrefixes,
} from './export-model.js';
import type { ExportInput, ExportResult } from './export-types.js';

function dottedMask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff).join('.');
}

function networkObject(cidr: Cidr): string {
  const address = cidr.text.slice(0, cidr.text.indexOf('/'));
  if (cidr.family === 4) {
    return cidr.prefix === 32
      ? ` network-object host ${address}`
      : ` network-object ${address} ${dottedMask(cidr.prefix)}`;
  }
  return cidr.prefix === 128 ? ` network-object host ${address}` : ` network-object ${cidr.text}`;
}

export function renderCisco(input: ExportInput): ExportResult {
  const name = checkName(input.name).toUpperCase();
  const rows = buildRows(input.sets, input.labelled);
  const unsupported = new UnsupportedCollector('cisco', input.onUnsupported);
  const { buckets, merges, capacity } = bucketIps(rows, bucketOptions(input), unsupported);
  const groups: string[] = [];
  const written = { ipv4: 0, ipv6: 0, url: 0 };
  for (const category of CATEGORIES) {
    for (const family of [4, 6] as IpFamily[]) {
      const chosen = buckets.filter((b) => b.category === category && b.family === family);
      const prefixes = unionPrefixes(chosen);
      if (prefixes.length === 0) continue;
      written[family === 4 ? 'ipv4' : 'ipv6'] += prefixes.length;
      groups.push(
        [
          `object-group network ${name}-${category.toUpperCase()}-V${family}`,
          ` description ipurl ${input.instance} ${input.version} ${category} IPv${family}`,
          ...prefixes.map(networkObject),
        ].join('\n'),
      );
    }
  }
  const summary = makeSummary('cisco', input, rows, unsupported, {
    written,
    merges,
    capacity,
    notCarried: { url: countKinds(rows).url },
  });
  const content =
    commentBlock('!', [
      ...headerLines(summary, input),
      'Paste in configuration mode. Entries no longer published are not removed by pasting:',
      'remove them with: no network-object ... (or recreate the group).',
    ]) + groups.map((group) => `${group}\n`).join('!\n');
  return {
    files: [
      {
        name: `${input.name}.asa.txt`,
        mediaType: 'text/plain; charset=utf-8',
        description: 'Cisco ASA/FTD object-groups',
        kinds: ['ipv4', 'ipv6'],
        content,
      },
    ],
    summary,
  };
}
