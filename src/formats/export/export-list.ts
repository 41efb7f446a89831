/**
 * `list`: plain external lists, one entry a line, as Palo Alto EDLs, Fortinet threat feeds and
 * OPNsense/pfSense URL tables fetch them (docs/formats.md, "`list`"). Three files: `ipv4.txt`,
 * `ipv6.txt`, `urls.txt`; no comments (a PAN domain list and a Fortinet domain feed have no
 * comment syntax), so the summary goes to stderr / `--json` / HTTP headers instead.
 *
 * Host patterns follow the PAN domain-list rules (PAN-OS "Formatting Guidelines for an External
 * Dynamic List", Domain List): `*` only as a whole leading token (`*.office.com`); an exact host
 * as itself. Mid-label or partial-label wildcards (`*cdn.onenote.net`, `autodiscover.*.x.com`)
 * cannot be written and follow the unsupported policy. IP lists hold `prefix` per line.
 */
import type { IpFamily } from '../../core/cidr.js';
import { makeSummary, textFile, unionPrefixes } from './export-model.js';
import { bucketSelection, hostRows } from './export-selection.js';
import type { ExportInput, ExportResult } from './export-types.js';

/** Why a glob cannot be written: PAN domain lists take `*` only as a whole leading label. */
const GLOB_REASON =
  'a wildcard inside or after a label: external domain lists take "*" only as a whole leading label ("*.example.com")';

export function renderList(input: ExportInput): ExportResult {
  const selection = bucketSelection('list', input);
  const { rows, unsupported, buckets } = selection;
  const hosts = new Set(hostRows(selection, GLOB_REASON).map(({ shape }) => shape.host));
  const byFamily = (family: IpFamily): string[] =>
    unionPrefixes(buckets.filter((bucket) => bucket.family === family)).map((cidr) => cidr.text);
  const ipv4 = byFamily(4);
  const ipv6 = byFamily(6);
  const urls = [...hosts].sort();
  const text = (lines: readonly string[]): string => lines.map((line) => `${line}\n`).join('');
  return {
    files: [
      textFile('ipv4.txt', 'IPv4 prefixes, one a line', ['ipv4'], text(ipv4)),
      textFile('ipv6.txt', 'IPv6 prefixes, one a line', ['ipv6'], text(ipv6)),
      textFile(
        'urls.txt',
        'host patterns, one a line (PAN domain-list wildcards)',
        ['url'],
        text(urls),
      ),
    ],
    summary: makeSummary('list', input, rows, unsupported, {
      written: { ipv4: ipv4.length, ipv6: ipv6.length, url: urls.length },
      merges: selection.merges,
      capacity: selection.capacity,
    }),
  };
}
