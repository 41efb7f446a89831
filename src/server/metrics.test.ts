import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { createMetrics, registerMetrics } from './metrics.js';

it('exposes request counts, latency, cache, versions, staleness, backlog and rate-limit health in Prometheus format', async () => {
  const metrics = createMetrics({
    versions: async () => [{ instance: 'Worldwide', latest: '2025013000' }],
    cache: () => ({ hits: 7, misses: 2, entries: 3 }),
    syncStaleness: async () => [{ instance: 'Worldwide', seconds: 42 }],
    webhookBacklog: async () => 5,
    rateLimitStoreUp: () => 0,
    observed: async () => [
      {
        instance: 'Worldwide',
        addresses: 96,
        lastRunAt: '2026-11-01T10:00:00.000Z',
        errors: 1,
        resolverDown: false,
      },
    ],
  });
  const app = Fastify();
  registerMetrics(app, metrics);
  app.get('/endpoints/:instance', async () => ({ ok: true }));
  await app.inject('/endpoints/Worldwide');
  await app.inject('/endpoints/Worldwide');
  const response = await app.inject('/metrics');
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = response.body;
  expect(text).toContain(
    'ipurl_http_requests_total{route="/endpoints/:instance",method="GET",status="200"} 2',
  );
  expect(text).toMatch(
    /ipurl_http_request_duration_seconds_count\{route="\/endpoints\/:instance"\} 2/,
  );
  for (const sample of [
    'ipurl_response_cache_hits_total 7',
    'ipurl_current_version{instance="Worldwide"} 2025013000',
    'ipurl_sync_staleness_seconds{instance="Worldwide"} 42',
    'ipurl_webhook_backlog 5',
    'ipurl_rate_limit_store_up 0',
    'ipurl_observed_addresses{instance="Worldwide"} 96',
    'ipurl_observe_last_run_timestamp_seconds{instance="Worldwide"} 1793527200',
    'ipurl_observe_errors{instance="Worldwide"} 1',
    'ipurl_observe_resolver_up{instance="Worldwide"} 1',
  ]) {
    expect(text).toContain(sample);
  }
  await app.close();
});
