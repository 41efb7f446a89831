/**
 * Every documented environment variable is honoured by its command (flag > variable > default),
 * through the real command line (in-process runner): docs/operations.md and README.md name the
 * same variables as src/cli/config.ts, `--help` names each flag's variable, and each variable
 * changes what its command does — a real server on a real port for `serve`, a bad value that the
 * command names for the settings that only shape a run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTING_ENV } from '../../src/cli/config.js';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { freePort } from '../../bench/lib/local-process.js';
import { createSeededStoreFile } from '../helpers/seeded-store.js';
import { CLIENT_ID, rawGet } from '../helpers/server.js';
import { runIpurl, startIpurl } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-config-'));
const seeded = join(dir, 'seeded.db');
const missing = join(dir, 'missing.db');
beforeAll(() => createSeededStoreFile(seeded));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VARIABLES = Object.values(SETTING_ENV).flat();

describe('the documented environment variables', () => {
  it('docs/operations.md and README.md name exactly the variables config.ts reads', () => {
    const operations = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
    const settings = operations.slice(0, operations.indexOf('## Health'));
    const documented = new Set(settings.match(/\b(?:IPURL_[A-Z_]+|DATABASE_URL|REDIS_URL)\b/g));
    expect([...documented].sort()).toEqual([...VARIABLES].sort());
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const sentence = readme.slice(readme.indexOf('Every flag has an environment variable'));
    for (const name of sentence.slice(0, sentence.indexOf(';')).match(/IPURL_[A-Z_]+/g) ?? []) {
      expect(VARIABLES, name).toContain(name);
    }
  });

  it('--help names the variable of each flag that has one', async () => {
    const serve = (await runIpurl(['serve', '--help'])).stdout.replace(/\s+/g, ' ');
    for (const name of [
      'IPURL_HOST',
      'IPURL_PORT',
      'IPURL_DB',
      'IPURL_RATE_LIMIT',
      'IPURL_RATE_LIMIT_PER_IP',
      'IPURL_MAX_CONNECTIONS',
      'IPURL_PUBLIC_URL',
      'IPURL_REDIS_URL',
      'IPURL_TRUST_PROXY',
      'IPURL_UPSTREAM',
      'IPURL_GUARD_MAX_REMOVAL',
      'IPURL_GUARD_MAX_URL_REMOVAL',
      'IPURL_GUARD_MAX_GROWTH',
    ]) {
      expect(serve, name).toContain(`(env: ${name})`);
    }
    expect(serve).toContain('IPURL_ADMIN_TOKEN');
    expect(serve).toContain('IPURL_LOG_LEVEL');
    const sync = (await runIpurl(['sync', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(sync).toContain('(env: IPURL_UPSTREAM)');
    expect(sync).toContain('(env: IPURL_DB)');
  });

  it('IPURL_DB, then DATABASE_URL, choose the store; --db wins over both; empty is unset', async () => {
    const byIpurlDb = await runIpurl(['versions', 'Worldwide'], {
      env: { IPURL_DB: seeded, DATABASE_URL: missing },
    });
    expect(byIpurlDb.code, byIpurlDb.stderr).toBe(0);
    expect(byIpurlDb.stdout).toMatch(/^Worldwide: \d+ versions/);
    const byDatabaseUrl = await runIpurl(['versions', 'Worldwide'], {
      env: { IPURL_DB: '', DATABASE_URL: seeded },
    });
    expect(byDatabaseUrl.code, byDatabaseUrl.stderr).toBe(0);
    const flag = await runIpurl(['versions', 'Worldwide', '--db', missing], {
      env: { IPURL_DB: seeded },
    });
    expect(flag.code).toBe(3);
    expect(flag.stderr).toContain(`no store at ${missing}`);
    const env = await runIpurl(['versions', 'Worldwide'], { env: { IPURL_DB: missing } });
    expect(env.code).toBe(3);
    expect(env.stderr).toContain(`no store at ${missing}`);
  });

  it.each([
    ['IPURL_PORT', 'abc', '--port must be a whole number from 0 to 65535; received "abc"'],
    ['IPURL_RATE_LIMIT', '-1', '--rate-limit must be from 0 to 1000000000; received -1'],
    ['IPURL_RATE_LIMIT_PER_IP', 'x', '--rate-limit-per-ip must be a whole number'],
    ['IPURL_MAX_CONNECTIONS', '0', '--max-connections must be from 1 to 1000000; received 0'],
  ])('serve reads %s (a bad value is refused, naming it)', async (name, value, message) => {
    const run = await runIpurl(['serve'], { env: { [name]: value, IPURL_DB: missing } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    // The flag wins over the variable.
    const flag = name
      .replace(/^IPURL_/, '--')
      .toLowerCase()
      .replaceAll('_', '-');
    const withFlag = await runIpurl(['serve', flag, 'zz'], { env: { [name]: value } });
    expect(withFlag.code).toBe(2);
    expect(withFlag.stderr).toContain('received "zz"');
  });

  it.each([
    ['IPURL_GUARD_MAX_REMOVAL', '1.5', '--guard-max-removal must be a fraction'],
    ['IPURL_GUARD_MAX_URL_REMOVAL', '2', '--guard-max-url-removal must be a fraction'],
    ['IPURL_GUARD_MAX_GROWTH', '0.5', '--guard-max-growth must be a factor above 1'],
  ])('sync and serve read %s', async (name, value, message) => {
    for (const args of [
      ['sync', '--upstream', 'http://127.0.0.1:9', '--db', missing],
      ['serve', '--upstream', 'http://127.0.0.1:9', '--db', missing],
    ]) {
      const run = await runIpurl(args, { env: { [name]: value } });
      expect(run.code, args[0]).toBe(2);
      expect(run.stderr).toContain(`${message}`);
      expect(run.stderr).toContain(`received "${value}"`);
    }
  });

  it('sync reads IPURL_UPSTREAM; without it or --upstream it says what is missing', async () => {
    const run = await runIpurl(['sync', '--db', missing], {
      env: { IPURL_UPSTREAM: 'ftp://x' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--upstream must use http or https; received "ftp://x"');
    const none = await runIpurl(['sync', '--db', missing], { env: { IPURL_UPSTREAM: '' } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--upstream URL is required (or env IPURL_UPSTREAM)');
  });

  it('serve reads IPURL_LOG_LEVEL (an unknown level is refused, naming it)', async () => {
    const run = await runIpurl(['serve'], {
      env: { IPURL_LOG_LEVEL: 'chatty', IPURL_PORT: String(await freePort()), IPURL_DB: seeded },
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('chatty');
  });

  it('serve listens, serves and limits as IPURL_HOST, IPURL_PORT, IPURL_DB, IPURL_RATE_LIMIT, IPURL_RATE_LIMIT_PER_IP, IPURL_TRUST_PROXY, IPURL_PUBLIC_URL and IPURL_ADMIN_TOKEN say', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = startIpurl(['serve'], {
      env: {
        IPURL_HOST: '127.0.0.1',
        IPURL_PORT: String(port),
        IPURL_DB: seeded,
        IPURL_RATE_LIMIT: '2',
        IPURL_RATE_LIMIT_PER_IP: '3',
        IPURL_TRUST_PROXY: '1',
        IPURL_PUBLIC_URL: 'https://m365.example.net',
        IPURL_ADMIN_TOKEN: 'config-test-admin-token-0123456789',
        IPURL_LOG_LEVEL: 'warn',
        IPURL_MAX_CONNECTIONS: '50',
      },
    });
    try {
      await expect
        .poll(
          () =>
            rawGet(url, '/ready').then(
              (r) => r.status,
              () => 0,
            ),
          { timeout: 60_000 },
        )
        .toBe(200);
      // IPURL_RATE_LIMIT=2: the third request of one client in the hour is refused.
      const endpoints = (id: string, ip: string) =>
        rawGet(url, `/endpoints/Worldwide?ClientRequestId=${id}`, { 'x-forwarded-for': ip });
      expect((await endpoints(CLIENT_ID, '198.51.100.1')).status).toBe(200);
      expect((await endpoints(CLIENT_ID, '198.51.100.1')).status).toBe(200);
      expect((await endpoints(CLIENT_ID, '198.51.100.1')).status).toBe(429);
      // IPURL_TRUST_PROXY=1: another X-Forwarded-For is another client IP.
      expect((await endpoints(CLIENT_ID, '198.51.100.2')).status).toBe(200);
      // IPURL_RATE_LIMIT_PER_IP=3: a fourth ClientRequestId from one IP is refused.
      const ids = ['a', 'b', 'c', 'd'].map((c) => `b10c5ed1-bad1-445f-b386-b91994633${c}a7`);
      const statuses = [];
      for (const id of ids) statuses.push((await endpoints(id, '198.51.100.3')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      // IPURL_PUBLIC_URL: the origin of the RSS links.
      const rss = await rawGet(url, `/version/Worldwide?Format=RSS&ClientRequestId=${CLIENT_ID}`);
      expect(rss.status).toBe(200);
      expect(rss.text).toContain('https://m365.example.net/');
      // IPURL_ADMIN_TOKEN: the admin API exists (401 without the token, not 404).
      const admin = await rawGet(url, '/admin/instances/Worldwide/versions', {}, 'POST');
      expect(admin.status).toBe(401);
    } finally {
      server.signal('SIGTERM');
      const stopped = await server.done;
      expect(stopped.code).toBe(0);
    }
  });
});
