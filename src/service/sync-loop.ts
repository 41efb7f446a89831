/** `serve --upstream`: the background sync loop (sync now, then again on schedule). */
import { displayUpstream } from '../client/upstream-client.js';
import type { Store } from '../core/store.js';
import { syncOnce } from './sync.js';
import { errorInfo } from './sync-state.js';
import { VERSION_CHECK_INTERVAL_MS, type SyncOptions, type SyncReport } from './sync-types.js';

export interface SyncLoopOptions extends SyncOptions {
  /** Called after each run (tests, watch). */
  readonly onReport?: (report: SyncReport) => void | Promise<void>;
  readonly logger?: (line: string) => void;
  /** Pause between runs when healthy (default: the check interval, one hour). */
  readonly intervalMs?: number;
}

/** `serve --upstream`: sync now, then keep syncing in the background; returns a stop function. */
export function startSyncLoop(
  store: Store,
  options: SyncLoopOptions,
): { stop(): Promise<void>; runNow(): Promise<SyncReport> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SyncReport> | undefined;
  let stopped = false;
  const run = async (): Promise<SyncReport> => {
    if (running !== undefined) return running;
    running = (async () => {
      const report = await syncOnce(store, options).catch((error: unknown): SyncReport => ({
        outcome: 'failed',
        upstream: displayUpstream(options.upstream),
        checkedVersion: false,
        instances: [],
        error: errorInfo(error, new Date()),
        state: { upstream: displayUpstream(options.upstream), failures: 1 },
        log: [
          `sync from ${displayUpstream(options.upstream)} failed: ${error instanceof Error ? error.message : String(error)}`,
        ],
      }));
      for (const line of report.log) options.logger?.(line);
      await options.onReport?.(report);
      return report;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = (report: SyncReport | undefined): void => {
    if (stopped) return;
    const now = Date.now();
    const healthy = options.intervalMs ?? options.checkIntervalMs ?? VERSION_CHECK_INTERVAL_MS;
    const next = report?.state.nextAttemptAt;
    const retry = report?.state.retryAfterUntil;
    let delay = healthy;
    if (report !== undefined && (report.outcome === 'failed' || report.outcome === 'deferred')) {
      const candidates = [next, retry]
        .filter((t): t is string => t !== undefined)
        .map((t) => Date.parse(t) - now);
      delay = Math.max(1000, ...candidates);
    }
    timer = setTimeout(
      () => {
        void run().then(schedule, () => schedule(undefined));
      },
      Math.min(delay, 2_147_483_647),
    );
    timer.unref();
  };
  void run().then(schedule, () => schedule(undefined));
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    runNow: run,
  };
}
