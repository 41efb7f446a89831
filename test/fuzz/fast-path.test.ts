/**
 * Property test over real sockets, where the fast path (src/server/fast-path.ts) sits in front of
 * fastify: generated requests are sent twice (the second one can be answered from the prepared
 * cache); neither is a 5xx, and both get the same status, headers and body.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const path = fc.constantFrom(
  '/version',
  '/VERSION/',
  '/version/worldwide',
  '/version/China/',
  '/version/Mars',
  '/endpoints/Worldwide',
  '/endpoints/usgovdod/',
  '/Endpoints/Germany',
  '/endpoints',
  '/changes/Worldwide/2024073100',
  '/changes/china/0000000000/',
  '/changes/Worldwide/123',
  '/changes/2024073100',
);
const param = fc.oneof(
  fc.constantFrom(
    `clientrequestid=${CLIENT_ID}`,
    `ClientRequestId={${CLIENT_ID}}`,
    `clientRequestId=${CLIENT_ID.replace(/-/g, '').toUpperCase()}`,
    'clientrequestid=nope',
    'AllVersions',
    'allversions=false',
    'format=csv',
    'Format=RSS',
    'format=xml',
    'ServiceAreas=Skype',
    'serviceareas=exchange,sharepoint',
    'ServiceAreas=Teams',
    'TenantName=Contoso',
    'TenantName=-x',
    'NoIPv6',
    'noipv6=maybe',
    'singleVersion',
    'Instance=Worldwide',
    'Version=2024073100',
    'x=%ZZ',
    'TenantName=%C3%28',
  ),
  fc.string({ maxLength: 6 }).map((s) => encodeURIComponent(s)),
);
const headers = fc.constantFrom<Record<string, string>>(
  {},
  { 'accept-encoding': 'gzip' },
  { 'accept-encoding': 'gzip;q=0, identity' },
  { 'if-none-match': '"nope"' },
  { 'if-none-match': '*' },
);

it('answers repeated requests identically, never with a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(path, fc.array(param, { maxLength: 6 }), headers, async (p, params, h) => {
      const url = `${p}?${params.join('&')}`;
      const first = await server.get(url, h);
      const second = await server.get(url, h);
      expect(first.status, url).toBeLessThan(500);
      expect(second.status, url).toBe(first.status);
      const { date: _a, ...firstHeaders } = first.headers;
      const { date: _b, ...secondHeaders } = second.headers;
      expect(secondHeaders, url).toEqual(firstHeaders);
      expect(second.body.equals(first.body), url).toBe(true);
      if (first.status >= 400) expect(first.json().error.code).toMatch(/^ERR_/);
    }),
    { numRuns: 400 },
  );
});
