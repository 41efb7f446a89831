/**
 * The publisher's side of the sanity policy: the service refuses 0.0.0.0/0 and ::1/128 (and
 * every other rule) with the rule, the path and how to relax it; a relaxed rule is recorded with
 * the version and shown by the admin API; the admin API answers 422 with the same issues. And
 * the whole bundled history passes the validator and the policy with nothing refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/start-server.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { isValidationError } from '../../src/core/errors.js';
import { makePolicy } from '../../src/core/sanity-policy.js';
import type { Store } from '../../src/core/store.js';
import { loadBundledDataset } from '../../src/service/bundle.js';
import { planPublish, publish } from '../../src/service/publish.js';
import { checkBundledDataset } from '../../src/service/seed.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readBundled } from '../helpers/bundled-data.js';
import { serveStoreFile } from '../helpers/server.js';

const TOKEN = 'admin-token-for-sanity-tests-0123456789';
const base = readBundled('Worldwide', '2025013000');
const withIps = (...ips: string[]): EndpointSet[] =>
  base.map((set, i) => (i === 0 ? { ...set, ips: [...(set.ips ?? []), ...ips] } : set));

let dir: string;
let store: Store;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipurl-sanity-'));
  store = await createSqliteStore({ filename: join(dir, 'store.db') });
  server = await serveStoreFile(join(dir, 'admin.db'), { adminToken: TOKEN });
});

afterAll(async () => {
  await server?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the publisher refuses what no firewall should get', () => {
  it('0.0.0.0/0 and ::1/128: rule, path, value and how to relax; nothing stored', async () => {
    const error = await planPublish(store, 'Worldwide', withIps('0.0.0.0/0', '::1/128')).catch(
      (e: unknown) => e,
    );
    expect(isValidationError(error)).toBe(true);
    if (!isValidationError(error)) return;
    const n = (base[0]?.ips ?? []).length;
    expect(error.issues.map((i) => [i.path, i.value, i.rule])).toEqual([
      [`[0].ips[${n}]`, '0.0.0.0/0', 'default-route'],
      [`[0].ips[${n + 1}]`, '::1/128', 'loopback'],
    ]);
    expect(error.issues[1]?.reason).toContain('relax with --allow loopback');
    expect(await store.listVersions('Worldwide')).toEqual([]);
  });

  it('a relaxed rule passes only that rule and is recorded with the version', async () => {
    const policy = makePolicy(['private']);
    await expect(
      publish(store, 'Custom', withIps('10.0.0.0/8', '::1/128'), { policy }),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ rule: 'loopback' })],
    });
    const result = await publish(store, 'Custom', withIps('10.0.0.0/8'), { policy });
    expect(result.status).toBe('published');
    expect((await store.listVersions('Custom'))[0]?.relaxedRules).toEqual(['private']);
  });

  it('admin HTTP: 422 with every issue; ?allow= relaxes and the versions list shows it', async () => {
    const post = (query: string, body: unknown) =>
      fetch(`${server.url}/admin/instances/Worldwide/versions${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const refused = await post('', withIps('0.0.0.0/0', '::1/128'));
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as {
      error: { code: string; issues: Array<{ rule?: string; value: string }> };
    };
    expect(body.error.code).toBe('ERR_VALIDATION');
    expect(body.error.issues.map((i) => [i.value, i.rule])).toEqual([
      ['0.0.0.0/0', 'default-route'],
      ['::1/128', 'loopback'],
    ]);
    const unknown = await post('?allow=privat', withIps('10.0.0.0/8'));
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('not a sanity rule that can be relaxed');
    const relaxed = await post('?allow=private', withIps('10.0.0.0/8'));
    expect(relaxed.status).toBe(201);
    expect(((await relaxed.json()) as { relaxedRules: string[] }).relaxedRules).toEqual([
      'private',
    ]);
    const listed = await fetch(`${server.url}/admin/instances/Worldwide/versions`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const versions = ((await listed.json()) as { versions: Array<{ relaxedRules?: string[] }> })
      .versions;
    expect(versions[0]?.relaxedRules).toEqual(['private']);
  });
});

describe('the bundled history', () => {
  it('passes the validator and the sanity policy, every version of every instance', async () => {
    const dataset = await loadBundledDataset();
    const versions = dataset.instances.reduce((n, i) => n + i.versions.length, 0);
    expect(versions).toBeGreaterThanOrEqual(128);
    expect(checkBundledDataset(dataset)).toEqual([]);
  });
});
