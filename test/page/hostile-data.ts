/**
 * Endpoint data written by an attacker (a compromised upstream, a careless publisher): quotes,
 * newlines, `</script>`, a PAC-breaking `"; return "DIRECT`, event-handler markup and
 * non-http(s) links in notes, URLs, IPs, ports, display names and change records. Every page
 * test renders it and checks that it stays inert text.
 */
import type { ChangeDraft } from '../../src/core/change-record.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

export const HOSTILE_INSTANCE = 'Contoso';
export const HOSTILE_VERSION = '2025020100';

/** Set by any injected script that manages to run. */
export const PWNED = '__ipurlPwned';

export const HOSTILE_NOTES =
  `Quote " and ' and a newline\nsecond line </script><script>window.${PWNED}=1;alert(1)</script> ` +
  `"; return "DIRECT"; <img src=x onerror="window.${PWNED}=2;alert(2)"> ` +
  `[click me](javascript:alert(3)) [js2](javascript:window.${PWNED}=3) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==) ` +
  `[vb](vbscript:msgbox) [protocol-relative](//evil.example/x) [safe link](https://example.com/a?b=1&c="x") ` +
  `[quote-break](https://example.com/"onmouseover="alert(5)) <a href="javascript:alert(6)">raw anchor</a> <svg onload=alert(7)>` +
  `<iframe src="javascript:alert(8)"></iframe>`;

export const HOSTILE_SETS: EndpointSet[] = [
  {
    id: 1,
    serviceArea: 'Exchange',
    serviceAreaDisplayName: `Exchange </title><script>window.${PWNED}=4;alert(9)</script>`,
    urls: [
      `evil.example"><script>window.${PWNED}=5;alert(10)</script>`,
      `*.x.example'onmouseover='alert(11)`,
    ],
    ips: [`192.0.2.1/32"><img src=x onerror=alert(12)>`],
    tcpPorts: `443"; return "DIRECT`,
    udpPorts: '<b>53</b>',
    expressRoute: false,
    category: 'Default',
    required: false,
    notes: HOSTILE_NOTES,
  },
  {
    id: 2,
    serviceArea: 'Common',
    serviceAreaDisplayName: 'Common',
    urls: ['plain.example.com'],
    tcpPorts: '443',
    expressRoute: true,
    category: 'Optimize',
    required: true,
  },
];

export const HOSTILE_CHANGES: ChangeDraft[] = [
  {
    endpointSetId: 1,
    disposition: 'Change',
    version: HOSTILE_VERSION,
    impact: 'AddedUrl',
    previous: { notes: `</td></tr></table><script>alert(13)</script>` },
    current: { notes: HOSTILE_NOTES },
    add: { effectiveDate: '20250303', urls: [`new.example"><svg onload=alert(14)>`] },
    remove: { ips: [`198.51.100.0/24<script>alert(15)</script>`] },
  },
];

/** A real server whose store holds the hostile version alone (nothing seeded). */
export function startHostileServer(): Promise<TestServer> {
  return startTestServer({
    seed: 'none',
    prepare: async (store) => {
      await store.appendVersion({
        instance: HOSTILE_INSTANCE,
        version: HOSTILE_VERSION,
        sets: HOSTILE_SETS,
        changes: HOSTILE_CHANGES,
        expectedLatest: null,
        notify: false,
      });
    },
  });
}
