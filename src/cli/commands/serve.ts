/**
 * `ipurl serve`: the web service on one port (issue 2). Flags > environment > defaults:
 * --host (IPURL_HOST, 127.0.0.1), --port (IPURL_PORT, 8080), --db (IPURL_DB / DATABASE_URL,
 * ipurl.db), --rate-limit (IPURL_RATE_LIMIT, 30 per hour; 0 = off), --public-url
 * (IPURL_PUBLIC_URL). The store is seeded from the bundled data/ on start (all of it when empty,
 * the versions bundled since otherwise), so `npm start` serves the real history with nothing else installed. Logs are JSON lines (pino);
 * SIGINT/SIGTERM close the listener, let in-flight requests finish, then close the store, within
 * 10 s whatever the server is doing (serve-shutdown.ts).
 */
import type { Command } from 'commander';
import { DEFAULT_SERVER_CONFIG } from '../../server/deps.js';
import { DEFAULT_PER_IP_LIMIT } from '../../server/rate-limit.js';
import { addGuardOptions, resolveGuardThresholds, type GuardFlags } from '../guard-options.js';
import {
  DEFAULT_HEADERS_TIMEOUT,
  DEFAULT_REQUEST_TIMEOUT,
  parseTimeouts,
} from '../serve-timeouts.js';
import { untilStopped } from '../serve-shutdown.js';
import { addDbOption, addExitCodes, EXIT_TEXT, parseIntegerOption, resolveDb } from '../options.js';
import { resolveSetting, settingFromEnv, settingOption } from '../config.js';
import { addPolicyOptions, policyFromFlags, type PolicyFlags } from '../policy-options.js';

export function register(program: Command): void {
  const command = program
    .command('serve')
    .description('serve the web service (/version, /endpoints, /changes) over HTTP')
    .addOption(settingOption('--host <host>', 'address to listen on (default 127.0.0.1)', 'host'))
    .addOption(settingOption('--port <port>', 'TCP port (default 8080)', 'port'))
    .addOption(
      settingOption(
        '--rate-limit <n>',
        'requests per hour per client on /endpoints and /changes; 0 = off (default 30)',
        'rateLimit',
      ),
    )
    .addOption(
      settingOption(
        '--rate-limit-per-ip <n>',
        'requests per hour per client IP across ClientRequestIds; 0 = no ceiling (default 600)',
        'rateLimitPerIp',
      ),
    )
    .addOption(
      settingOption(
        '--max-connections <n>',
        'concurrent connections accepted at most (default 10000)',
        'maxConnections',
      ),
    )
    .addOption(
      settingOption(
        '--headers-timeout <duration>',
        'time a client has to send its request headers, e.g. 10s (default 10s)',
        'headersTimeout',
      ),
    )
    .addOption(
      settingOption(
        '--request-timeout <duration>',
        'time a client has to send its whole request, body included (default 30s)',
        'requestTimeout',
      ),
    )
    .addOption(
      settingOption(
        '--public-url <url>',
        'origin used in absolute links such as RSS items',
        'publicUrl',
      ),
    )
    .addOption(
      settingOption(
        '--redis <url>',
        'share rate-limit counters between replicas (REDIS_URL when IPURL_REDIS_URL is unset)',
        'redis',
      ),
    )
    .addOption(
      settingOption(
        '--trust-proxy',
        'take the client IP from X-Forwarded-For, behind nginx only (the variable: 1, true or yes)',
        'trustProxy',
      ),
    )
    .option(
      '--allow-private-targets',
      'deliver webhooks to loopback, link-local, private, shared and metadata addresses too',
    )
    .addOption(
      settingOption(
        '--upstream <url>',
        'mirror: sync from this upstream in the background instead of seeding',
        'upstream',
      ),
    );
  addPolicyOptions(command); // the mirror's sanity policy (--upstream)
  addGuardOptions(command);
  addDbOption(command);
  command.addHelpText(
    'after',
    '\nEnvironment only: IPURL_ADMIN_TOKEN (bearer token of the admin API; unset: no admin API),\n' +
      'IPURL_LOG_LEVEL (pino level; default info).',
  );
  addExitCodes(command, {
    0: 'stopped by SIGINT or SIGTERM after finishing in-flight requests',
    1: 'failed: e.g. the port is in use, or an error during shutdown',
    2: EXIT_TEXT.usage,
    5: EXIT_TEXT.storage,
  });
  command.action(
    async (
      flags: PolicyFlags &
        GuardFlags & {
          host?: string;
          port?: string;
          rateLimit?: string;
          rateLimitPerIp?: string;
          maxConnections?: string;
          headersTimeout?: string;
          requestTimeout?: string;
          publicUrl?: string;
          db?: string;
          upstream?: string;
          redis?: string;
          trustProxy?: boolean;
          allowPrivateTargets?: boolean;
        },
    ) => {
      const host = resolveSetting(flags.host, 'host', '127.0.0.1');
      const port = parseIntegerOption(
        '--port',
        resolveSetting(flags.port, 'port', '8080'),
        0,
        65535,
      );
      const rateLimit = parseIntegerOption(
        '--rate-limit',
        resolveSetting(flags.rateLimit, 'rateLimit', String(DEFAULT_SERVER_CONFIG.rateLimit)),
        0,
        1_000_000_000,
      );
      const rateLimitPerIp = parseIntegerOption(
        '--rate-limit-per-ip',
        resolveSetting(flags.rateLimitPerIp, 'rateLimitPerIp', String(DEFAULT_PER_IP_LIMIT)),
        0,
        1_000_000_000,
      );
      const maxConnections = parseIntegerOption(
        '--max-connections',
        resolveSetting(flags.maxConnections, 'maxConnections', '10000'),
        1,
        1_000_000,
      );
      const { headersTimeoutMs, requestTimeoutMs } = parseTimeouts(
        resolveSetting(flags.headersTimeout, 'headersTimeout', DEFAULT_HEADERS_TIMEOUT),
        resolveSetting(flags.requestTimeout, 'requestTimeout', DEFAULT_REQUEST_TIMEOUT),
      );
      const publicUrl = resolveSetting(flags.publicUrl, 'publicUrl');
      const adminToken = settingFromEnv('adminToken');
      const upstream = resolveSetting(flags.upstream, 'upstream');
      const redis = resolveSetting(flags.redis, 'redis');
      const trustProxy = flags.trustProxy === true; // IPURL_TRUST_PROXY=1: config.ts
      const policy = policyFromFlags(flags);
      const guard = resolveGuardThresholds(flags);
      // Loaded here, not at the top: fastify, Redis and the metrics registry are half of a
      // process start, and every other command (cron jobs, scripts) does without them.
      const { startServer } = await import('../start-server.js');
      const server = await startServer({
        ...(upstream === undefined ? {} : { upstream, sync: { policy, guard } }),
        ...(redis === undefined ? {} : { redis }),
        trustProxy,
        allowPrivateTargets: flags.allowPrivateTargets === true,
        host,
        port,
        db: resolveDb(flags.db),
        rateLimit,
        rateLimitPerIp,
        maxConnections,
        headersTimeoutMs,
        requestTimeoutMs,
        ...(publicUrl === undefined ? {} : { publicUrl }),
        ...(adminToken === undefined ? {} : { adminToken }),
        logger: { level: settingFromEnv('logLevel') ?? 'info' },
      });
      await untilStopped(server);
    },
  );
}
