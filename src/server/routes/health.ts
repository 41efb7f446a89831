/**
 * `GET /health`: is this server serving, what it serves, and (for a mirror, `serve --upstream`)
 * how the sync with its upstream is going: last success, last error, staleness, failures
 * (issue 5). 200 while the store answers, even when the upstream is failing (the mirror keeps
 * serving its last good version; `status` says `degraded`); 503 when the store itself fails.
 */
import type { FastifyInstance } from 'fastify';
import { listHeldSummaries, type HeldSummary } from '../../service/held.js';
import { incompleteSeedReason } from '../../service/seed.js';
import { readSyncState, stalenessSeconds } from '../../service/sync.js';
import type { ServerDeps } from '../deps.js';

export function register(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/health', async (_request, reply) => {
    let instances: Array<{ instance: string; latest: string }>;
    try {
      instances = (await deps.store.listInstances()).map((s) => ({
        instance: s.instance,
        latest: s.latest,
      }));
    } catch (error) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .send({
          status: 'failing',
          store: deps.store.kind,
          error: error instanceof Error ? error.message : String(error),
        });
    }
    const sync = await readSyncState(deps.store).catch(() => undefined);
    const healthy = sync === undefined || sync.failures === 0;
    // The change guard: versions held for a person to accept (still serving the last accepted one).
    const held: HeldSummary[] = await listHeldSummaries(deps.store).catch(() => []);
    // A first seed that stopped half-way (disk full, killed): the history is incomplete.
    const seedIncomplete = await incompleteSeedReason(deps.store).catch(() => undefined);
    return reply.header('cache-control', 'no-store').send({
      status: healthy && held.length === 0 && seedIncomplete === undefined ? 'ok' : 'degraded',
      store: deps.store.kind,
      instances,
      held,
      seed:
        seedIncomplete === undefined
          ? { complete: true }
          : { complete: false, reason: seedIncomplete },
      sync:
        sync === undefined
          ? null
          : {
              upstream: sync.upstream,
              healthy,
              lastSuccessAt: sync.lastSuccessAt ?? null,
              lastAttemptAt: sync.lastAttemptAt ?? null,
              lastCheckAt: sync.lastCheckAt ?? null,
              stalenessSeconds: stalenessSeconds(sync),
              failures: sync.failures,
              failingSince: sync.failingSince ?? null,
              nextAttemptAt: healthy ? null : (sync.nextAttemptAt ?? null),
              lastError: sync.lastError ?? null,
              remote: sync.remote ?? {},
            },
    });
  });

  // Readiness (issue 6): a load balancer sends traffic only when the store answers and data is
  // loaded. A mirror that has not completed its first sync is alive but not ready, and so is a
  // server over a store whose first seed from the bundled data stopped half-way.
  app.get('/ready', async (_request, reply) => {
    try {
      await deps.store.ping();
    } catch (error) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .send({
          ready: false,
          reason: `store unreachable: ${error instanceof Error ? error.message : String(error)}`,
        });
    }
    let seedIncomplete: string | undefined;
    try {
      seedIncomplete = await incompleteSeedReason(deps.store);
    } catch (error) {
      seedIncomplete = `store unreadable: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (seedIncomplete !== undefined) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .send({ ready: false, reason: seedIncomplete });
    }
    const instances = deps.webService.instances().length;
    if (instances === 0) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .send({ ready: false, reason: 'no data loaded yet' });
    }
    return reply
      .header('cache-control', 'no-store')
      .send({ ready: true, store: deps.store.kind, instances });
  });

  // Rate-limit store health (Redis), when replicas share counters.
  app.get('/health/rate-limit', async (_request, reply) => {
    const status = (deps.rateLimiter as { status?: () => unknown }).status?.() ?? {
      backend: 'memory',
      healthy: true,
    };
    return reply.header('cache-control', 'no-store').send(status);
  });
}
