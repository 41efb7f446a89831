/**
 * Webhook deliveries connect to exactly the address that passed the target check (DNS pinning):
 * a name that resolves to a public-looking address when checked and to loopback afterwards
 * (DNS rebinding) is delivered to the checked address, never to loopback. Real sockets, inside a
 * network namespace this test creates (`unshare -n`: only its own loopback device, which also holds
 * the documentation address 203.0.113.7), so no packet can leave the machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedLookup } from '../../src/service/webhook-target.js';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { processScript } from '../helpers/process-bundles.js';
import { describeWith, hasCommand } from '../helpers/system.js';

const PUBLIC_ADDRESS = '203.0.113.7';

function canMakeNetns(): boolean {
  if (!hasCommand('unshare') || !hasCommand('ip') || !hasCommand('openssl')) return false;
  return spawnSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up']).status === 0;
}

describe('pinnedLookup', () => {
  it('answers only the checked addresses, whatever the name and family asked', async () => {
    const lookup = pinnedLookup(['20.190.128.1', '2603:1006::1']) as unknown as (
      host: string,
      options: object,
      callback: (error: Error | null, address: unknown, family?: number) => void,
    ) => void;
    const ask = (options: object) =>
      new Promise<[Error | null, unknown, number | undefined]>((resolve) =>
        lookup('anything.example', options, (error, address, family) =>
          resolve([error, address, family]),
        ),
      );
    expect(await ask({})).toEqual([null, '20.190.128.1', 4]);
    expect(await ask({ family: 6 })).toEqual([null, '2603:1006::1', 6]);
    expect(await ask({ all: true })).toEqual([
      null,
      [
        { address: '20.190.128.1', family: 4 },
        { address: '2603:1006::1', family: 6 },
      ],
      undefined,
    ]);
    const v4only = pinnedLookup(['20.190.128.1']) as unknown as typeof lookup;
    const error = await new Promise<Error | null>((resolve) =>
      v4only('anything.example', { family: 6 }, (e) => resolve(e)),
    );
    expect(error).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describeWith('a network namespace (unshare -n, ip; root) and openssl', canMakeNetns())(
  'a webhook name that rebinds to loopback after the check',
  () => {
    let certDir: string;
    beforeAll(() => {
      // A self-signed certificate for the webhook's name: the https delivery must verify it
      // against that name although it connects to an address (trusted via NODE_EXTRA_CA_CERTS).
      certDir = mkdtempSync(join(tmpdir(), 'ipurl-rebind-tls-'));
      const made = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '2',
          '-subj',
          '/CN=hooks.rebind.test',
          '-addext',
          'subjectAltName=DNS:hooks.rebind.test',
          '-keyout',
          join(certDir, 'key.pem'),
          '-out',
          join(certDir, 'cert.pem'),
        ],
        { encoding: 'utf8' },
      );
      expect(made.status, made.stderr).toBe(0);
    });
    afterAll(() => rmSync(certDir, { recursive: true, force: true }));

    for (const scheme of ['http', 'https'] as const) {
      it(`${scheme}: is delivered to the checked address with the URL's host name, never to loopback`, () => {
        const shell = [
          'set -e',
          'ip link set lo up',
          // The namespace's own loopback device holds the "public" address: local to the namespace.
          `ip addr add ${PUBLIC_ADDRESS}/32 dev lo`,
          `exec "${process.execPath}" "${processScript('rebind-delivery')}" ${PUBLIC_ADDRESS} ${scheme}`,
        ].join('\n');
        const run = spawnSync('unshare', ['-n', 'sh', '-c', shell], {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          timeout: 60_000,
          env: {
            ...process.env,
            NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem'),
            REBIND_CERT: join(certDir, 'cert.pem'),
            REBIND_KEY: join(certDir, 'key.pem'),
          },
        });
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        const result = JSON.parse(run.stdout) as {
          port: number;
          lookups: string[];
          outcomes: Array<{ result: string; statusCode: number | null; error: string | null }>;
          publicHits: Array<{ host: string }>;
          loopbackHits: unknown[];
        };
        // Resolved once, for the check; the connection used that answer.
        expect(result.lookups).toEqual(['hooks.rebind.test']);
        expect(result.outcomes.map((o) => [o.result, o.statusCode, o.error])).toEqual([
          ['delivered', 204, null],
        ]);
        expect(result.loopbackHits).toEqual([]);
        expect(result.publicHits).toHaveLength(1);
        expect(result.publicHits[0]?.host).toBe(`hooks.rebind.test:${result.port}`);
      }, 90_000);
    }
  },
);
