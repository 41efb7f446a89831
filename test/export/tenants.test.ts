/**
 * Several tenants in the exports (issue 11): `tenantNames` expands each `<tenant>` URL once per
 * tenant. Worldwide 2020080600 lists `<tenant>.sharepoint.com`, `<tenant>-my.sharepoint.com`,
 * `<tenant>-files.sharepoint.com`, … ; both tenants' hosts must be in the Squid ACL files, and
 * the files must parse with `squid -k parse`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CatalogSource } from '../../src/service/catalog.js';
import { describeWith, hasCommand } from '../helpers/system.js';
import { run, sourceWith } from './fixture.js';

let source: CatalogSource;
let dir: string;
beforeAll(async () => {
  source = await sourceWith([{ instance: 'Worldwide', version: '2020080600' }]);
  dir = mkdtempSync(join(tmpdir(), 'ipurl-tenants-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

const TENANT_HOSTS = (tenant: string): string[] => [
  `${tenant}.sharepoint.com`,
  `${tenant}-my.sharepoint.com`,
  `${tenant}-files.sharepoint.com`,
  `autodiscover.${tenant}.onmicrosoft.com`,
];

async function squidFiles(): Promise<Map<string, string>> {
  const outcome = await run(source, {
    instance: 'Worldwide',
    target: 'squid',
    tenantNames: ['contoso', 'Fabrikam', 'contoso'],
    squidDir: dir,
    onUnsupported: 'skip',
  });
  for (const file of outcome.files) writeFileSync(join(dir, file.name), file.content);
  return new Map(outcome.files.map((f) => [f.name, f.content]));
}

it('both tenants are expanded once each into the Squid ACL files (or covered by a .domain entry), and the header names them', async () => {
  const files = await squidFiles();
  const all = [...files.values()].join('\n');
  for (const tenant of ['contoso', 'fabrikam']) {
    for (const host of TENANT_HOSTS(tenant)) {
      // Written as an entry, or reported as covered by a `.domain` entry of the same ACL
      // (`*.sharepoint.com` is `.sharepoint.com` in Squid, which matches the tenant's host).
      const written = all.split('\n').filter((line) => line === host).length;
      const covered = all.split('\n').filter((line) => line.startsWith(`# Collapsed: ${host} `));
      expect(written + covered.length, host).toBe(1);
    }
  }
  expect(all).not.toContain('<tenant>');
  expect(all).toContain('tenantNames=contoso, fabrikam');
});

it('a bad tenant name is refused naming the value and the rule', async () => {
  await expect(
    run(source, { instance: 'Worldwide', target: 'squid', tenantNames: ['contoso', 'bad_name'] }),
  ).rejects.toThrow(/"bad_name" is not valid: expected a DNS label/);
});

describeWith('squid', hasCommand('squid'))('two-tenant Squid ACLs in squid -k parse', () => {
  it('parses without a warning', async () => {
    await squidFiles();
    const conf = join(dir, 'squid.conf');
    writeFileSync(
      conf,
      [
        'http_port 127.0.0.1:3128',
        `pid_filename ${join(dir, 'squid.pid')}`,
        `cache_log ${join(dir, 'cache.log')}`,
        'access_log none',
        `include ${join(dir, 'm365-acls.conf')}`,
        'http_access deny all',
        '',
      ].join('\n'),
    );
    const parsed = spawnSync('squid', ['-k', 'parse', '-f', conf], { encoding: 'utf8' });
    const out = `${parsed.stdout}${parsed.stderr}`;
    expect(parsed.status, out).toBe(0);
    expect(out).toMatch(/Processing: acl m365_/);
    expect(out).not.toMatch(/WARNING|ERROR|FATAL/);
  });
});
