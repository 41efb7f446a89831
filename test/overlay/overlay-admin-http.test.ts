/**
 * The local overlay over the admin API on a real loopback server seeded with the bundled data:
 * add/exclude/list/remove with who/when/why, 422 with every issue (path, value, rule), 404/409 on
 * removals, 401 without the token, the revision changed by each change, an `overlay.changed`
 * webhook body built from stored data, and the wire routes byte-identical before and after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/start-server.js';
import { buildDeliveryBody } from '../../src/service/webhooks.js';
import { CLIENT_ID, rawGet } from '../helpers/server.js';

const TOKEN = 'overlay-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'ipurl-overlay-'));

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = TOKEN,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
}

describe('overlay admin API over HTTP', () => {
  let server: RunningServer;
  let wireBefore: string[];
  const WIRE = [
    `/endpoints/Worldwide?ClientRequestId=${CLIENT_ID}`,
    `/endpoints/Worldwide?ClientRequestId=${CLIENT_ID}&format=CSV`,
    `/version/Worldwide?ClientRequestId=${CLIENT_ID}`,
    `/changes/Worldwide/0000000000?ClientRequestId=${CLIENT_ID}`,
  ];
  const wire = async (): Promise<string[]> =>
    Promise.all(WIRE.map(async (path) => (await rawGet(server.url, path)).text));

  beforeAll(async () => {
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      db: join(dir, 'ipurl.db'),
      rateLimit: 0,
      seed: true,
      adminToken: TOKEN,
      logger: false,
    });
    wireBefore = await wire();
  }, 60_000);
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses without the token, and a bad entry with 422 listing every issue, storing nothing', async () => {
    const before = await server.store.revision();
    expect(
      (await call(server.url, 'GET', '/admin/instances/Worldwide/overlay', undefined, null)).status,
    ).toBe(401);
    const refused = await call(server.url, 'POST', '/admin/instances/Worldwide/overlay', {
      action: 'add',
      ips: ['10.20.0.0/16', '52.112.0.1/14'],
      category: 'Fastest',
      tcpPorts: '443',
      by: 'alice',
    });
    expect(refused.status).toBe(422);
    expect(refused.json.error.code).toBe('ERR_VALIDATION');
    expect(refused.json.error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'category', value: 'Fastest' }),
        expect.objectContaining({ path: 'ips[1]', value: '52.112.0.1/14' }),
      ]),
    );
    const unknown = await call(server.url, 'POST', '/admin/instances/Worldwide/overlay', {
      action: 'exclude',
      setIds: [56, 4242],
      serviceAreas: ['Teams'],
      by: 'alice',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.issues.map((i: { path: string }) => i.path)).toEqual([
      'setIds[1]',
      'serviceAreas[0]',
    ]);
    expect(
      (await call(server.url, 'POST', '/admin/instances/Worldwide/overlay', '{"action":')).status,
    ).toBe(400);
    const atlantis = await call(server.url, 'POST', '/admin/instances/Atlantis/overlay', {
      action: 'exclude',
      setIds: [1],
      by: 'a',
    });
    expect(atlantis.json.error.code).toBe('ERR_UNKNOWN_INSTANCE');
    expect(await server.store.revision()).toBe(before);
    expect(await server.store.listOverlayChanges()).toEqual([]);
  });

  it('records changes with who, when, why; lists the history; removes with 404/409 answers', async () => {
    await server.store.addWebhook({
      instance: 'Worldwide',
      url: 'http://127.0.0.1:9/hook',
      secret: 's',
    });
    const before = await server.store.revision();
    const add = await call(server.url, 'POST', '/admin/instances/worldwide/overlay', {
      action: 'add',
      ips: ['10.20.0.0/16'],
      category: 'Optimize',
      tcpPorts: '443',
      allow: ['private'],
      by: 'alice',
      note: 'internal proxy',
    });
    expect(add.status).toBe(201);
    expect(add.json.change).toMatchObject({
      id: 1,
      instance: 'Worldwide',
      by: 'alice',
      note: 'internal proxy',
      relaxedRules: ['private'],
    });
    expect(await server.store.revision()).not.toBe(before);
    const set = await call(server.url, 'POST', '/admin/instances/Worldwide/overlay', {
      action: 'exclude',
      setIds: [56],
      by: 'bob',
      note: 'auth via our IdP proxy',
    });
    const yammer = await call(server.url, 'POST', '/admin/instances/Worldwide/overlay', {
      action: 'exclude',
      urls: ['*.yammer.com', '*.not-published.com'],
      by: 'bob',
    });
    expect(yammer.status).toBe(201);
    expect(yammer.json.warnings).toEqual([
      expect.stringContaining('*.not-published.com excludes nothing'),
    ]);
    const removed = await call(
      server.url,
      'DELETE',
      `/admin/instances/Worldwide/overlay/${yammer.json.change.id}?by=carol&note=undo`,
    );
    expect(removed.status).toBe(201);
    expect(removed.json.change).toMatchObject({
      entry: { action: 'remove', target: 3 },
      by: 'carol',
      note: 'undo',
    });
    expect(
      (await call(server.url, 'DELETE', '/admin/instances/Worldwide/overlay/3?by=carol')).status,
    ).toBe(409);
    expect(
      (await call(server.url, 'DELETE', '/admin/instances/Worldwide/overlay/99?by=carol')).status,
    ).toBe(404);
    expect(
      (await call(server.url, 'DELETE', '/admin/instances/Worldwide/overlay/x?by=carol')).status,
    ).toBe(400);

    const list = await call(server.url, 'GET', '/admin/instances/Worldwide/overlay');
    expect(list.status).toBe(200);
    expect(list.json.revision).toBe(4);
    expect(
      list.json.history.map(
        (c: { id: number; by: string; entry: { action: string }; removedBy?: number }) => [
          c.id,
          c.by,
          c.entry.action,
          c.removedBy,
        ],
      ),
    ).toEqual([
      [1, 'alice', 'add', undefined],
      [2, 'bob', 'exclude', undefined],
      [3, 'bob', 'exclude', 4],
      [4, 'carol', 'remove', undefined],
    ]);

    // Each change queued an overlay.changed delivery whose body names the change and revision.
    const deliveries = (await server.store.listDeliveries()).filter(
      (d) => d.event === 'overlay.changed',
    );
    expect(deliveries).toHaveLength(4);
    const body = JSON.parse(
      await buildDeliveryBody(
        server.store,
        set.json.change.deliveries.length
          ? { ...deliveries.find((d) => d.id === set.json.change.deliveries[0])! }
          : deliveries[0]!,
      ),
    );
    expect(body).toMatchObject({
      event: 'overlay.changed',
      instance: 'Worldwide',
      revision: 2,
      change: { id: 2, entry: { action: 'exclude', setIds: [56] } },
      additions: 1,
      exclusions: 1,
    });
  });

  it('shows the overlay in its own section of the page, in English and Dutch', async () => {
    const en = (await rawGet(server.url, '/Worldwide?lang=en')).text;
    expect(en).toContain('<section id="overlay"');
    expect(en).toContain('Local overlay (revision 4)');
    expect(en).toContain('10.20.0.0/16 Optimize Common tcp 443');
    expect(en).toContain('auth via our IdP proxy');
    expect(en).not.toContain('*.not-published.com'); // removed: no longer in force
    const nl = (await rawGet(server.url, '/Worldwide?lang=nl')).text;
    expect(nl).toContain('Lokale aanvullingen (revisie 4)');
    const china = (await rawGet(server.url, '/China?lang=en')).text;
    expect(china).not.toContain('id="overlay"');
  });

  it('leaves the wire routes byte-identical', async () => {
    expect(await wire()).toEqual(wireBefore);
  });
});
