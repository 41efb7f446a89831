/**
 * The PAC service over a catalog holding the whole bundled history in memory: the PAC a browser
 * runs sends what Get-PacFile's type says direct, and every other host to the proxy, for the
 * version asked for; refusals carry their codes. The PAC is run as the browser would run it (its
 * FindProxyForURL in a fresh context), not read as text.
 */
import { createContext, runInContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import {
  PAC_CONTENT_TYPE,
  createPacService,
  parsePacParameters,
  type PacService,
  type RawPacParameters,
} from '../../src/service/pac.js';
import { bundledCatalog, bundledVersionsOf } from './bundled-catalog.js';

let pac: PacService;
let worldwide: Array<{ version: string; sets: readonly EndpointSet[] }>;
let china: Array<{ version: string; sets: readonly EndpointSet[] }>;
beforeAll(async () => {
  pac = createPacService(await bundledCatalog());
  worldwide = await bundledVersionsOf('Worldwide');
  china = await bundledVersionsOf('China');
});

/** The PAC's decision for each host, as a browser gets it. */
async function decide(
  instance: string,
  raw: RawPacParameters,
  hosts: readonly string[],
): Promise<string[]> {
  const file = await pac.render(instance, parsePacParameters(raw));
  const context = createContext({});
  runInContext(file.text, context);
  const find = context.FindProxyForURL as (url: string, host: string) => string;
  return hosts.map((host) => find(`https://${host}/`, host));
}

/** The category of the set listing `host` exactly (the premise of each decision below). */
function categoryOf(sets: readonly EndpointSet[], host: string): string | undefined {
  return sets.find((s) => s.urls?.includes(host))?.category;
}

describe('PAC types on real data', () => {
  it('Worldwide type 1: Optimize direct; type 2: Allow direct too; the rest to the proxy', async () => {
    const sets = worldwide[0]!.sets;
    expect(categoryOf(sets, 'outlook.office365.com')).toBe('Optimize');
    expect(categoryOf(sets, 'compliance.microsoft.com')).toBe('Allow');
    const hosts = ['outlook.office365.com', 'compliance.microsoft.com', 'www.example.com'];
    const proxy = 'PROXY proxy.example.net:3128';
    expect(await decide('Worldwide', { type: '1', proxy }, hosts)).toEqual([
      'DIRECT',
      proxy,
      proxy,
    ]);
    expect(await decide('Worldwide', { type: '2', proxy }, hosts)).toEqual([
      'DIRECT',
      'DIRECT',
      proxy,
    ]);
  });

  it('China, asked for in any case, decides from China’s own data', async () => {
    const sets = china[0]!.sets;
    expect(categoryOf(sets, 'partner.outlook.cn')).toBe('Optimize');
    expect(categoryOf(sets, 'login.partner.microsoftonline.cn')).toBe('Allow');
    const hosts = [
      'partner.outlook.cn',
      'login.partner.microsoftonline.cn',
      'outlook.office365.com',
    ];
    const [direct, allow, worldwideHost] = await decide('china', { type: '2' }, hosts);
    expect([direct, allow]).toEqual(['DIRECT', 'DIRECT']);
    expect(worldwideHost).not.toBe('DIRECT');
    const file = await pac.render('china', parsePacParameters({ type: '1' }));
    expect(file.instance).toBe('China');
    expect(file.version).toBe(china[0]!.version);
    expect(file.text).toContain(`from China version ${china[0]!.version}`);
  });
});

describe('versions, bytes and refusals', () => {
  it('the latest version by default, any stored version on request; one prepared answer per question', async () => {
    const latest = await pac.render('Worldwide', parsePacParameters({ type: '1' }));
    expect(latest.version).toBe(worldwide[0]!.version);
    expect(latest.contentType).toBe(PAC_CONTENT_TYPE);
    expect(latest.prepared.headers['content-disposition']).toBe('inline; filename="Worldwide.pac"');
    expect(latest.etag).toBe(latest.prepared.etag);
    const again = await pac.prepared('WORLDWIDE', parsePacParameters({ type: '1' }));
    expect(again).toBe(latest.prepared);
    const oldest = worldwide.at(-1)!.version;
    const old = await pac.render('Worldwide', parsePacParameters({ type: '1', version: oldest }));
    expect(old.version).toBe(oldest);
    expect(old.etag).not.toBe(latest.etag);
  });

  it('refuses an unknown instance, a version not stored and a malformed one, with their codes', async () => {
    const type1 = parsePacParameters({ type: '1' });
    await expect(pac.render('Mars', type1)).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_INSTANCE',
      message: expect.stringContaining('Worldwide, USGovDoD'),
    });
    await expect(
      pac.render('Worldwide', parsePacParameters({ type: '1', version: '2000010100' })),
    ).rejects.toMatchObject({
      code: 'ERR_VERSION_NOT_FOUND',
      message: expect.stringContaining(
        `latest is ${worldwide[0]!.version}, oldest ${worldwide.at(-1)!.version}`,
      ),
    });
    expect(() => parsePacParameters({ type: '1', version: '2025-01-30' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_VERSION' }),
    );
    expect(() => parsePacParameters({ type: '3' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_PARAMETER' }),
    );
  });
});
