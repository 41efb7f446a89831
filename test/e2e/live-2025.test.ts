/* eslint-disable @typescript-eslint/no-explicit-any -- test code reads parsed JSON and CSV loosely */
/**
 * Issue 9 proof, over a real port on a store seeded from data/: the seven answers of the live
 * service captured in 2025 (test/fixtures/live) come back exactly — value, key order and bytes
 * once CRLF is applied — with and without MEM, through fastify (first request, a cache miss) and
 * through the fast path (the same URL again). MEM is opt-in, and in CSV and /changes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';

const C = `clientrequestid=${CLIENT_ID}`;
const ALL_AREAS = 'ServiceAreas=MEM,Exchange,Skype,SharePoint,Common';

/** [fixture file, instance as a client writes it, query] */
const LIVE: ReadonlyArray<readonly [string, string, string]> = [
  ['Worldwide/2025092900.json', 'Worldwide', ''],
  ['Worldwide/2025092900.with-MEM.json', 'Worldwide', ALL_AREAS],
  ['USGovDoD/2025103000.json', 'USGOVDoD', ''],
  ['USGovDoD/2025103000.with-MEM.json', 'USGOVDoD', ALL_AREAS],
  ['USGovGCCHigh/2025103000.json', 'USGOVGCCHigh', ''],
  ['USGovGCCHigh/2025103000.json', 'USGOVGCCHigh', ALL_AREAS],
  ['China/2025112700.json', 'China', ''],
  ['China/2025112700.json', 'China', ALL_AREAS],
];

function live(file: string): string {
  return readFileSync(join(REPO_ROOT, 'test/fixtures/live', file), 'utf8');
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('the live 2025 answers, reproduced', () => {
  for (const [file, instance, query] of LIVE) {
    it(`/endpoints/${instance}${query ? `?${query}` : ''} equals live ${file}`, async () => {
      const want = live(file);
      const path = `/endpoints/${instance}?${query ? `${query}&` : ''}${C}`;
      for (const via of ['fastify', 'fast path']) {
        const res = await server.get(path);
        expect(res.status, via).toBe(200);
        const ours = res.json() as Array<Record<string, unknown>>;
        const real = JSON.parse(want) as Array<Record<string, unknown>>;
        expect(ours.length, via).toBe(real.length);
        ours.forEach((record, i) => {
          expect(Object.keys(record), `${via} record ${i}`).toEqual(Object.keys(real[i]!));
        });
        expect(ours, via).toEqual(real);
        expect(res.text, via).toBe(want.replace(/\n/g, '\r\n'));
      }
    });
  }

  it('China 2025063000 (not the latest) renders back to the live answer', async () => {
    // /endpoints serves only the latest version, so render the bundled file with the wire renderer.
    const { filterEndpointSets } = await import('../../src/core/filters.js');
    const { renderEndpointsJson } = await import('../../src/formats/wire-json.js');
    const { readBundled } = await import('../helpers/bundled-data.js');
    expect(renderEndpointsJson(filterEndpointSets(readBundled('China', '2025063000')))).toBe(
      live('China/2025063000.json').replace(/\n/g, '\r\n'),
    );
  });
});

describe('MEM, the fifth service area', () => {
  it('is left out by default and returned when ServiceAreas names it, with Common', async () => {
    const byDefault = (await server.get(`/endpoints/Worldwide?${C}`)).json() as any[];
    expect(byDefault.some((s) => s.serviceArea === 'MEM')).toBe(false);
    const mem = (await server.get(`/endpoints/Worldwide?ServiceAreas=mem&${C}`)).json() as any[];
    expect([...new Set(mem.map((s) => s.serviceArea))].sort()).toEqual(['Common', 'MEM']);
    expect(mem.filter((s) => s.serviceArea === 'MEM').map((s) => s.id)).toEqual([
      163, 164, 165, 169, 170, 171, 173, 179, 181, 182, 186, 187, 188, 189, 192,
    ]);
    expect(mem.find((s) => s.id === 163).serviceAreaDisplayName).toBe('Microsoft Endpoint Manager');
  });

  it('is in the CSV when asked for', async () => {
    const res = await server.get(`/endpoints/Worldwide?ServiceAreas=MEM&format=CSV&${C}`);
    expect(res.status).toBe(200);
    const rows = parseCsv<Record<string, string>>(res.text, { columns: true });
    const memRows = rows.filter((r) => r.serviceArea === 'MEM');
    expect(memRows).toHaveLength(15);
    expect(memRows[0]).toMatchObject({
      id: '163',
      serviceAreaDisplayName: 'Microsoft Endpoint Manager',
      category: 'Allow',
      required: 'True',
    });
    expect(memRows[0]!.ips!.split(',')).toContain('4.145.74.224/27');
  });

  it('/changes reports the MEM sets added in 2025092900', async () => {
    const res = await server.get(`/changes/Worldwide/2025013000?${C}`);
    expect(res.status).toBe(200);
    const records = res.json() as any[];
    const added = records
      .filter((r) => r.disposition === 'Add')
      .map((r) => r.endpointSetId as number);
    for (const id of [163, 164, 165, 169, 170, 171, 173, 179, 181, 182, 186, 187, 188, 189, 192])
      expect(added).toContain(id);
    const r163 = records.find((r) => r.endpointSetId === 163);
    expect(r163.add.ips).toContain('4.145.74.224/27');
    expect(r163.version).toBe('2025092900');
  });

  it.each(['Intune', 'MEMM'])('ServiceAreas=%s answers 400 naming the five areas', async (area) => {
    const res = await server.get(`/endpoints/Worldwide?ServiceAreas=${area}&${C}`);
    expect(res.status).toBe(400);
    expect(res.json().error.code).toBe('ERR_UNKNOWN_SERVICE_AREA');
    expect(res.json().error.message).toContain(`"${area}"`);
    expect(res.json().error.message).toContain('Exchange, SharePoint, Skype, MEM, Common');
  });
});
