/**
 * What the HTTP app is built from. The CLI (composition root) creates these and passes them to
 * `createApp`; the server never picks an adapter or reads the environment itself, so
 * tests and the CLI build it from whatever they choose.
 * Route files (`routes/*.ts`) receive the same object.
 */
import type { FastifyServerOptions } from 'fastify';
import type { Store } from '../core/store.js';
import type { ObservationSource } from '../service/device-view.js';
import type { WebService } from '../service/web-service.js';
import type { UrlMemo } from './fast-path.js';
import type { Metrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';

export interface ServerConfig {
  /**
   * Requests per client (IP + ClientRequestId) and window on `/endpoints` and `/changes`
   * (docs/api.md, "Rate limit"). 0 turns the limit off.
   */
  readonly rateLimit: number;
  /** Length of the fixed rate-limit window in seconds (one hour: windows on the clock hour). */
  readonly rateLimitWindowSeconds: number;
  /** Requests per client IP and window across ClientRequestIds (default 600; 0 = no ceiling). */
  readonly rateLimitPerIp?: number;
  /** Concurrent connections accepted at most (server.maxConnections; default 10,000). */
  readonly maxConnections?: number;
  /** Time to receive a request's headers (default 10 s) and the whole request (default 30 s). */
  readonly headersTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** `Cache-Control: public, max-age=N` on data responses (docs/api.md, "Caching": 3600). */
  readonly cacheMaxAgeSeconds: number;
  /** Bearer token of the publisher admin API; undefined disables the admin routes' writes. */
  readonly adminToken?: string;
  /**
   * Origin written into absolute links the server emits (RSS item links, docs/api.md,
   * "GET /version"), e.g. `https://endpoints.example.net`. Without it,
   * `https://endpoints.office.com` as Microsoft does.
   */
  readonly publicUrl?: string;
  /**
   * Answer cached web-service responses in front of fastify (fast-path.ts; default true). Such
   * responses skip fastify hooks, so per-request hooks (metrics) do not see them.
   */
  readonly fastPath?: boolean;
  /** Honour X-Forwarded-For for the client IP (behind a trusted load balancer only). */
  readonly trustProxy?: boolean;
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  rateLimit: 30,
  rateLimitWindowSeconds: 3600,
  cacheMaxAgeSeconds: 3600,
};

export interface ServerDeps {
  readonly store: Store;
  /**
   * Where `includeObserved` answers read observations; createApp fills it with the store behind a
   * one-second memo (service/recent-observations.ts).
   */
  readonly observations?: ObservationSource;
  /**
   * Answers the three web methods from prepared bytes (src/service/web-service.ts); its
   * `catalog` serves every other read route (page, PAC, exports, lookups).
   */
  readonly webService: WebService;
  /** Rate-limit counters: in memory by default, Redis when replicas share them. */
  readonly rateLimiter: RateLimiter;
  readonly config: ServerConfig;
  /**
   * Fastify/pino logger options (JSON lines); false or absent = silent (tests). Route code logs
   * through `request.log` / `app.log`.
   */
  readonly logger?: FastifyServerOptions['logger'];
  /** Prometheus metrics served at GET /metrics (issue 6); absent = no /metrics route. */
  readonly metrics?: Metrics;
  /** Clock in epoch milliseconds (rate-limit windows); tests may pin it. */
  readonly now?: () => number;
  /**
   * Set by createApp for its routes: a read route remembers here which prepared answer a raw URL
   * got, and the fast path answers that URL from it (fast-path.ts).
   */
  readonly urlMemo?: UrlMemo;
}
