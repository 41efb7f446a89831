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
import type { Cidr } from '../../core/cidr.js';
import {
  categoryFamilyGroups,
  checkName,
  commentBlock,
  headerLines,
  prefixCounts,
  textFile,
} from './export-model.js';
import { ipv4Mask, networkText } from './export-routes-model.js';
import { addressSummary, bucketSelection } from './export-selection.js';
import type { ExportInput, ExportResult } from './export-types.js';

function networkObject(cidr: Cidr): string {
  const address = networkText(cidr);
  if (cidr.family === 4) {
    return cidr.prefix === 32
      ? ` network-object host ${address}`
      : ` network-object ${address} ${ipv4Mask(cidr.prefix)}`;
  }
  return cidr.prefix === 128 ? ` network-object host ${address}` : ` network-object ${cidr.text}`;
}

export function renderCisco(input: ExportInput): ExportResult {
  const name = checkName(input.name).toUpperCase();
  const selection = bucketSelection('cisco', input);
  // FMC refuses empty objects: a group without prefixes is not written.
  const groups = categoryFamilyGroups(selection.buckets).filter((g) => g.prefixes.length > 0);
  const summary = addressSummary(input, selection, prefixCounts(groups));
  const content =
    commentBlock('!', [
      ...headerLines(summary, input),
      'Paste in configuration mode. Entries no longer published are not removed by pasting:',
      'remove them with: no network-object ... (or recreate the group).',
    ]) +
    groups
      .map(({ category, family, prefixes }) =>
        [
          `object-group network ${name}-${category.toUpperCase()}-V${family}`,
          ` description ipurl ${input.instance} ${input.version} ${category} IPv${family}`,
          ...prefixes.map(networkObject),
        ].join('\n'),
      )
      .map((group) => `${group}\n`)
      .join('!\n');
  return {
    files: [
      textFile(`${input.name}.asa.txt`, 'Cisco ASA/FTD object-groups', ['ipv4', 'ipv6'], content),
    ],
    summary,
  };
}
