/**
 * `ipurl status`: what the local store holds and how the sync with the upstream is doing (last
 * success, last error, staleness, backoff), plus pending on-change actions and a first seed that
 * stopped half-way. Exit 0 when the sync is healthy (or none is configured), 5 when the last sync
 * attempt failed or the first seed is incomplete (what /ready answers 503 for).
 */
import type { Command } from 'commander';
import { RETIRED_INSTANCES } from '../../core/instance.js';
import { observeSummaries } from '../../service/observe.js';
import { listHeldSummaries } from '../../service/held.js';
import { incompleteSeedReason } from '../../service/seed.js';
import { CLIENT_REQUEST_ID_KEY, readSyncState, stalenessSeconds } from '../../service/sync.js';
import { EXIT_OK, EXIT_UNAVAILABLE } from '../exit-codes.js';
import { emptyStoreError, openCommandStore, withStore } from '../open-store.js';
import { addStoreOptions, EXIT_TEXT, printJson, resolveDb } from '../options.js';

function ago(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

export function register(program: Command): void {
  const command = program
    .command('status')
    .description('show the local versions, the upstream sync state and pending on-change actions');
  addStoreOptions(command, {
    0: 'the sync is healthy, or none is configured',
    1: EXIT_TEXT.failed,
    2: EXIT_TEXT.usage,
    3: 'no store at --db',
    5: 'the last sync attempt failed, the first seed is incomplete, or the store is unavailable',
  });
  command.action(async (flags: { db?: string; json?: boolean }) => {
    const db = resolveDb(flags.db);
    await withStore(
      openCommandStore(flags.db, { access: 'read', mayStartEmpty: true }),
      async (store) => {
        const now = new Date();
        const [instances, sync, clientRequestId, state, held, seedIncomplete] = await Promise.all([
          store.listInstances(),
          readSyncState(store),
          store.getState(CLIENT_REQUEST_ID_KEY),
          store.listState(),
          listHeldSummaries(store),
          incompleteSeedReason(store),
        ]);
        const watches = state
          .filter((row) => row.key.startsWith('watch:'))
          .map((row) => {
            const [, config, instance] = row.key.split(':');
            let progress: { version?: string | null; lastError?: string; lastAttemptAt?: string } =
              {};
            try {
              progress = JSON.parse(row.value) as typeof progress;
            } catch {
              // unreadable progress: shown as pending
            }
            return { config, instance, ...progress };
          });
        const observed = await observeSummaries(store);
        const staleness = stalenessSeconds(sync, now);
        const healthy = sync === undefined || sync.failures === 0;
        const code = healthy && seedIncomplete === undefined ? EXIT_OK : EXIT_UNAVAILABLE;
        if (flags.json === true) {
          printJson({
            store: store.kind,
            instances: instances.map((s) => ({
              instance: s.instance,
              latest: s.latest,
              versions: s.versions.length,
              retired: RETIRED_INSTANCES.has(s.instance),
            })),
            seed:
              seedIncomplete === undefined
                ? { complete: true }
                : { complete: false, reason: seedIncomplete },
            clientRequestId: clientRequestId ?? null,
            sync: sync === undefined ? null : { ...sync, stalenessSeconds: staleness, healthy },
            held,
            watches,
            observed,
          });
        } else {
          const out: string[] = [];
          out.push(`store: ${store.kind}`);
          for (const s of instances) {
            const synced = sync?.remote?.[s.instance];
            const behind =
              synced !== undefined && synced !== s.latest ? ` (upstream has ${synced})` : '';
            // Germany's history stays served; say it is no longer a live instance (October 2021).
            const retired = RETIRED_INSTANCES.has(s.instance) ? ' (retired)' : '';
            out.push(
              `  ${s.instance.padEnd(14)} ${s.latest}  ${s.versions.length} versions${retired}${behind}`,
            );
          }
          if (instances.length === 0)
            out.push(
              `  (no version stored) ${emptyStoreError(db, false).message.replace(/^[^:]*: /, '')}`,
            );
          if (seedIncomplete !== undefined) out.push(`seed: INCOMPLETE — ${seedIncomplete}`);
          if (sync === undefined) {
            out.push('sync: not configured (ipurl sync --upstream URL)');
          } else {
            out.push(
              `sync: ${sync.upstream}${healthy ? ' — healthy' : ` — FAILING (${sync.failures} attempt(s) since ${sync.failingSince ?? '?'})`}`,
            );
            out.push(`  client request id: ${clientRequestId ?? '(none yet)'}`);
            out.push(`  last success:      ${sync.lastSuccessAt ?? 'never'} (${ago(staleness)})`);
            out.push(`  last /version:     ${sync.lastCheckAt ?? 'never'}`);
            if (sync.lastError !== undefined)
              out.push(`  last error:        ${sync.lastError.at} ${sync.lastError.message}`);
            if (!healthy && sync.nextAttemptAt !== undefined)
              out.push(`  next attempt:      ${sync.nextAttemptAt}`);
            if (
              sync.retryAfterUntil !== undefined &&
              Date.parse(sync.retryAfterUntil) > now.getTime()
            ) {
              out.push(`  Retry-After until: ${sync.retryAfterUntil}`);
            }
          }
          for (const h of held) {
            out.push(
              `held: ${h.instance} ${h.version} (held ${h.heldAt}; still serving ${h.servedVersion})`,
            );
            for (const reason of h.reasons) out.push(`  ${reason}`);
            out.push(
              `  IPv4 −${(h.figures.ipv4RemovedFraction * 100).toFixed(1)} %, IPv6 −${(h.figures.ipv6RemovedFraction * 100).toFixed(1)} %, URLs −${(h.figures.urlRemovedFraction * 100).toFixed(1)} %, IPv4 growth ${h.figures.ipv4Growth === null ? '-' : `${h.figures.ipv4Growth.toFixed(2)}×`}${h.figures.newServiceAreas.length > 0 ? `; new service areas ${h.figures.newServiceAreas.join(', ')}` : ''}`,
            );
            out.push(`  release: ${h.accept}   drop: ${h.reject}`);
          }
          for (const w of watches) {
            out.push(
              `watch ${w.config} ${w.instance ?? '?'}: acted on ${w.version ?? '(nothing yet)'}${w.lastError === undefined ? '' : ` — PENDING RETRY: ${w.lastError}`}`,
            );
          }
          for (const o of observed) {
            out.push(
              `observe ${o.instance}: ${o.addresses} observed addresses; last run ${o.lastRunAt} via ${o.resolver}` +
                (o.resolverDown
                  ? ` — RESOLVER DOWN since ${o.downSince ?? o.lastRunAt} (last observations kept)`
                  : `, ${o.errors} name(s) unresolved`),
            );
          }
          process.stdout.write(`${out.join('\n')}\n`);
        }
        process.exitCode = code;
      },
    );
  });
}
