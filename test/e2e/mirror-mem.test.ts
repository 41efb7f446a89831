/**
 * Issue 9: a mirror is complete. `serve --upstream` of a publisher serving the bundled history
 * (Worldwide 2025092900 and USGovDoD 2025103000 have MEM sets) asks for every service area,
 * stores the MEM sets, and answers every request — MEM named or not, with or without a tenant —
 * exactly as the publisher does. Both are real servers on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/start-server.js';
import { bundledVersions, readBundled } from '../helpers/bundled-data.js';
import { CLIENT_ID, rawGet, type TestServer } from '../helpers/server.js';
import { startPublisherAndMirror, type PublisherAndMirror } from '../helpers/upstream-mirror.js';

const C = `ClientRequestId=${CLIENT_ID}`;
const INSTANCES = ['Worldwide', 'USGovDoD'];

let pair: PublisherAndMirror;
let publisher: TestServer;
let mirror: RunningServer;

beforeAll(async () => {
  pair = await startPublisherAndMirror({ sync: { instances: INSTANCES, intervalMs: 3_600_000 } });
  ({ publisher, mirror } = pair);
  const want = INSTANCES.map((i) => bundledVersions(i).at(-1)).join();
  const deadline = Date.now() + 60_000;
  while ((await mirror.store.listInstances()).map((i) => i.latest).join() !== want) {
    if (Date.now() > deadline) throw new Error(`the mirror did not reach ${want} within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 120_000);

afterAll(async () => {
  await pair?.close();
});

describe('a mirror of a publisher with MEM sets', () => {
  it('stores every set of the latest version, the MEM sets included, in publisher form', async () => {
    for (const instance of INSTANCES) {
      const latest = bundledVersions(instance).at(-1)!;
      const stored = await mirror.store.getEndpointSets(instance, latest);
      const bundled = readBundled(instance, latest);
      expect(stored, instance).toEqual(bundled);
      expect(
        stored!.some((s) => s.serviceArea === 'MEM'),
        instance,
      ).toBe(true);
    }
  });

  it('answers every area, MEM alone, the default and a tenant exactly as the publisher', async () => {
    await expect
      .poll(async () => (await rawGet(mirror.url, `/version/Worldwide?${C}`)).json().latest, {
        timeout: 5000,
      })
      .toBe(bundledVersions('Worldwide').at(-1));
    for (const instance of INSTANCES) {
      for (const query of [
        'ServiceAreas=MEM,Exchange,Skype,SharePoint,Common',
        'ServiceAreas=MEM',
        '',
        'ServiceAreas=mem,exchange&TenantName=contoso&NoIPv6',
        'format=CSV&ServiceAreas=MEM,Common',
      ]) {
        const path = `/endpoints/${instance}?${query ? `${query}&` : ''}${C}`;
        const fromPublisher = await publisher.get(path);
        const fromMirror = await rawGet(mirror.url, path);
        expect(fromMirror.status, path).toBe(200);
        expect(fromMirror.text, path).toBe(fromPublisher.text);
      }
      const changes = `/changes/${instance}/0000000000?${C}`;
      expect((await rawGet(mirror.url, changes)).text).toBe((await publisher.get(changes)).text);
    }
  });
});
