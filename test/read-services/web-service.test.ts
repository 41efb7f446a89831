/**
 * The web service (/version, /endpoints, /changes) as prepared bytes, over a catalog holding the
 * whole bundled history in memory: what a client of the wire API relies on, checked against the
 * bundled data itself (Worldwide, and China beside it).
 */
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/core/change-record.js';
import { OPT_IN_SERVICE_AREAS, type EndpointSet } from '../../src/core/endpoint-set.js';
import { VERSION_ZERO } from '../../src/core/version-id.js';
import type { Catalog } from '../../src/service/catalog.js';
import {
  CONTENT_TYPES,
  createWebService,
  type EndpointsRequest,
  type PreparedResponse,
  type WebService,
} from '../../src/service/web-service.js';
import { bundledCatalog, bundledVersionsOf } from './bundled-catalog.js';

const GUID = 'b10c5ed1-bad1-445f-b386-b919946339a7';

let catalog: Catalog;
let web: WebService;
let worldwide: Array<{ version: string; sets: readonly EndpointSet[] }>;
let china: Array<{ version: string; sets: readonly EndpointSet[] }>;
beforeAll(async () => {
  catalog = await bundledCatalog();
  web = createWebService(catalog);
  worldwide = await bundledVersionsOf('Worldwide');
  china = await bundledVersionsOf('China');
});

const json = (answer: PreparedResponse): unknown => JSON.parse(answer.body.toString('utf8'));
const csv = (answer: PreparedResponse): string[][] =>
  parse(answer.body.toString('utf8'), { relax_column_count: true });

/** An answer, or the refusal as a rejection (the service throws refusals synchronously). */
const settled = (make: () => PreparedResponse | Promise<PreparedResponse>) =>
  Promise.resolve().then(make);

function endpoints(request: Partial<EndpointsRequest> = {}): Promise<PreparedResponse> {
  return settled(() =>
    web.endpoints({ instance: 'Worldwide', noIPv6: false, format: 'JSON', ...request }),
  );
}

/** The latest bundled Worldwide sets a request without ServiceAreas gets: all but the opt-in areas. */
const served = (sets: readonly EndpointSet[]) =>
  sets.filter((s) => !OPT_IN_SERVICE_AREAS.has(s.serviceArea));

describe('/version', () => {
  it('lists every served instance with its latest bundled version; the retired one is left out', async () => {
    const answer = await web.version({ allVersions: false, format: 'JSON', clientRequestId: GUID });
    expect(answer.contentType).toBe(CONTENT_TYPES.JSON);
    const list = json(answer) as Array<{ instance: string; latest: string }>;
    expect(list.map((i) => i.instance)).toEqual(['Worldwide', 'USGovDoD', 'USGovGCCHigh', 'China']);
    expect(list.find((i) => i.instance === 'Worldwide')?.latest).toBe(worldwide[0]!.version);
    expect(list.find((i) => i.instance === 'China')?.latest).toBe(china[0]!.version);
    const rows = csv(
      await web.version({ allVersions: false, format: 'CSV', clientRequestId: GUID }),
    );
    expect(rows[0]).toEqual(['instance', 'latest']);
    expect(rows.slice(1)).toEqual(list.map((i) => [i.instance, i.latest]));
  });

  it('one instance, any case, with every version newest first: the same bytes', async () => {
    const request = { allVersions: true, format: 'JSON' as const, clientRequestId: GUID };
    const answer = await web.version({ ...request, instance: 'Worldwide' });
    expect(json(answer)).toEqual({
      instance: 'Worldwide',
      latest: worldwide[0]!.version,
      versions: worldwide.map((v) => v.version),
    });
    expect(await web.version({ ...request, instance: 'wORLDWIDE' })).toBe(answer);
  });

  it('RSS: an item per version, linking its changes with the ClientRequestId, dated when published', async () => {
    const answer = await web.version({
      instance: 'china',
      allVersions: true,
      format: 'RSS',
      clientRequestId: GUID,
    });
    expect(answer.contentType).toBe(CONTENT_TYPES.RSS);
    const text = answer.body.toString('utf8');
    expect(text.match(/<item>/g)).toHaveLength(china.length);
    const latest = china[0]!.version;
    const records = await catalog.history('China');
    const count = records.filter((r) => r.version === latest).length;
    expect(count).toBeGreaterThan(0);
    expect(text).toContain(`<guid isPermaLink="false">${latest}</guid>`);
    expect(text).toContain(
      `/changes/China/${latest}?singleVersion=true&amp;clientRequestId=${GUID}</link>`,
    );
    expect(text).toContain(`<description>Version ${latest} includes ${count} changes.`);
    // Seeded versions count as published at midnight of their date.
    const midnight = new Date(
      `${latest.slice(0, 4)}-${latest.slice(4, 6)}-${latest.slice(6, 8)}T00:00:00Z`,
    );
    const day = midnight.toUTCString().slice(0, 16);
    expect(text).toContain(`<lastBuildDate>${day} 00:00:00 Z</lastBuildDate>`);
    await expect(
      settled(() => web.version({ allVersions: true, format: 'RSS', clientRequestId: GUID })),
    ).rejects.toMatchObject({ code: 'ERR_MISSING_PARAMETER' });
  });
});

describe('/endpoints', () => {
  it('the latest version’s sets, in JSON and CSV; opt-in areas only when asked for', async () => {
    const answer = await endpoints();
    expect(answer.contentType).toBe(CONTENT_TYPES.JSON);
    const sets = json(answer) as EndpointSet[];
    const latest = served(worldwide[0]!.sets);
    expect(latest.length).toBeLessThan(worldwide[0]!.sets.length);
    expect(sets.map((s) => s.id)).toEqual(latest.map((s) => s.id));
    const mem = json(await endpoints({ serviceAreas: ['MEM'] })) as EndpointSet[];
    expect(new Set(mem.map((s) => s.serviceArea))).toEqual(new Set(['MEM', 'Common']));
    const teams = sets.filter((s) => s.ips?.includes('52.112.0.0/14'));
    expect(teams.map((s) => s.serviceArea)).toContain('Skype');
    const rows = csv(await endpoints({ format: 'CSV' }));
    expect(rows[0]!.slice(0, 2)).toEqual(['id', 'serviceArea']);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(latest.map((s) => s.id));
  });

  it('filters: service areas (Common always), no IPv6, the tenant in place of <tenant>', async () => {
    const exchange = json(await endpoints({ serviceAreas: ['Exchange'] })) as EndpointSet[];
    expect(new Set(exchange.map((s) => s.serviceArea))).toEqual(new Set(['Exchange', 'Common']));
    const v4 = json(await endpoints({ noIPv6: true })) as EndpointSet[];
    const ips = v4.flatMap((s) => s.ips ?? []);
    expect(ips.length).toBeGreaterThan(0);
    expect(ips.filter((ip) => ip.includes(':'))).toEqual([]);
    const all = served(worldwide[0]!.sets).flatMap((s) => s.ips ?? []);
    expect(ips).toEqual(all.filter((ip) => !ip.includes(':')));
    const tenant = JSON.stringify(json(await endpoints({ tenantName: 'contoso' })));
    expect(tenant).toContain('contoso');
    expect(tenant).not.toContain('<tenant>');
  });

  it('an ETag per content: the same question gets the same bytes, another content another tag', async () => {
    const first = await endpoints();
    expect(await endpoints({ instance: 'WorldWide' })).toBe(first);
    expect(first.etag).toMatch(/^"[\w-]{32}"$/);
    const others = [
      await endpoints({ format: 'CSV' }),
      await endpoints({ noIPv6: true }),
      await endpoints({ instance: 'China' }),
      // Service areas in any order are one question.
      await endpoints({ serviceAreas: ['SharePoint', 'Exchange'] }),
    ];
    expect(new Set([first, ...others].map((a) => a.etag)).size).toBe(5);
    expect(await endpoints({ serviceAreas: ['Exchange', 'SharePoint'] })).toBe(others[3]);
  });

  it('an unknown instance is refused naming the instances there are', async () => {
    await expect(endpoints({ instance: 'Mars' })).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_INSTANCE',
      message: expect.stringContaining('Worldwide, USGovDoD, USGovGCCHigh, China, Germany'),
    });
  });
});

describe('/changes', () => {
  const changes = async (version: string, singleVersion = false, format: 'JSON' | 'CSV' = 'JSON') =>
    settled(() => web.changes({ instance: 'Worldwide', version, singleVersion, format }));

  it('the records after a version, or of it alone, ordered by version then id', async () => {
    const [latest, previous, older] = worldwide.map((v) => v.version);
    const all = json(await changes(VERSION_ZERO)) as ChangeRecord[];
    expect(new Set(all.map((r) => r.version))).toEqual(new Set(worldwide.map((v) => v.version)));
    const order = all.map((r) => `${r.version}#${String(r.id).padStart(6, '0')}`);
    expect(order).toEqual([...order].sort());
    const afterPrevious = json(await changes(previous!)) as ChangeRecord[];
    expect(afterPrevious.length).toBeGreaterThan(0);
    expect(afterPrevious).toEqual(all.filter((r) => r.version === latest));
    const onlyPrevious = json(await changes(previous!, true)) as ChangeRecord[];
    expect(onlyPrevious.length).toBeGreaterThan(0);
    expect(onlyPrevious).toEqual(all.filter((r) => r.version === previous));
    expect(json(await changes(older!))).toEqual(
      all.filter((r) => r.version === previous || r.version === latest),
    );
    const rows = csv(await changes(previous!, false, 'CSV'));
    expect(rows[0]!.slice(0, 4)).toEqual(['id', 'endpointSetId', 'disposition', 'version']);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(afterPrevious.map((r) => r.id));
  });

  it('every version between two stored ones names the same answer; at or after the latest, []', async () => {
    const [latest, previous] = worldwide.map((v) => v.version);
    const between = String(Number(previous) + 1);
    expect(between < latest!).toBe(true);
    expect(await changes(between)).toBe(await changes(previous!));
    const none = await changes(latest!);
    expect(json(none)).toEqual([]);
    expect(await changes('2999123199')).toBe(none);
    // A version that is not stored has no records of its own.
    expect(json(await changes(between, true))).toEqual([]);
  });
});
