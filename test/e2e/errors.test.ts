/**
 * Every kind of bad request (docs/errors.md, issue 2 "Bad input") over real HTTP: a 4xx, the JSON
 * error shape `{"error": {"code", "message"}}` naming the parameter, the value and what is
 * accepted, never cached, never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_ID,
  rawSocket,
  startTestServer,
  type HttpResult,
  type TestServer,
} from '../helpers/server.js';

const C = `clientrequestid=${CLIENT_ID}`;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

function expectError(res: HttpResult, status: number, code: string, ...mentions: string[]): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers.etag).toBeUndefined();
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  for (const text of mentions) expect(body.error.message).toContain(text);
}

describe('400: malformed parameters (docs/errors.md)', () => {
  it('ClientRequestId missing or empty', async () => {
    for (const path of [
      '/version',
      '/version/Worldwide?AllVersions',
      '/endpoints/Worldwide',
      '/changes/Worldwide/0000000000',
      '/version?clientrequestid=',
    ]) {
      expectError(await server.get(path), 400, 'ERR_MISSING_PARAMETER', 'ClientRequestId');
    }
  });

  it('ClientRequestId not a GUID', async () => {
    for (const bad of [
      'abc',
      'b10c5ed1-bad1-445f-b386-b919946339a',
      'b10c5ed1bad1445fb386b919946339a7zz',
      `{${CLIENT_ID}`,
      `[${CLIENT_ID}]`,
    ]) {
      const res = await server.get(`/version?ClientRequestId=${encodeURIComponent(bad)}`);
      expectError(res, 400, 'ERR_INVALID_CLIENT_REQUEST_ID', 'ClientRequestId', bad, 'GUID');
    }
  });

  it('unknown instance, naming the served ones', async () => {
    for (const path of [
      `/version/Mars?${C}`,
      `/endpoints/USGov?${C}`,
      `/changes/Nowhere/0000000000?${C}`,
      `/endpoints?Instance=x&${C}`,
    ]) {
      expectError(await server.get(path), 400, 'ERR_UNKNOWN_INSTANCE', 'Worldwide, USGovDoD');
    }
  });

  it('instance missing where the route has none', async () => {
    expectError(await server.get(`/endpoints?${C}`), 400, 'ERR_MISSING_PARAMETER', 'instance');
    expectError(await server.get(`/version?format=RSS&${C}`), 400, 'ERR_MISSING_PARAMETER', 'RSS');
  });

  it('unknown service area', async () => {
    const res = await server.get(`/endpoints/Worldwide?ServiceAreas=Exchange,Teams&${C}`);
    expectError(
      res,
      400,
      'ERR_UNKNOWN_SERVICE_AREA',
      'ServiceAreas',
      'Teams',
      'Exchange, SharePoint, Skype, MEM, Common',
    );
  });

  it('bad format value (and RSS outside /version)', async () => {
    expectError(
      await server.get(`/version?format=xml&${C}`),
      400,
      'ERR_INVALID_FORMAT',
      'Format',
      'xml',
      'JSON, CSV, RSS',
    );
    expectError(
      await server.get(`/endpoints/Worldwide?format=rss&${C}`),
      400,
      'ERR_INVALID_FORMAT',
      'rss',
      'JSON, CSV',
    );
    expectError(
      await server.get(`/changes/Worldwide/0000000000?format=PDF&${C}`),
      400,
      'ERR_INVALID_FORMAT',
      'PDF',
    );
  });

  it('version not ten digits', async () => {
    for (const bad of ['2018', '20180630000', 'latest', '201806300a']) {
      expectError(
        await server.get(`/changes/Worldwide/${bad}?${C}`),
        400,
        'ERR_INVALID_VERSION',
        bad,
        '10 digits',
      );
    }
    expectError(
      await server.get(`/changes/Worldwide?${C}`),
      400,
      'ERR_MISSING_PARAMETER',
      'version',
    );
  });

  it('bad booleans', async () => {
    expectError(
      await server.get(`/endpoints/Worldwide?NoIPv6=yes&${C}`),
      400,
      'ERR_INVALID_BOOLEAN',
      'NoIPv6',
      'yes',
      'true or false',
    );
    expectError(
      await server.get(`/version?AllVersions=1&${C}`),
      400,
      'ERR_INVALID_BOOLEAN',
      'AllVersions',
      '1',
    );
    expectError(
      await server.get(`/changes/Worldwide/0000000000?singleVersion=no&${C}`),
      400,
      'ERR_INVALID_BOOLEAN',
      'singleVersion',
    );
  });

  it('TenantName that is not a DNS label', async () => {
    for (const bad of [
      'contoso.com',
      '-contoso',
      'contoso-',
      'a'.repeat(64),
      'con toso',
      'cöntoso',
    ]) {
      const res = await server.get(
        `/endpoints/Worldwide?TenantName=${encodeURIComponent(bad)}&${C}`,
      );
      expectError(res, 400, 'ERR_INVALID_TENANT_NAME', 'TenantName', 'DNS label');
    }
  });

  it('repeated parameters with different values', async () => {
    const res = await server.get(`/endpoints/Worldwide?format=json&Format=csv&${C}`);
    expectError(res, 400, 'ERR_INVALID_PARAMETER', 'Format', '2 times', 'json', 'csv');
    // Identical repeats are harmless.
    expect((await server.get(`/version?${C}&${C}`)).status).toBe(200);
  });

  it('oversized values and query strings', async () => {
    expectError(
      await server.get(`/endpoints/Worldwide?TenantName=${'a'.repeat(2000)}&${C}`),
      400,
      'ERR_INVALID_PARAMETER',
      'TenantName',
      'at most',
    );
    expectError(
      await server.get(`/version?${C}&pad=${'x'.repeat(5000)}`),
      400,
      'ERR_INVALID_PARAMETER',
      'query string',
      'at most',
    );
  });

  it('odd encodings: %ZZ, invalid UTF-8, NUL and control characters', async () => {
    expectError(
      await server.get(`/version?ClientRequestId=%ZZ${CLIENT_ID}`),
      400,
      'ERR_INVALID_PARAMETER',
      'ClientRequestId',
      'percent-encoded',
    );
    expectError(
      await server.get(`/endpoints/Worldwide?TenantName=%C3%28&${C}`),
      400,
      'ERR_INVALID_PARAMETER',
      'TenantName',
      'UTF-8',
    );
    expectError(
      await server.get(`/endpoints/Worldwide?TenantName=a%00b&${C}`),
      400,
      'ERR_INVALID_PARAMETER',
      'TenantName',
      'control character',
    );
    expectError(
      await server.get(`/version?ClientRequestId=${CLIENT_ID}%00`),
      400,
      'ERR_INVALID_PARAMETER',
      'control character',
    );
    expectError(
      await server.get(`/endpoints/%ZZ?${C}`),
      400,
      'ERR_INVALID_PARAMETER',
      'percent-encoded',
    );
    expectError(await server.get(`/endpoints/%C3%28?${C}`), 400, 'ERR_INVALID_PARAMETER');
    // A broken encoding in a parameter nobody reads is ignored, as unknown parameters are
    // (docs/api.md, "Common conventions").
    expect((await server.get(`/version?foo=%ZZ&${C}`)).status).toBe(200);
  });
});

describe('connection-level garbage still gets a JSON 4xx', () => {
  it('a raw NUL byte in the request line', async () => {
    const reply = await rawSocket(server.url, `GET /version?a=\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply).toContain('"code":"ERR_INVALID_PARAMETER"');
  });

  it('a URL beyond the header limit (431)', async () => {
    const reply = await rawSocket(
      server.url,
      `GET /version?${C}&x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
    expect(reply).toContain('"code":"ERR_PAYLOAD_TOO_LARGE"');
  });
});

describe('404 and 405', () => {
  it('unknown routes are 404 with the JSON shape', async () => {
    for (const path of [
      '/no/such/route',
      '/version/Worldwide/extra',
      '/endpoints/Worldwide/extra/segments',
    ]) {
      expectError(await server.get(path), 404, 'ERR_NOT_FOUND', 'no route');
    }
  });

  it('non-GET methods on web-service routes are 405 with Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of [
        '/version',
        '/version/Worldwide',
        `/endpoints/Worldwide?${C}`,
        '/changes/Worldwide/0000000000/',
      ]) {
        const res = await server.get(path, {}, method);
        expectError(res, 405, 'ERR_METHOD_NOT_ALLOWED', method);
        expect(res.headers.allow).toBe('GET, HEAD');
      }
    }
  });
});
