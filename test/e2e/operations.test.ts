// Issue 6 operations endpoints over a real port: /health, /ready, /metrics.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundledVersions } from '../helpers/bundled-data.js';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';

const WORLDWIDE_LATEST = bundledVersions('Worldwide').at(-1)!;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

it('GET /ready says ready once the store answers and data is loaded', async () => {
  const response = await server.get('/ready');
  expect(response.status).toBe(200);
  expect(response.json()).toMatchObject({ ready: true, store: 'sqlite', instances: 5 });
  expect(response.headers['cache-control']).toBe('no-store');
});

it('GET /health lists the instances served', async () => {
  const response = await server.get('/health');
  expect(response.status).toBe(200);
  expect(response.json().instances[0]).toEqual({ instance: 'Worldwide', latest: WORLDWIDE_LATEST });
});

it('GET /metrics counts requests by route and status and reports versions and the cache', async () => {
  await server.get(`/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`);
  await server.get(`/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`);
  await server.get(`/version/Mars?clientrequestid=${CLIENT_ID}`);
  const text = (await server.get('/metrics')).text;
  expect(text).toMatch(
    /ipurl_http_requests_total\{route="\/version\/:instance",method="GET",status="400"\} 1/,
  );
  expect(text).toContain(`ipurl_current_version{instance="Worldwide"} ${WORLDWIDE_LATEST}`);
  // The second /endpoints answer comes from prepared bytes.
  expect(text).toMatch(/ipurl_response_cache_hits_total [1-9]/);
  expect(text).toContain('ipurl_webhook_backlog 0');
  expect(text).toMatch(/ipurl_http_request_duration_seconds_bucket/);
});
