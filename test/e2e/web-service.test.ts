/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unnecessary-type-assertion -- test code reads parsed JSON and CSV loosely */
/**
 * The web service over real HTTP against a real SQLite file seeded from data/ (issue 2): every
 * example shape of docs/api.md, every parameter form Microsoft's clients use, formats, caching.
 */
import { gunzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterEndpointSets } from '../../src/core/filters.js';
import { renderEndpointsJson } from '../../src/formats/wire-json.js';
import {
  bundledInstances,
  bundledVersions,
  readBundled,
  readFixture,
} from '../helpers/bundled-data.js';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';

const C = `clientrequestid=${CLIENT_ID}`;
const ENDPOINT_KEYS = [
  'id',
  'serviceArea',
  'serviceAreaDisplayName',
  'urls',
  'ips',
  'tcpPorts',
  'udpPorts',
  'expressRoute',
  'category',
  'required',
  'notes',
];
const CHANGE_KEYS = [
  'id',
  'endpointSetId',
  'changeDescription',
  'disposition',
  'version',
  'impact',
  'previous',
  'current',
  'add',
  'remove',
];

/** Keys appear in the allowed relative order (omissions allowed, no extras). */
function expectKeyOrder(record: object, order: readonly string[]): void {
  const keys = Object.keys(record);
  const positions = keys.map((key) => order.indexOf(key));
  expect(
    positions.every((p) => p >= 0),
    `unexpected key in ${keys.join(',')}`,
  ).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
}

let server: TestServer;
// The live service's /version list: Germany (retired October 2021) is left out of it.
const INSTANCE_ORDER = ['Worldwide', 'USGovDoD', 'USGovGCCHigh', 'China'];
const latestOf = (instance: string): string => bundledVersions(instance).at(-1)!;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('/version (docs/api.md, "GET /version")', () => {
  it('lists every instance in canonical order with its latest version, JSON by default', async () => {
    const res = await server.get(`/version?${C}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json();
    expect(body.map((r: { instance: string }) => r.instance)).toEqual(
      INSTANCE_ORDER.filter((i) => bundledInstances().includes(i)),
    );
    for (const record of body) {
      expect(Object.keys(record)).toEqual(['instance', 'latest']);
      expect(record.latest).toBe(latestOf(record.instance));
    }
    // Same shape as Microsoft's documented example (test/fixtures/wire/version-doc-example.json).
    const doc = readFixture('wire/version-doc-example.json') as Array<Record<string, string>>;
    expect(body.map((r: object) => Object.keys(r))).toEqual(
      doc.slice(0, body.length).map((r) => Object.keys(r)),
    );
    // Germany keeps its whole history under its own routes.
    const germany = await server.get(`/version/Germany?allversions&${C}`);
    expect(germany.status).toBe(200);
    expect(germany.json().versions).toEqual([...bundledVersions('Germany')].reverse());
    expect((await server.get(`/endpoints/Germany?${C}`)).status).toBe(200);
  });

  it('answers one object for /version/{instance}, echoing the canonical name for any casing', async () => {
    for (const path of [
      '/version/Worldwide',
      '/version/worldwide',
      '/version/WORLDWIDE/',
      '/Version/WorldWide',
    ]) {
      const res = await server.get(`${path}?${C}`);
      expect(res.status, path).toBe(200);
      expect(res.json()).toEqual({ instance: 'Worldwide', latest: latestOf('Worldwide') });
    }
    const doc = readFixture('wire/version-Worldwide-doc-example.json') as object;
    expect(Object.keys((await server.get(`/version/Worldwide?${C}`)).json())).toEqual(
      Object.keys(doc),
    );
  });

  it('AllVersions lists every version newest first with latest at index 0, bare or =true', async () => {
    const expected = [...bundledVersions('USGovDoD')].reverse();
    for (const query of [
      `allversions&${C}`,
      `AllVersions=true&${C}`,
      `${C}&allVersions=TRUE`,
      `${C}&AllVersions=`,
    ]) {
      const body = (await server.get(`/version/usgovdod?${query}`)).json();
      expect(Object.keys(body)).toEqual(['instance', 'latest', 'versions']);
      expect(body.versions).toEqual(expected);
      expect(body.versions[0]).toBe(body.latest);
    }
    const doc = readFixture('wire/version-Worldwide-AllVersions-doc-example.json') as object;
    expect(Object.keys((await server.get(`/version/Worldwide?AllVersions&${C}`)).json())).toEqual(
      Object.keys(doc),
    );
    expect(
      Object.keys((await server.get(`/version/Worldwide?AllVersions=false&${C}`)).json()),
    ).toEqual(['instance', 'latest']);
  });

  it('accepts ?Instance= where the route has no instance segment (our decision)', async () => {
    const res = await server.get(`/version?Instance=china&${C}`);
    expect(res.json()).toEqual({ instance: 'China', latest: latestOf('China') });
  });

  it('renders CSV as instance,latest with CRLF, plus a quoted versions column with AllVersions', async () => {
    const res = await server.get(`/version/Worldwide?format=CSV&${C}`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.text).toBe(`instance,latest\r\nWorldwide,${latestOf('Worldwide')}\r\n`);
    const all = await server.get(`/version?format=csv&allversions&${C}`);
    const rows = parseCsv(all.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.instance)).toEqual(INSTANCE_ORDER);
    for (const row of rows)
      expect(row.versions!.split(',')).toEqual([...bundledVersions(row.instance!)].reverse());
    expect(all.text).not.toContain(
      `Germany,${latestOf('Germany')},"${[...bundledVersions('Germany')].reverse().join(',')}"\r\n`,
    );
  });

  it('accepts every GUID form .NET Guid.TryParse accepts (N, D, B, P)', async () => {
    const forms = [
      CLIENT_ID,
      CLIENT_ID.toUpperCase(),
      `{${CLIENT_ID}}`,
      `%7B${CLIENT_ID}%7D`,
      `(${CLIENT_ID})`,
      CLIENT_ID.replace(/-/g, ''),
      `%20${CLIENT_ID}%20`,
    ];
    for (const form of forms) {
      const res = await server.get(`/version?ClientRequestId=${form}`);
      expect(res.status, form).toBe(200);
    }
  });
});

describe('/endpoints/{instance} (docs/api.md, "GET /endpoints/{instance}")', () => {
  it('returns the latest sets in id order with wire key order and `<tenant>` rendered as `*`', async () => {
    const res = await server.get(`/endpoints/Worldwide?${C}`);
    expect(res.status).toBe(200);
    const sets = res.json() as Array<Record<string, unknown>>;
    const ids = sets.map((s) => s.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const set of sets) {
      expectKeyOrder(set, ENDPOINT_KEYS);
      expect(typeof set.required).toBe('boolean');
      expect(typeof set.expressRoute).toBe('boolean');
      if ('urls' in set) expect((set.urls as string[]).length).toBeGreaterThan(0);
      if ('ips' in set) expect((set.ips as string[]).length).toBeGreaterThan(0);
    }
    expect(res.text).not.toContain('<tenant>');
    expect(res.text).toContain('"autodiscover.*.onmicrosoft.com"');
    // Byte-identical to the renderer over the filter (one code path, no drift).
    const expected = renderEndpointsJson(
      filterEndpointSets(readBundled('Worldwide', latestOf('Worldwide'))),
    );
    expect(res.text).toBe(expected);
  });

  it('serves the Get-PacFile form (trailing slash, lower-case names, braces GUID) identically', async () => {
    const a = await server.get(`/endpoints/Worldwide?${C}`);
    const b = await server.get(`/endpoints/worldwide/?clientrequestid={${CLIENT_ID}}`);
    const c = await server.get(`/endpoints?instance=WorldWide&ClientRequestId=${CLIENT_ID}`);
    expect(b.status).toBe(200);
    expect(b.text).toBe(a.text);
    expect(c.text).toBe(a.text);
    expect(b.headers.etag).toBe(a.headers.etag);
  });

  it('ServiceAreas keeps the listed areas plus Common, any case', async () => {
    const all = (await server.get(`/endpoints/Worldwide?${C}`)).json() as Array<{
      id: number;
      serviceArea: string;
    }>;
    for (const [query, areas] of [
      ['ServiceAreas=Exchange', ['Exchange', 'Common']],
      ['serviceareas=sharepoint,SKYPE', ['SharePoint', 'Skype', 'Common']],
      ['ServiceAreas=Common', ['Common']],
      ['ServiceAreas=Exchange,%20Skype', ['Exchange', 'Skype', 'Common']],
    ] as const) {
      const body = (await server.get(`/endpoints/Worldwide?${query}&${C}`)).json() as Array<{
        id: number;
        serviceArea: string;
      }>;
      expect(
        body.map((s) => s.id),
        query,
      ).toEqual(
        all.filter((s) => (areas as readonly string[]).includes(s.serviceArea)).map((s) => s.id),
      );
    }
    const everything = await server.get(
      `/endpoints/Worldwide?ServiceAreas=Common,Exchange,SharePoint,Skype&${C}`,
    );
    expect(everything.json()).toEqual(all);
  });

  it('NoIPv6 drops IPv6 prefixes, omits emptied ips, and drops emptied sets', async () => {
    const full = (await server.get(`/endpoints/Worldwide?${C}`)).json() as Array<{
      id: number;
      ips?: string[];
      urls?: string[];
    }>;
    const body = (await server.get(`/endpoints/Worldwide?NoIPv6=true&${C}`)).json() as Array<{
      id: number;
      ips?: string[];
      urls?: string[];
    }>;
    expect(JSON.stringify(body)).not.toMatch(/"[0-9a-f:]*:[0-9a-f:]*\/\d+"/);
    for (const set of body) {
      if (set.ips) expect(set.ips.length).toBeGreaterThan(0);
      expect(set.ips !== undefined || set.urls !== undefined).toBe(true);
    }
    const ipv6Only = full.filter((s) => !s.urls && s.ips?.every((ip) => ip.includes(':')));
    for (const set of ipv6Only) expect(body.find((s) => s.id === set.id)).toBeUndefined();
    expect((await server.get(`/endpoints/Worldwide?noipv6&${C}`)).text).toBe(
      JSON.stringify(body, null, 2).replace(/\n/g, '\r\n'),
    );
    expect((await server.get(`/endpoints/Worldwide?NoIPv6=false&${C}`)).json()).toEqual(full);
  });

  it('CSV has the JSON columns, quoted comma-joined lists, True/False, CRLF', async () => {
    const json = (await server.get(`/endpoints/USGovGCCHigh?${C}`)).json() as Array<
      Record<string, unknown>
    >;
    const res = await server.get(`/endpoints/USGovGCCHigh?format=CSV&${C}`);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.text.split('\r\n')[0]).toBe(
      'id,serviceArea,serviceAreaDisplayName,urls,ips,tcpPorts,udpPorts,expressRoute,category,required,notes',
    );
    expect(res.text.replace(/\r\n/g, '')).not.toContain('\n');
    const rows = parseCsv(res.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(json.length);
    rows.forEach((row, i) => {
      const set = json[i]!;
      expect(Number(row.id)).toBe(set.id);
      expect(row.urls).toBe(((set.urls as string[] | undefined) ?? []).join(','));
      expect(row.ips).toBe(((set.ips as string[] | undefined) ?? []).join(','));
      expect(row.tcpPorts).toBe(set.tcpPorts ?? '');
      expect(row.expressRoute).toBe(set.expressRoute ? 'True' : 'False');
      expect(row.required).toBe(set.required ? 'True' : 'False');
      expect(row.notes).toBe(set.notes ?? '');
    });
    // A one-element list is still quoted.
    const single = json.find((s) => (s.urls as string[] | undefined)?.length === 1)!;
    expect(res.text).toContain(`"${(single.urls as string[])[0]}"`);
  });
});

describe('/changes/{instance}/{version} (docs/api.md, "GET /changes/{instance}/{version}")', () => {
  it('gives the records after a version, ordered by version then id, in wire key order', async () => {
    const res = await server.get(`/changes/worldwide/0000000000?${C}`);
    expect(res.status).toBe(200);
    const records = res.json() as Array<{ id: number; version: string }>;
    expect(records.length).toBeGreaterThan(100);
    const sorted = [...records].sort((a, b) =>
      a.version === b.version ? a.id - b.id : a.version < b.version ? -1 : 1,
    );
    expect(records).toEqual(sorted);
    for (const record of records) expectKeyOrder(record, CHANGE_KEYS);
    const after = (await server.get(`/changes/Worldwide/2024073100?${C}`)).json() as Array<{
      version: string;
    }>;
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((r) => r.version))).toEqual(
      new Set(bundledVersions('Worldwide').filter((v) => v > '2024073100')),
    );
  });

  it('is [] at or after the latest version (our decision), and accepts any ten digits', async () => {
    for (const v of [latestOf('Worldwide'), '9999999999']) {
      const res = await server.get(`/changes/Worldwide/${v}?${C}`);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual([]);
    }
  });

  it('singleVersion returns exactly that version (the RSS link form) and reproduces the real record', async () => {
    const res = await server.get(
      `/changes/Worldwide/2020012800?singleVersion&clientRequestId=${CLIENT_ID}`,
    );
    const records = res.json() as Array<Record<string, unknown>>;
    expect(records.every((r) => r.version === '2020012800')).toBe(true);
    const [real] = readFixture('wire/changes-Worldwide-2020012800-one-real-record.json') as Array<
      Record<string, any>
    >;
    const ours = records.find((r) => r.endpointSetId === 149)!;
    const strip = (r: Record<string, any>) => ({
      ...r,
      id: 0,
      add: { ...r.add, effectiveDate: '' },
    });
    expect(JSON.stringify(strip(ours))).toBe(JSON.stringify(strip(real!)));
  });

  it('CSV flattens records to the documented columns', async () => {
    const json = (await server.get(`/changes/Worldwide/2024073100?${C}`)).json() as Array<
      Record<string, any>
    >;
    const res = await server.get(`/changes/Worldwide/2024073100?format=csv&${C}`);
    const rows = parseCsv(res.text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0]!)).toEqual([
      'id',
      'endpointSetId',
      'disposition',
      'version',
      'impact',
      'previousExpressRoute',
      'previousServiceArea',
      'previousCategory',
      'previousRequired',
      'previousTcpPorts',
      'previousUdpPorts',
      'previousNotes',
      'currentExpressRoute',
      'currentServiceArea',
      'currentCategory',
      'currentRequired',
      'currentTcpPorts',
      'currentUdpPorts',
      'currentNotes',
      'addEffectiveDate',
      'addIps',
      'addUrls',
      'removeIps',
      'removeUrls',
    ]);
    rows.forEach((row, i) => {
      const r = json[i]!;
      expect(Number(row.id)).toBe(r.id);
      expect(row.impact).toBe(r.impact ?? '');
      expect(row.addUrls).toBe((r.add?.urls ?? []).join(','));
      expect(row.removeIps).toBe((r.remove?.ips ?? []).join(','));
      if (r.current?.required)
        expect(row.currentRequired).toBe(r.current.required === 'true' ? 'True' : 'False');
    });
  });

  it('accepts /changes?Instance=&Version= and /changes/{version}?Instance= (our decision)', async () => {
    const a = await server.get(`/changes/Worldwide/2024073100?${C}`);
    expect((await server.get(`/changes?Instance=Worldwide&Version=2024073100&${C}`)).text).toBe(
      a.text,
    );
    expect((await server.get(`/changes/2024073100?Instance=worldwide&${C}`)).text).toBe(a.text);
  });
});

describe('RSS (docs/api.md, "GET /version")', () => {
  it('is well-formed, one item per version newest first, with the documented sentence and escaped links', async () => {
    const res = await server.get(
      `/version/worldwide?format=rss&AllVersions&clientrequestid={${CLIENT_ID.toUpperCase()}}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(XMLValidator.validate(res.text)).toBe(true);
    const feed = new XMLParser({ ignoreAttributes: false }).parse(res.text);
    const channel = feed.rss.channel;
    expect(channel.title).toBe('Office 365 IP Address and URL web service - Worldwide');
    const items = channel.item as Array<Record<string, any>>;
    const versions = [...bundledVersions('Worldwide')].reverse();
    expect(items.map((i) => String(i.guid['#text']))).toEqual(versions);
    expect(channel.lastBuildDate).toBe(items[0]!.pubDate);
    expect(items[0]!.title).toBe(`${versions[0]} - Worldwide`);
    for (const item of items) {
      expect(item.description).toMatch(
        /^Version \d{10} includes \d+ changes\. IPs: \d+ added and \d+ removed\. URLs: \d+ added and \d+ removed\.( \d+ other attributes changed\.)?$/,
      );
      expect(item.pubDate).toMatch(
        /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} 00:00:00 Z$/,
      );
    }
    expect(res.text).toContain(
      `<link>https://endpoints.office.com/changes/Worldwide/${versions[0]}?singleVersion=true&amp;clientRequestId=${CLIENT_ID}</link>`,
    );
    // The counts are those of /changes?singleVersion.
    const records = (
      await server.get(`/changes/Worldwide/${versions[1]}?singleVersion&${C}`)
    ).json() as Array<Record<string, any>>;
    const ipsAdded = records.reduce((n, r) => n + (r.add?.ips?.length ?? 0), 0);
    expect(items[1]!.description).toContain(
      `includes ${records.length} changes. IPs: ${ipsAdded} added`,
    );
  });
});

describe('caching (docs/api.md, "Caching")', () => {
  it('sends Cache-Control and a strong ETag on every data response, and 304 on If-None-Match', async () => {
    for (const path of [
      `/version?${C}`,
      `/version/China?format=rss&${C}`,
      `/endpoints/China?${C}`,
      `/changes/China/0000000000?format=csv&${C}`,
    ]) {
      const res = await server.get(path);
      expect(res.headers['cache-control'], path).toBe('public, max-age=3600');
      const etag = res.headers.etag as string;
      expect(etag).toMatch(/^"[^"]+"$/);
      const again = await server.get(path, { 'if-none-match': etag });
      expect(again.status, path).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect((await server.get(path, { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
      expect((await server.get(path, { 'if-none-match': '"other"' })).status).toBe(200);
    }
    const a = await server.get(`/endpoints/China?${C}`);
    const b = await server.get(`/endpoints/China?NoIPv6&${C}`);
    expect(a.headers.etag).not.toBe(b.headers.etag);
  });

  it('serves gzip to clients that accept it, with its own ETag, same content', async () => {
    const plain = await server.get(`/endpoints/Worldwide?${C}`);
    const gz = await server.get(`/endpoints/Worldwide?${C}`, {
      'accept-encoding': 'gzip, deflate',
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(gz.body).toString('utf8')).toBe(plain.text);
    expect(gz.headers.etag).not.toBe(plain.headers.etag);
    expect(
      (
        await server.get(`/endpoints/Worldwide?${C}`, {
          'accept-encoding': 'gzip',
          'if-none-match': gz.headers.etag as string,
        })
      ).status,
    ).toBe(304);
  });

  it('answers a cached response (fast path) exactly as the first, rendered one (fastify route)', async () => {
    const strip = (headers: Record<string, unknown>) => {
      const { date: _date, ...rest } = headers;
      return rest;
    };
    for (const [path, headers] of [
      [`/changes/USGovDoD/2019010100?format=csv&${C}`, {}],
      [`/Endpoints/usgovdod/?ServiceAreas=Skype&NoIPv6&${C}`, { 'accept-encoding': 'gzip' }],
      [`/version/usgovdod?allversions&${C}`, {}],
      [`/version?format=csv&${C}&fresh=1`, {}],
    ] as const) {
      const first = await server.get(path, headers);
      const second = await server.get(path, headers);
      expect(second.status, path).toBe(first.status);
      expect(strip(second.headers), path).toEqual(strip(first.headers));
      expect(second.body.equals(first.body), path).toBe(true);
      const conditional = await server.get(path, {
        ...headers,
        'if-none-match': first.headers.etag as string,
      });
      expect(conditional.status).toBe(304);
      expect(conditional.headers.etag).toBe(first.headers.etag);
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await server.get(`/endpoints/Worldwide?${C}`, {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    expect(res.headers.etag).toMatch(/^"/);
  });
});
