/**
 * The split-tunnel targets through `ipurl export` as a real process and over real HTTP on
 * 127.0.0.1: default Optimize, `--push`, `--interface`, and the bad inputs (an empty WireGuard
 * complement, a missing or unusable interface name) as exit 2 / HTTP 400 naming flag and value.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { readBundled } from '../helpers/bundled-data.js';
import { runIpurl, type CliRun } from '../cli/run-cli.js';
import { appendSets, startTestServer, type TestServer } from '../helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-split-cli-'));
let server: TestServer;

function ipurl(args: readonly string[]): Promise<CliRun> {
  return runIpurl(args, { env: { IPURL_DB: server.dbFile } });
}

/** A publisher whose Optimize prefixes cover the whole IPv4 space (two /1 halves). */
const WHOLE: EndpointSet[] = [
  {
    id: 1,
    serviceArea: 'Common',
    serviceAreaDisplayName: 'Common',
    ips: ['0.0.0.0/1', '128.0.0.0/1', '2001:db8::/32'],
    tcpPorts: '443',
    expressRoute: false,
    category: 'Optimize',
    required: true,
  },
];

beforeAll(async () => {
  server = await startTestServer({
    seed: 'none',
    prepare: async (store) => {
      await appendSets(store, 'Worldwide', '2025013000', readBundled('Worldwide', '2025013000'));
      await appendSets(store, 'Whole', '2025010100', WHOLE);
    },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ipurl export (split tunnels)', () => {
  it('wireguard writes the AllowedIPs file; Optimize is the default selection', async () => {
    const out = join(dir, 'wg.conf');
    const run = await ipurl(['export', 'Worldwide', 'wireguard', '--output', out]);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Selection: categories=Optimize;/m);
    expect(text).toMatch(/^AllowedIPs = 0\.0\.0\.0\/5, /m);
  });

  it('wireguard: a selection covering the whole space is exit 2 naming the categories', async () => {
    const run = await ipurl(['export', 'Whole', 'wireguard']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/categories "Optimize" cover the whole IPv4 space/);
    expect(run.stderr).toMatch(/--categories/);
    expect(run.stdout).toBe('');
    // Only IPv6 asked for: its complement is not empty, so it works.
    const v6 = await ipurl(['export', 'Whole', 'wireguard', '--ipv6']);
    expect(v6.code, v6.stderr).toBe(0);
    expect(v6.stdout).toMatch(/^AllowedIPs = ::\/3, /m);
    expect(v6.stdout).not.toMatch(/0\.0\.0\.0/);
  });

  it('openvpn --push writes push "route … net_gateway" lines', async () => {
    const run = await ipurl(['export', 'Worldwide', 'openvpn', '--push']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('push "route 52.112.0.0 255.252.0.0 net_gateway"');
    expect(run.stdout).toContain('push "route-ipv6 2603:1063::/38 net_gateway"');
  });

  it('windows-routes needs --interface, and refuses a name it cannot quote', async () => {
    const missing = await ipurl(['export', 'Worldwide', 'windows-routes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--interface NAME/);
    const bad = await ipurl(['export', 'Worldwide', 'windows-routes', '--interface', "Wi'Fi; rm"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/interface "Wi'Fi; rm" is not accepted/);
    const good = await ipurl([
      'export',
      'Worldwide',
      'windows-routes',
      '--interface',
      'Ethernet 2',
    ]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain("[string]$InterfaceAlias = 'Ethernet 2'");
    expect(good.stdout).toContain("    '52.112.0.0/14'");
  });
});

describe('GET /export/{instance}/{split-tunnel target}', () => {
  it('serves each target, with interface= and push=', async () => {
    const wg = await server.get('/export/Worldwide/wireguard?categories=Optimize,Allow');
    expect(wg.status).toBe(200);
    expect(wg.text).toMatch(/categories Optimize, Allow/);
    const ps = await server.get('/export/Worldwide/windows-routes?interface=Wi-Fi');
    expect(ps.status).toBe(200);
    expect(ps.headers['content-disposition']).toBe('inline; filename="m365-routes.ps1"');
    const ovpn = await server.get('/export/Worldwide/openvpn?push=true&family=4');
    expect(ovpn.status).toBe(200);
    expect(ovpn.text).toMatch(/^push "route 13\.107\.6\.152 255\.255\.255\.254 net_gateway"$/m);
    expect(ovpn.text).not.toMatch(/route-ipv6/);
  });

  it('answers 400 for an empty complement and a missing interface', async () => {
    const whole = await server.get('/export/Whole/wireguard');
    expect(whole.status).toBe(400);
    expect(whole.text).toMatch(/ERR_INVALID_PARAMETER/);
    const ps = await server.get('/export/Worldwide/windows-routes');
    expect(ps.status).toBe(400);
    expect(ps.text).toMatch(/ERR_MISSING_PARAMETER/);
  });
});
