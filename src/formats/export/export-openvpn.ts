/**
 * `openvpn`: `route NETWORK MASK net_gateway` and `route-ipv6 PREFIX net_gateway` lines
 * (openvpn(8) --route: "net_gateway: the pre-existing IP default gateway, read from the routing
 * table"), so the chosen categories (default Optimize) leave through the client's own gateway
 * while the rest of a full tunnel (`redirect-gateway def1`) stays in it. With `push`, each line
 * is written in a server's `push "…"` form.
 *
 * IPv6 caveat (measured, test/export/split-tunnel-tools.test.ts): OpenVPN 2.6.14 on Linux does
 * not understand `net_gateway` for `route-ipv6` ("cannot parse gateway spec") and installs the
 * route into the tunnel instead; OpenVPN 2 on Windows behaves the same (OpenVPN ticket 1161).
 * The lines are written for clients that honour them and the header says so; `--ipv4` leaves
 * them out for OpenVPN 2 clients.
 */
import { checkName, commentBlock, headerLines, originLines, textFile } from './export-model.js';
import { ipv4Mask, networkText, routePrefixes } from './export-routes-model.js';
import type { ExportInput, ExportResult } from './export-types.js';

export function renderOpenvpn(input: ExportInput): ExportResult {
  const routes = routePrefixes('openvpn', input);
  const lines = [
    ...routes.prefixes[4].flatMap((c) => [
      ...originLines('#', routes.origins.get(c.text)),
      `route ${networkText(c)} ${ipv4Mask(c.prefix)} net_gateway`,
    ]),
    ...routes.prefixes[6].flatMap((c) => [
      ...originLines('#', routes.origins.get(c.text)),
      `route-ipv6 ${c.text} net_gateway`,
    ]),
  ].map((line) => (input.push === true && !line.startsWith('#') ? `push "${line}"` : line));
  const summary = routes.summaryOf({
    ipv4: routes.prefixes[4].length,
    ipv6: routes.prefixes[6].length,
  });
  const content =
    commentBlock('#', [
      ...headerLines(summary, input),
      `Routes of categories ${routes.categories.join(', ') || 'none'} through the client's own default gateway (net_gateway).`,
      input.push === true
        ? 'Server form: put these lines into the server configuration (or a client-config-dir file).'
        : 'Client form: put these lines into the client configuration (after redirect-gateway).',
      ...(routes.prefixes[6].length > 0
        ? [
            'IPv6: OpenVPN 2.x (2.6.14 tested, Linux; Windows per OpenVPN ticket 1161) cannot use net_gateway',
            'for route-ipv6 and routes these prefixes INTO the tunnel; for such clients export with --ipv4.',
          ]
        : []),
    ]) + lines.map((line) => `${line}\n`).join('');
  return {
    files: [
      textFile(
        `${checkName(input.name)}-openvpn.conf`,
        input.push === true ? 'OpenVPN server push lines' : 'OpenVPN client route lines',
        ['ipv4', 'ipv6'],
        content,
      ),
    ],
    summary,
  };
}
