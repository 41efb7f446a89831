/**
 * `GET /pac/{instance}` on a real server (real SQLite file, real loopback HTTP) and `ipurl pac` as
 * a real process: parameters, content type, caching, errors naming the value and what is accepted,
 * hostile data, and the served file evaluated in pacparser.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { filterEndpointSets } from '../../src/core/filters.js';
import {
  DEFAULT_PAC_OPTIONS,
  renderPac,
  type PacOptions,
} from '../../src/formats/pac/render-pac.js';
import { readBundled } from '../helpers/bundled-data.js';
import { runIpurl, type CliRun } from '../cli/run-cli.js';
import { appendSets, startTestServer, type TestServer } from '../helpers/server.js';
import { describeWith, hasPythonModule } from '../helpers/system.js';
import { evaluatePacs } from './pacparser.js';

const LATEST = '2025013000';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    seed: 'none',
    prepare: async (store) => {
      await appendSets(store, 'Worldwide', '2020080600', readBundled('Worldwide', '2020080600'));
      await appendSets(store, 'Worldwide', LATEST, readBundled('Worldwide', LATEST));
      // An instance whose data a PAC cannot carry (a publisher bypassing validation).
      const hostile: EndpointSet[] = [
        {
          id: 1,
          serviceArea: 'Exchange',
          serviceAreaDisplayName: 'Exchange Online',
          urls: ['outlook.office.com', 'evil.example.com"; return "DIRECT'],
          expressRoute: false,
          category: 'Optimize',
          required: true,
        },
      ];
      await appendSets(store, 'Hostile', '2025010100', hostile);
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

function expected(
  version: string,
  options: Partial<PacOptions>,
  filter: Parameters<typeof filterEndpointSets>[1] = {},
): string {
  return renderPac(filterEndpointSets(readBundled('Worldwide', version), filter), {
    ...DEFAULT_PAC_OPTIONS,
    source: { instance: 'Worldwide', version },
    ...options,
  });
}

describe('GET /pac/{instance}', () => {
  it('serves the latest version with Get-PacFile defaults in the fast style', async () => {
    const response = await server.get('/pac/Worldwide');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ns-proxy-autoconfig');
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
    expect(response.headers['x-ipurl-version']).toBe(LATEST);
    expect(response.headers['content-disposition']).toBe('inline; filename="Worldwide.pac"');
    expect(response.text).toBe(expected(LATEST, {}));
  });

  it('reads every Get-PacFile parameter, names in any case, `.pac` suffix allowed', async () => {
    const response = await server.get(
      '/pac/worldwide.pac?TYPE=2&Style=GET-PACFILE&TenantName=Contoso&ServiceAreas=exchange,SharePoint&LowerCase&Proxy=PROXY+p.example.net:3128;+DIRECT&direct=HTTPS%20er.example.net:443&Version=2020080600',
    );
    expect(response.status).toBe(200);
    expect(response.text).toBe(
      expected(
        '2020080600',
        {
          type: 2,
          style: 'get-pacfile',
          lowercase: true,
          proxy: 'PROXY p.example.net:3128; DIRECT',
          direct: 'HTTPS er.example.net:443',
        },
        { tenantName: 'contoso', serviceAreas: new Set(['Exchange', 'SharePoint']) },
      ),
    );
    expect(response.text).toContain('    host = host.toLowerCase();');
    expect(response.text).toContain('"contoso.sharepoint.com"');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await server.get('/pac/Worldwide?type=2');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const second = await server.get('/pac/Worldwide?type=2', { 'if-none-match': etag });
    expect(second.status).toBe(304);
    expect(second.body).toHaveLength(0);
    expect((await server.get('/pac/Worldwide?type=1', { 'if-none-match': etag })).status).toBe(200);
  });

  it.each([
    [
      'type=3',
      400,
      'ERR_INVALID_PARAMETER',
      'type must be 1 (Optimize direct) or 2 (Optimize and Allow direct); received "3"',
    ],
    [
      'style=slow',
      400,
      'ERR_INVALID_PARAMETER',
      'style must be one of fast, get-pacfile; received "slow"',
    ],
    [
      'proxy=%22%3B%20return%20%22DIRECT',
      400,
      'ERR_INVALID_PARAMETER',
      'proxy must be a PAC return value',
    ],
    [
      'direct=DIRECT%3C%2Fscript%3E',
      400,
      'ERR_INVALID_PARAMETER',
      'direct must be a PAC return value',
    ],
    [
      'proxy=PROXY%20a:1%0aDIRECT',
      400,
      'ERR_INVALID_PARAMETER',
      'proxy contains a control character',
    ],
    [
      'serviceAreas=Exchange,Teams',
      400,
      'ERR_UNKNOWN_SERVICE_AREA',
      'serviceAreas contains "Teams"; accepted: Exchange, SharePoint, Skype, MEM, Common',
    ],
    ['tenantName=a_b', 400, 'ERR_INVALID_TENANT_NAME', 'TenantName "a_b" is not valid'],
    ['lowercase=maybe', 400, 'ERR_INVALID_BOOLEAN', 'lowercase must be true or false'],
    ['version=123', 400, 'ERR_INVALID_VERSION', 'version must be exactly 10 digits'],
    ['version=2019010100', 404, 'ERR_VERSION_NOT_FOUND', 'Worldwide has no version 2019010100'],
  ])('?%s → %i %s', async (query, status, code, message) => {
    const response = await server.get(`/pac/Worldwide?${query}`);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body.error.code).toBe(code);
    expect(body.error.message).toContain(message);
  });

  it('an unknown instance is a 400 naming the instances there are', async () => {
    const response = await server.get('/pac/Mars');
    expect(response.status).toBe(400);
    expect(response.json().error).toEqual({
      code: 'ERR_UNKNOWN_INSTANCE',
      message: expect.stringContaining('unknown instance "Mars"; instances: Worldwide'),
    });
  });

  it('stored data a PAC cannot carry is refused (422), never written into the script', async () => {
    const response = await server.get('/pac/Hostile');
    expect(response.status).toBe(422);
    expect(response.json().error.code).toBe('ERR_UNSUPPORTED_PATTERN');
    expect(response.text).not.toContain('FindProxyForURL');
  });
});

describeWith('python3-pacparser', hasPythonModule('pacparser'))(
  'the served PAC in pacparser',
  () => {
    it('both styles send the same hosts direct', async () => {
      const hosts = [
        'outlook.office365.com',
        'contoso.sharepoint.com',
        'www.example.com',
        'login.microsoftonline.com',
        'sharepoint.com',
      ];
      const jobs = await Promise.all(
        ['fast', 'get-pacfile'].map(async (style) => ({
          name: style,
          pac: (await server.get(`/pac/Worldwide?type=2&style=${style}`)).text,
          hosts,
        })),
      );
      const results = await evaluatePacs(jobs);
      const want = [
        'DIRECT',
        'DIRECT',
        'PROXY 10.10.10.10:8080',
        'DIRECT',
        'PROXY 10.10.10.10:8080',
      ];
      expect(results.get('fast')).toEqual(want);
      expect(results.get('get-pacfile')).toEqual(want);
    });
  },
);

function ipurl(args: readonly string[]): Promise<CliRun> {
  return runIpurl(args, { env: { IPURL_DB: server.dbFile } });
}

describe('ipurl pac', () => {
  it('writes the PAC to stdout: the same bytes as the HTTP route', async () => {
    const run = await ipurl(['pac', 'worldwide', '--type', '2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe((await server.get('/pac/Worldwide?type=2')).text);
  });

  it('--output writes the file atomically and reports size, version, type and style', async () => {
    const file = join(server.dir, 'out', 'proxy.pac');
    const run = await ipurl([
      'pac',
      'Worldwide',
      '--style',
      'get-pacfile',
      '--type',
      '2',
      '--tenant-name',
      'Contoso',
      '--service-areas',
      'Exchange,SharePoint',
      '--lowercase',
      '--proxy',
      'PROXY p.example.net:3128',
      '--direct',
      'DIRECT',
      '--version',
      '2020080600',
      '--output',
      file,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(
      expected(
        '2020080600',
        { type: 2, style: 'get-pacfile', lowercase: true, proxy: 'PROXY p.example.net:3128' },
        { tenantName: 'contoso', serviceAreas: new Set(['Exchange', 'SharePoint']) },
      ),
    );
    expect(run.stderr).toBe(
      `wrote ${file}: ${Buffer.byteLength(text)} bytes, Worldwide 2020080600, type 2, get-pacfile style\n`,
    );
  });

  it.each([
    [
      ['--type', '3'],
      2,
      '--type must be 1 (Optimize direct) or 2 (Optimize and Allow direct); received "3" [ERR_INVALID_PARAMETER]',
    ],
    [['--style', 'slow'], 2, '--style must be one of fast, get-pacfile; received "slow"'],
    [['--proxy', 'PROXY a:1"; return "DIRECT'], 2, '--proxy must be a PAC return value'],
    [
      ['--service-areas', 'Teams'],
      2,
      '--service-areas contains "Teams"; accepted: Exchange, SharePoint, Skype, MEM, Common',
    ],
    [['--version', '2019010100'], 3, 'Worldwide has no version 2019010100'],
    [['--tenant-name', 'contoso!'], 2, '--tenant-name: TenantName "contoso!" is not valid'],
  ])('%j → exit %i, %s', async (args, code, message) => {
    const run = await ipurl(['pac', 'Worldwide', ...args]);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });

  it('a store given explicitly that does not exist is not created: one line says what to run', async () => {
    const db = join(server.dir, 'empty.db');
    const run = await ipurl(['pac', 'Worldwide', '--db', db]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `ipurl: no store at ${db}: run "ipurl seed --db ${db}" to fill it from the bundled data, or "ipurl sync --db ${db} --upstream https://endpoints.office.com" [ERR_NOT_FOUND]\n`,
    );
    expect(existsSync(db)).toBe(false);
  });

  it('an instance that is not stored → exit 3 naming the instances', async () => {
    const run = await ipurl(['pac', 'Mars']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('unknown instance "Mars"; instances: Worldwide');
  });
});
