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
import type { IpFamily } from '../../core/cidr.js';
import { CATEGORIES } from '../../core/endpoint-set.js';
import {
  originLines,
  originsOf,
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

/**
 * hash:net holds 65536 entries by default. Options are written only when a list is larger:
 * `create -exist` fails when the existing set was made with other options, and after a swap the
 * live set carries the temporary set's options, so both are created identically.
 */
function sizeOptions(count: number): string {
  return count <= 65536 ? '' : ` maxelem ${2 ** Math.ceil(Math.log2(count))}`;
}

export function renderIpset(input: ExportInput): ExportResult {
  const name = checkName(input.name);
  const rows = buildRows(input.sets, input.labelled);
  const unsupported = new UnsupportedCollector('ipset', input.onUnsupported);
  const { buckets, merges, capacity } = bucketIps(rows, bucketOptions(input), unsupported);
  const blocks: string[] = [];
  const written = { ipv4: 0, ipv6: 0, url: 0 };
  for (const category of CATEGORIES) {
    for (const family of [4, 6] as IpFamily[]) {
      const chosen = buckets.filter((b) => b.category === category && b.family === family);
      if (chosen.length === 0) continue;
      const prefixes = unionPrefixes(chosen);
      const origins = originsOf(chosen);
      written[family === 4 ? 'ipv4' : 'ipv6'] += prefixes.length;
      const live = `${name}-${category.toLowerCase()}-v${family}`;
      const temp = `${live}-tmp`;
      const fam = family === 4 ? 'inet' : 'inet6';
      blocks.push(
        [
          `# ${category} IPv${family}: ${prefixes.length} prefixes from sets ${[...new Set(chosen.flatMap((b) => b.setIds))].sort((a, b) => a - b).join(' ')}`,
          `create ${live} hash:net family ${fam}${sizeOptions(prefixes.length)} -exist`,
          `create ${temp} hash:net family ${fam}${sizeOptions(prefixes.length)} -exist`,
          `flush ${temp}`,
          ...prefixes.flatMap((cidr) => [
            ...originLines('#', origins.get(cidr.text)),
            `add ${temp} ${cidr.text}`,
          ]),
          `swap ${temp} ${live}`,
          `destroy ${temp}`,
        ].join('\n'),
      );
    }
  }
  const summary = makeSummary('ipset', input, rows, unsupported, {
    written,
    merges,
    capacity,
    notCarried: { url: countKinds(rows).url },
  });
  const content =
    commentBlock('#', [
      ...headerLines(summary, input),
      'Load: ipset restore -f FILE (each set is filled aside, then swapped in atomically).',
    ]) +
    '\n' +
    blocks.map((block) => `${block}\n`).join('\n');
  return {
    files: [
      {
        name: `${name}.ipset`,
        mediaType: 'text/plain; charset=utf-8',
        description: 'ipset restore file',
        kinds: ['ipv4', 'ipv6'],
        content,
      },
    ],
    summary,
  };
}
