/**
 * `wireguard`: the `AllowedIPs` of a full tunnel (`0.0.0.0/0, ::/0`) minus the chosen
 * categories' prefixes (default Optimize, Microsoft's split-tunnel guidance), so that traffic to
 * them leaves through the local internet connection and everything else still enters the tunnel.
 * WireGuard has no "exclude" (wg(8): AllowedIPs is the set of destinations routed to the peer),
 * so the exclusion is written as its complement: the shortest exact list of prefixes
 * (core/cidr-complement.ts), per family, ten to an `AllowedIPs` line.
 *
 * A selection whose complement is empty (every address would bypass the tunnel) is refused:
 * ERR_INVALID_PARAMETER naming the categories. Host patterns are not carried (counted in the
 * header): a route needs an address.
 */
import { complementCidrs } from '../../core/cidr-complement.js';
import type { IpFamily } from '../../core/cidr.js';
import { IpurlError } from '../../core/errors.js';
import { checkName, commentBlock, headerLines, textFile } from './export-model.js';
import { routePrefixes } from './export-routes-model.js';
import type { ExportInput, ExportResult } from './export-types.js';

/**
 * Prefixes per `AllowedIPs` line. wg-quick parses each line with bash pattern expansions whose
 * cost grows much faster than the line: one 20 kB line took minutes in `wg-quick strip`, lines of
 * ten prefixes take milliseconds (measured here).
 */
const PER_LINE = 10;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function renderWireguard(input: ExportInput): ExportResult {
  const routes = routePrefixes('wireguard', input);
  const allowed: Record<IpFamily, string[]> = { 4: [], 6: [] };
  for (const family of routes.families) {
    const complement = complementCidrs(family, routes.prefixes[family]);
    if (complement.length === 0) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `wireguard: the prefixes of categories ${JSON.stringify(routes.categories.join(','))} cover the whole IPv${family} space, ` +
          'so every address would bypass the tunnel and AllowedIPs would be empty; choose fewer categories (--categories / categories=)',
        { details: { parameter: 'categories', value: routes.categories.join(','), family } },
      );
    }
    allowed[family] = complement.map((cidr) => cidr.text);
  }
  const summary = routes.summaryOf({ ipv4: allowed[4].length, ipv6: allowed[6].length });
  const excluded = routes.families
    .map((f) => `${routes.prefixes[f].length} IPv${f} prefixes`)
    .join(', ');
  const content =
    commentBlock('#', [
      ...headerLines(summary, input),
      `AllowedIPs of a full tunnel minus ${excluded} of categories ${routes.categories.join(', ') || 'none'}:`,
      'traffic to those prefixes leaves through the local connection, everything else enters the tunnel.',
      'Entries above count the AllowedIPs written (the shortest exact complement), not the excluded prefixes.',
      'Use: replace the AllowedIPs line of the [Peer] section of your full-tunnel configuration with the lines below',
      '(wg(8): AllowedIPs may be specified multiple times; short lines keep wg-quick fast).',
      ...(routes.families.length === 1
        ? [
            `Only IPv${routes.families[0]} was asked for: the other family is not routed into the tunnel.`,
          ]
        : []),
    ]) +
    chunks([...allowed[4], ...allowed[6]], PER_LINE)
      .map((chunk) => `AllowedIPs = ${chunk.join(', ')}\n`)
      .join('');
  return {
    files: [
      textFile(
        `${checkName(input.name)}-wireguard.conf`,
        'WireGuard AllowedIPs line (full tunnel minus the chosen prefixes)',
        ['ipv4', 'ipv6'],
        content,
      ),
    ],
    summary,
  };
}
