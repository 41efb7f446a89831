/**
 * `ipurl serve`'s composition: open the store, seed what it lacks of the bundled data, wire the
 * web service, limits, sync loop, webhooks and observers, build the app and listen. The command
 * (commands/serve.ts) parses flags and calls startServer.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Store } from '../core/store.js';
import { displayUpstream } from '../client/upstream-client.js';
import { createApp } from '../server/app.js';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from '../server/deps.js';
import { createMetrics } from '../server/metrics.js';
import {
  createMemoryRateLimiter,
  DEFAULT_PER_IP_LIMIT,
  type RateLimiter,
} from '../server/rate-limit.js';
import { createRedisRateLimiter, type RedisRateLimiter } from '../server/rate-limit-redis.js';
import { loadBundledDataset } from '../service/bundle.js';
import { seedStore } from '../service/seed.js';
import { createCatalog } from '../service/catalog.js';
import { createWebService, type WebService } from '../service/web-service.js';
import { observeSummaries } from '../service/observe.js';
import { startWebhookWorker } from '../service/webhooks.js';
import { startSyncLoop, syncStalenessByInstance, type SyncLoopOptions } from '../service/sync.js';
import { openStore } from './open-store.js';

export interface ServeOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** SQLite path or postgres:// URL. */
  readonly db: string;
  readonly rateLimit: number;
  /** Per-IP ceiling across ClientRequestIds (default 600; 0 = none). */
  readonly rateLimitPerIp?: number;
  /** server.maxConnections (default 10,000). */
  readonly maxConnections?: number;
  /** Time a client has to send its request headers (default 10 s) and its whole request (30 s). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly publicUrl?: string;
  readonly adminToken?: string;
  /** Seed an empty store from data/ (default true). */
  readonly seed?: boolean;
  /** pino options; false = silent. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Store revision poll interval (default 500 ms). */
  readonly pollMs?: number;
  /** Use this rate limiter instead of the in-memory one (shared Redis counters). */
  readonly rateLimiter?: RateLimiter;
  /** Mirror mode (issue 5): sync from this upstream in the background; the store is never seeded. */
  readonly upstream?: string;
  /** Options of the background sync (tests shorten the interval). */
  readonly sync?: Omit<SyncLoopOptions, 'upstream'>;
  /** Share rate-limit counters between replicas through this Redis (issue 6); fails open. */
  readonly redis?: string;
  /** Honour X-Forwarded-For for the client IP (only behind a trusted load balancer). */
  readonly trustProxy?: boolean;
  /** Deliver webhooks to loopback, private, link-local, shared and metadata addresses too. */
  readonly allowPrivateTargets?: boolean;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly webService: WebService;
  /** `http://host:port` actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/** Open the store, seed what it lacks of the bundled data, build the app and listen. */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const store = await openStore(options.db);
  const closers: Array<() => Promise<void>> = [() => store.close()];
  try {
    let seeded: { versions: number; changes: number } | undefined;
    if (options.seed !== false && options.upstream === undefined) {
      // An empty store gets the whole bundled history; one seeded by an older release gets the
      // versions bundled since (appended, never rewritten; see service/seed.ts).
      const result = await seedStore(store, await loadBundledDataset());
      if (result.appended > 0) seeded = { versions: result.appended, changes: result.changes };
    }
    const catalog = createCatalog(store, {
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    });
    const webService = createWebService(catalog, {
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    });
    await webService.start();
    closers.unshift(() => webService.close());
    const config: ServerConfig = {
      ...DEFAULT_SERVER_CONFIG,
      rateLimit: options.rateLimit,
      rateLimitPerIp: options.rateLimitPerIp ?? DEFAULT_PER_IP_LIMIT,
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
      ...(options.headersTimeoutMs === undefined
        ? {}
        : { headersTimeoutMs: options.headersTimeoutMs }),
      ...(options.requestTimeoutMs === undefined
        ? {}
        : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
      ...(options.trustProxy === true ? { trustProxy: true } : {}),
    };
    let redisLimiter: RedisRateLimiter | undefined;
    const appLog: { current?: FastifyInstance['log'] } = {};
    if (options.rateLimiter === undefined && options.redis !== undefined && config.rateLimit > 0) {
      redisLimiter = await createRedisRateLimiter({
        url: options.redis,
        limit: config.rateLimit,
        perIpLimit: config.rateLimitPerIp ?? DEFAULT_PER_IP_LIMIT,
        windowSeconds: config.rateLimitWindowSeconds,
        // The limiter starts before the app, so its first outage line may come before app.log exists.
        logger: {
          warn: (obj, msg) => appLog.current?.warn(obj, msg),
          info: (obj, msg) => appLog.current?.info(obj, msg),
        },
      });
    }
    const rateLimiter =
      options.rateLimiter ??
      redisLimiter ??
      createMemoryRateLimiter({
        limit: config.rateLimit,
        perIpLimit: config.rateLimitPerIp ?? DEFAULT_PER_IP_LIMIT,
        windowSeconds: config.rateLimitWindowSeconds,
      });
    closers.unshift(async () => rateLimiter.close?.());
    const metrics = createMetrics({
      versions: async () => webService.instances(),
      cache: () => webService.stats(),
      catalog: () => catalog.stats(),
      syncStaleness: () => syncStalenessByInstance(store),
      observed: () => observeSummaries(store),
      webhookBacklog: async () =>
        (await store.listDeliveries({ status: 'pending', limit: 100_000 })).length,
      ...(redisLimiter === undefined
        ? {}
        : { rateLimitStoreUp: () => (redisLimiter.status().healthy ? 1 : 0) }),
    });
    const app = await createApp({
      store,
      webService,
      rateLimiter,
      config,
      metrics,
      logger: options.logger ?? false,
    });
    closers.unshift(() => app.close());
    appLog.current = app.log;
    const redisStatus = redisLimiter?.status();
    if (redisStatus?.degradedSince) {
      app.log.warn(
        { redis: options.redis, since: redisStatus.degradedSince, error: redisStatus.lastError },
        'rate-limit store unreachable: limits fail open until Redis is back',
      );
    }
    // Issue 3: drain the webhook outbox while serving (state is in the store; see service/webhooks.ts).
    const webhookWorker = startWebhookWorker(store, {
      allowPrivateTargets: options.allowPrivateTargets === true,
      onOutcome: (outcome) => app.log.info({ delivery: outcome }, 'webhook delivery attempt'),
      onError: (error) => app.log.error({ err: error }, 'webhook delivery pass failed'),
    });
    closers.unshift(() => webhookWorker.stop());
    if (options.upstream !== undefined) {
      const syncLoop = startSyncLoop(store, {
        logger: (line) => app.log.warn({ upstream: displayUpstream(options.upstream!) }, line),
        ...options.sync,
        upstream: options.upstream,
      });
      closers.unshift(() => syncLoop.stop());
    }
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    // Fastify's own first line names the address: make it ours, the details follow.
    await app.listen({
      host: options.host,
      port: options.port,
      listenTextResolver: () => {
        const address = app.server.address();
        const bound = typeof address === 'object' && address !== null ? address.port : options.port;
        return `ipurl listening on http://${host}:${bound}`;
      },
    });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    const url = `http://${host}:${port}`;
    app.log.info(
      {
        url,
        store: store.kind,
        db: store.kind === 'sqlite' ? options.db : '(postgres)',
        rateLimit:
          config.rateLimit === 0
            ? 'off'
            : `${config.rateLimit}/hour per client, ${config.rateLimitPerIp || 'no'} per IP`,
        ...(seeded === undefined ? {} : { seededFromBundledData: seeded }),
        instances: webService.instances().map((s) => `${s.instance}@${s.latest}`),
      },
      `ipurl serving ${url}`,
    );
    let closed: Promise<void> | undefined;
    return {
      app,
      store,
      webService,
      url,
      close() {
        closed ??= (async () => {
          for (const close of closers) await close();
        })();
        return closed;
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}
