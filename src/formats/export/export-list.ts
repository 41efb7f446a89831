/**
 * `list`: plain external lists, one entry a line, as Palo Alto EDLs, Fortinet threat feeds and
 * OPNsense/pfSense URL tables fetch them (ECOSYSTEM.md §A.1). Three files: `ipv4.txt`,
 * `ipv6.txt`, `urls.txt`; no comments (a PAN domain list and a Fortinet domain feed have no
 * comment syntax), so the summary goes to stderr / `--json` / HTTP headers instead.
 *
 * Host patterns follow the PAN domain-list rules (PAN-OS "Formatting Guidelines for an External
 * Dynamic List", Domain List): `*` only as a whole leading token (`*.office.com`); an exact host
 * as itself. Mid-label or partial-label wildcards (`*cdn.onenote.net`, `autodiscover.*.x.com`)
 * cannot be written and follow the unsupported policy. IP lists hold `prefix` per line.
 */
import type { IpFamily } from '../../core/cidr.js';
import {
  UnsupportedCollector,
  bucketIps,
  bucketOptions,
  buildRows,
  classifyHost,
  makeSummary,
  unionPrefixes,
} from './export-model.js';
import type { ExportFile, ExportInput, ExportResult } from './export-types.js';

export function renderList(input: ExportInput): ExportResult {
  const rows = buildRows(input.sets, input.labelled);
  const unsupported = new UnsupportedCollector('list', input.onUnsupported);
  const { buckets, merges, capacity } = bucketIps(rows, bucketOptions(input), unsupported);
  const hosts = new Set<string>();
  for (const row of rows) {
    if (row.kind !== 'url') continue;
    const shape = classifyHost(row.value);
    if (shape.shape === 'invalid') {
      unsupported.add({ setId: row.setId, kind: 'url', value: row.value, reason: shape.reason });
    } else if (shape.shape === 'glob') {
      unsupported.add({
        setId: row.setId,
        kind: 'url',
        value: row.value,
        reason:
          'a wildcard inside or after a label: external domain lists take "*" only as a whole leading label ("*.example.com")',
      });
    } else {
      hosts.add(shape.host);
    }
  }
  const byFamily = (family: IpFamily): string[] =>
    unionPrefixes(buckets.filter((bucket) => bucket.family === family)).map((cidr) => cidr.text);
  const ipv4 = byFamily(4);
  const ipv6 = byFamily(6);
  const urls = [...hosts].sort();
  const text = (lines: readonly string[]): string => lines.map((line) => `${line}\n`).join('');
  const files: ExportFile[] = [
    {
      name: 'ipv4.txt',
      mediaType: 'text/plain; charset=utf-8',
      description: 'IPv4 prefixes, one a line',
      kinds: ['ipv4'],
      content: text(ipv4),
    },
    {
      name: 'ipv6.txt',
      mediaType: 'text/plain; charset=utf-8',
      description: 'IPv6 prefixes, one a line',
      kinds: ['ipv6'],
      content: text(ipv6),
    },
    {
      name: 'urls.txt',
      mediaType: 'text/plain; charset=utf-8',
      description: 'host patterns, one a line (PAN domain-list wildcards)',
      kinds: ['url'],
      content: text(urls),
    },
  ];
  return {
    files,
    summary: makeSummary('list', input, rows, unsupported, {
      written: { ipv4: ipv4.length, ipv6: ipv6.length, url: urls.length },
      merges,
      capacity,
    }),
  };
}
