/**
 * Prometheus metrics (issue 6), in prom-client's text format at GET /metrics: requests by route
 * and status, a latency histogram, response-cache hits, the current version per instance, sync
 * staleness, webhook backlog and the rate-limit store's health. Values that live elsewhere are
 * read through `MetricsSources` when Prometheus scrapes, so the hot path only counts.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CatalogStats } from '../service/catalog.js';
import { addGauges, addInstanceGauges } from './gauge-family.js';

export interface MetricsSources {
  /** Latest version per instance. */
  versions?: () => Promise<ReadonlyArray<{ instance: string; latest: string }>>;
  /** Response-cache counters since start. */
  cache?: () => { hits: number; misses: number; entries: number };
  /** The read side's caches (service/catalog.ts): sizes and in-flight joins. */
  catalog?: () => CatalogStats;
  /** Seconds since the last successful upstream sync, per instance (mirrors only). */
  syncStaleness?: () => Promise<ReadonlyArray<{ instance: string; seconds: number }>>;
  /** Pending webhook deliveries. */
  webhookBacklog?: () => Promise<number>;
  /** Rate-limit store: 1 healthy, 0 failing open. */
  rateLimitStoreUp?: () => number | undefined;
  /** Observed addresses (`ipurl observe`) per instance, with the last run. */
  observed?: () => Promise<
    ReadonlyArray<{
      instance: string;
      addresses: number;
      lastRunAt: string;
      errors: number;
      resolverDown: boolean;
    }>
  >;
}

export interface Metrics {
  readonly registry: Registry;
  /** Count one finished request. `route` is the route pattern, never the raw URL. */
  observe(route: string, method: string, status: number, seconds: number): void;
}

export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ipurl_process_' });

  const requests = new Counter({
    name: 'ipurl_http_requests_total',
    help: 'HTTP requests by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'ipurl_http_request_duration_seconds',
    help: 'Time from request to response, by route pattern.',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  addGauges(registry, () => sources.cache?.(), [
    [
      'ipurl_response_cache_hits_total',
      'Responses served from prepared bytes since start.',
      (c) => c.hits,
    ],
    [
      'ipurl_response_cache_misses_total',
      'Responses that had to be rendered since start.',
      (c) => c.misses,
    ],
    ['ipurl_response_cache_entries', 'Prepared responses held in memory.', (c) => c.entries],
  ]);
  addGauges(registry, () => sources.catalog?.(), [
    [
      'ipurl_response_cache_bytes',
      'Identity bytes of the prepared responses held.',
      (c) => c.prepared.bytes,
    ],
    [
      'ipurl_response_cache_joined_total',
      'Requests that joined a render already under way.',
      (c) => c.prepared.joined,
    ],
    [
      'ipurl_catalog_endpoint_set_lists',
      'Versions whose endpoint sets are held in memory.',
      (c) => c.sets,
    ],
    [
      'ipurl_catalog_histories',
      'Instances whose change history is held in memory.',
      (c) => c.histories,
    ],
    [
      'ipurl_lookup_index_entries',
      'Compiled lookup indexes held (one per version).',
      (c) => c.lookupIndexes,
    ],
  ]);
  addInstanceGauges(registry, () => sources.versions?.(), [
    [
      'ipurl_current_version',
      'Latest version id (YYYYMMDDNN as a number) per instance.',
      (v) => Number(v.latest),
    ],
  ]);
  addInstanceGauges(registry, () => sources.syncStaleness?.(), [
    [
      'ipurl_sync_staleness_seconds',
      'Seconds since the last successful sync from the upstream, per instance (mirrors).',
      (s) => s.seconds,
    ],
  ]);
  addGauges(registry, () => sources.webhookBacklog?.(), [
    ['ipurl_webhook_backlog', 'Webhook deliveries waiting to be sent or retried.', (n) => n],
  ]);
  addGauges(registry, () => sources.rateLimitStoreUp?.(), [
    [
      'ipurl_rate_limit_store_up',
      'Shared rate-limit store reachable (1) or failing open (0).',
      (up) => up,
    ],
  ]);
  addInstanceGauges(registry, () => sources.observed?.(), [
    [
      'ipurl_observed_addresses',
      'Observed addresses stored (ipurl observe), per instance.',
      (o) => o.addresses,
    ],
    [
      'ipurl_observe_last_run_timestamp_seconds',
      'Unix time of the last ipurl observe run, per instance.',
      (o) => Date.parse(o.lastRunAt) / 1000,
    ],
    [
      'ipurl_observe_errors',
      'Names the last ipurl observe run could not resolve, per instance.',
      (o) => o.errors,
    ],
    [
      'ipurl_observe_resolver_up',
      'The resolver answered at least one name in the last observe run (1) or none (0).',
      (o) => (o.resolverDown ? 0 : 1),
    ],
  ]);

  return {
    registry,
    observe(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route }, seconds);
    },
  };
}

/** Count every response and serve GET /metrics. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observe(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply
      .header('content-type', metrics.registry.contentType)
      .header('cache-control', 'no-store')
      .send(body);
  });
}
