/**
 * Issue 9: a doubled slash is accepted wherever a single one is (a real importer has called
 * `https://endpoints.office.com//endpoints/Worldwide` since 2018): the same status and body,
 * through fastify (first request) and the fast path (the same URL again).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';

const C = `ClientRequestId=${CLIENT_ID}`;
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

it.each([
  ['//endpoints/Worldwide', '/endpoints/Worldwide'],
  ['/endpoints//Worldwide', '/endpoints/Worldwide'],
  ['//version', '/version'],
  ['//version//China', '/version/China'],
  ['/changes//Worldwide//2025013000', '/changes/Worldwide/2025013000'],
])('%s answers as %s, through fastify and the fast path', async (doubled, single) => {
  const want = await server.get(`${single}?${C}`);
  expect(want.status).toBe(200);
  for (const via of ['fastify', 'fast path']) {
    const res = await server.get(`${doubled}?${C}`);
    expect(res.status, via).toBe(200);
    expect(res.text, via).toBe(want.text);
    expect(res.headers['etag'], via).toBe(want.headers['etag']);
  }
});
