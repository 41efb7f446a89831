/**
 * `ipset`: an `ipset restore` file (ipset(8): "restore", "swap", "destroy") with one `hash:net`
 * set per (category, family): `<name>-optimize-v4` (`family inet`), `<name>-optimize-v6`
 * (`family inet6`). Each set is rebuilt in a temporary set which is then swapped in and
 * destroyed, so rules using the set (`iptables -m set --match-set m365-optimize-v4 dst`) never
 * see it half-filled; creating the live set with `-exist` first makes the same file work on the
 * first load and every reload.
 *
 * Ports are not part of a hash:net set: the prefixes of every port bucket of the category are
 * written (each bucket aggregated on its own; exact duplicates between buckets removed). Set
 * names stay within ipset's 31 characters (IPSET_MAXNAMELEN 32 with the NUL): the name prefix is
 * at most 12 characters.
 */
import {
  categoryFamilyGroups,
  checkName,
  commentBlock,
  headerLines,
  originLines,
  originsOf,
  prefixCounts,
  textFile,
  type CategoryFamilyGroup,
} from './export-model.js';
import { addressSummary, bucketSelection } from './export-selection.js';
import type { ExportInput, ExportResult } from './export-types.js';

/**
 * hash:net holds 65536 entries by default. Options are written only when a list is larger:
 * `create -exist` fails when the existing set was made with other options, and after a swap the
 * live set carries the temporary set's options, so both are created identically.
 */
function sizeOptions(count: number): string {
  return count <= 65536 ? '' : ` maxelem ${2 ** Math.ceil(Math.log2(count))}`;
}

/**
 * One set's block: the live set and its temporary twin created, the twin filled, swapped in and
 * destroyed.
 */
function setBlock(name: string, group: CategoryFamilyGroup): string {
  const { category, family, buckets, prefixes } = group;
  const origins = originsOf(buckets);
  const live = `${name}-${category.toLowerCase()}-v${family}`;
  const temp = `${live}-tmp`;
  const fam = family === 4 ? 'inet' : 'inet6';
  const setIds = [...new Set(buckets.flatMap((b) => b.setIds))].sort((a, b) => a - b);
  return [
    `# ${category} IPv${family}: ${prefixes.length} prefixes from sets ${setIds.join(' ')}`,
    `create ${live} hash:net family ${fam}${sizeOptions(prefixes.length)} -exist`,
    `create ${temp} hash:net family ${fam}${sizeOptions(prefixes.length)} -exist`,
    `flush ${temp}`,
    ...prefixes.flatMap((cidr) => [
      ...originLines('#', origins.get(cidr.text)),
      `add ${temp} ${cidr.text}`,
    ]),
    `swap ${temp} ${live}`,
    `destroy ${temp}`,
  ].join('\n');
}

export function renderIpset(input: ExportInput): ExportResult {
  const name = checkName(input.name);
  const selection = bucketSelection('ipset', input);
  const groups = categoryFamilyGroups(selection.buckets);
  const summary = addressSummary(input, selection, prefixCounts(groups));
  const content =
    commentBlock('#', [
      ...headerLines(summary, input),
      'Load: ipset restore -f FILE (each set is filled aside, then swapped in atomically).',
    ]) +
    '\n' +
    groups.map((group) => `${setBlock(name, group)}\n`).join('\n');
  return {
    files: [textFile(`${name}.ipset`, 'ipset restore file', ['ipv4', 'ipv6'], content)],
    summary,
  };
}
