/**
 * TenantName substitution (docs/api.md, "GET /endpoints/{instance}") at every placeholder form in
 * the bundled data, over real HTTP: versions that carry each form are stored as the latest of
 * their instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { bundledVersions, readBundled } from '../helpers/bundled-data.js';
import { CLIENT_ID, appendSets, startTestServer, type TestServer } from '../helpers/server.js';

const C = `clientrequestid=${CLIENT_ID}`;
/** Instance → the bundled version stored as its latest (each carries placeholder forms). */
const PICKS: Record<string, string> = {
  Worldwide: '2022072800', // <tenant>.sharepoint.com, -my, -files, -myfiles, -admin, autodiscover.<tenant>.onmicrosoft.com
  Germany: '2020032700', // <tenant>.sharepoint.de, <tenant>.mail.protection.outlook.de
  USGovDoD: bundledVersions('USGovDoD').at(-1)!, // autodiscover.<tenant>[.mail].onmicrosoft.us
  USGovGCCHigh: bundledVersions('USGovGCCHigh').at(-1)!,
  China: bundledVersions('China').at(-1)!, // <tenant>.officewebapps.cn
};

let server: TestServer;
const stored = new Map<string, EndpointSet[]>();

beforeAll(async () => {
  for (const [instance, version] of Object.entries(PICKS))
    stored.set(instance, readBundled(instance, version));
  server = await startTestServer({
    seed: 'none',
    prepare: async (store) => {
      for (const [instance, version] of Object.entries(PICKS))
        await appendSets(store, instance, version, stored.get(instance)!);
    },
  });
});
afterAll(async () => {
  await server?.close();
});

type WireSet = { id: number; urls?: string[] };

describe('TenantName', () => {
  it('covers every placeholder form the data has', () => {
    const forms = new Set<string>();
    for (const sets of stored.values())
      for (const set of sets)
        for (const url of set.urls ?? []) if (url.includes('<tenant>')) forms.add(url);
    for (const form of [
      '<tenant>.sharepoint.com',
      '<tenant>-my.sharepoint.com',
      '<tenant>-files.sharepoint.com',
      '<tenant>-myfiles.sharepoint.com',
      'autodiscover.<tenant>.onmicrosoft.com',
      'autodiscover.<tenant>.onmicrosoft.us',
      'autodiscover.<tenant>.mail.onmicrosoft.us',
      '<tenant>.sharepoint.de',
      '<tenant>.mail.protection.outlook.de',
    ]) {
      expect(forms, form).toContain(form);
    }
  });

  for (const instance of Object.keys(PICKS)) {
    it(`substitutes only placeholder positions in ${instance} (lower-cased), and renders * without it`, async () => {
      // Every area, MEM included (USGovDoD has a MEM set), so every stored set is in the answer.
      const all = 'ServiceAreas=Exchange,SharePoint,Skype,MEM';
      const withTenant = (
        await server.get(`/endpoints/${instance}?${all}&TenantName=Contoso&${C}`)
      ).json() as WireSet[];
      const without = (await server.get(`/endpoints/${instance}?${all}&${C}`)).json() as WireSet[];
      let placeholders = 0;
      for (const set of stored.get(instance)!) {
        const a = withTenant.find((s) => s.id === set.id)!;
        const b = without.find((s) => s.id === set.id)!;
        for (const url of set.urls ?? []) {
          if (url.includes('<tenant>')) {
            placeholders += 1;
            expect(a.urls).toContain(url.replaceAll('<tenant>', 'contoso'));
            expect(b.urls).toContain(url.replaceAll('<tenant>', '*'));
          } else {
            // Ordinary wildcards and names stay as they are.
            expect(a.urls).toContain(url);
            expect(b.urls).toContain(url);
          }
        }
        // Exact duplicates removed after substitution (our decision).
        expect(new Set(b.urls ?? []).size).toBe((b.urls ?? []).length);
      }
      expect(placeholders).toBeGreaterThan(0);
      const text = JSON.stringify(withTenant);
      expect(text).not.toContain('<tenant>');
      expect(text).not.toContain('Contoso');
    });
  }

  it('gives the exact Worldwide SharePoint names for a tenant', async () => {
    const body = (
      await server.get(`/endpoints/Worldwide?ServiceAreas=SharePoint&TenantName=fabrikam&${C}`)
    ).json() as WireSet[];
    const urls = body.flatMap((s) => s.urls ?? []);
    for (const url of [
      'fabrikam.sharepoint.com',
      'fabrikam-my.sharepoint.com',
      'fabrikam-files.sharepoint.com',
      'fabrikam-myfiles.sharepoint.com',
    ]) {
      expect(urls).toContain(url);
    }
    const germany = (
      await server.get(`/endpoints/germany?TenantName=fabrikam&${C}`)
    ).json() as WireSet[];
    expect(germany.flatMap((s) => s.urls ?? [])).toEqual(
      expect.arrayContaining(['fabrikam.sharepoint.de', 'fabrikam.mail.protection.outlook.de']),
    );
  });
});
