/**
 * `ipurl sync --upstream URL`: bring the local store up to the upstream's versions (issue 5).
 * Built for cron: no terminal ⇒ no progress output; a failure is printed once per episode (the
 * state remembers it), the exit code always tells: 0 synced or up to date, 5 upstream unavailable
 * (or deferred by backoff/Retry-After), 4 store conflict, 2 usage, 1 an on-change action failed.
 * With `--on-change CMD` / `--output target:path` it acts on new versions like `ipurl watch`.
 */
import type { Command } from 'commander';
import { IpurlError } from '../../core/errors.js';
import { displayUpstream } from '../../client/upstream-client.js';
import { syncOnce, type SyncReport } from '../../service/sync.js';
import {
  EXIT_CONFLICT,
  EXIT_FAILURE,
  EXIT_NOT_FOUND,
  EXIT_OK,
  EXIT_UNAVAILABLE,
} from '../exit-codes.js';
import { openStore } from '../open-store.js';
import {
  addStoreOptions,
  collect,
  EXIT_TEXT,
  parseIntegerOption,
  printJson,
  resolveDb,
} from '../options.js';
import { addPolicyOptions, policyFromFlags, type PolicyFlags } from '../policy-options.js';
import { addWatchOptions, runWatchFromFlags, type WatchFlags } from './watch.js';
import { addGuardOptions, resolveGuardThresholds, type GuardFlags } from '../guard-options.js';
import { resolveSetting, settingOption } from '../config.js';

export interface SyncFlags extends WatchFlags, PolicyFlags, GuardFlags {
  upstream?: string;
  instance?: string[];
  force?: boolean;
  timeout?: string;
  db?: string;
  json?: boolean;
}

export function resolveUpstream(flag: string | undefined): string {
  const upstream = resolveSetting(flag, 'upstream');
  if (upstream === undefined || upstream === '') {
    throw new IpurlError(
      'ERR_USAGE',
      '--upstream URL is required (or env IPURL_UPSTREAM), e.g. --upstream https://endpoints.office.com',
    );
  }
  return upstream;
}

export function exitCodeForReport(report: SyncReport): number {
  if (report.outcome === 'failed' || report.outcome === 'deferred') {
    if (report.error?.code === 'ERR_CONFLICT') return EXIT_CONFLICT;
    if (report.error?.code === 'ERR_UNKNOWN_INSTANCE') return EXIT_NOT_FOUND;
    return report.error?.code === 'ERR_UPSTREAM' ||
      report.error?.code === 'ERR_STORAGE' ||
      report.outcome === 'deferred'
      ? EXIT_UNAVAILABLE
      : EXIT_FAILURE;
  }
  return EXIT_OK;
}

/** Lines for a person: always on a terminal; in cron only when something changed. */
export function describeReport(report: SyncReport): string[] {
  const lines: string[] = [];
  for (const result of report.instances) {
    if (result.outcome === 'updated') {
      lines.push(
        `${result.instance}: ${result.previous ?? '(new)'} → ${result.current ?? '?'} (${result.added.length} version${result.added.length === 1 ? '' : 's'}, ${result.changeRecords} change record${result.changeRecords === 1 ? '' : 's'})`,
      );
    }
  }
  return lines;
}

export function register(program: Command): void {
  const command = program
    .command('sync')
    .description(
      'keep the local store in step with an upstream service (endpoints.office.com or another ipurl)',
    )
    .addOption(settingOption('--upstream <url>', 'base URL of the upstream service', 'upstream'))
    .option(
      '--instance <name>',
      'instance to follow; repeatable (default: every instance the upstream lists)',
      collect,
    )
    .option(
      '--force',
      'check /version now even if it was checked within the hour; ignore backoff and Retry-After',
    )
    .option('--timeout <seconds>', 'deadline of each upstream request (default 30)');
  addWatchOptions(command);
  addPolicyOptions(command);
  addGuardOptions(command);
  addStoreOptions(command, {
    0: 'synced, or up to date (also when /version was already checked within the hour: then it prints nothing)',
    1: 'an --output or --on-change action failed (retried next run)',
    2: EXIT_TEXT.usage,
    3: 'an --instance the upstream does not serve',
    4: 'another writer changed the store at the same moment (run it again)',
    5: 'upstream unavailable, or deferred by backoff or Retry-After, or it sent data the validator or the sanity policy refuses (nothing stored); or the store is unavailable',
  });
  command.action(async (flags: SyncFlags) => {
    const upstream = resolveUpstream(flags.upstream);
    const timeoutMs =
      flags.timeout === undefined
        ? undefined
        : parseIntegerOption('--timeout', flags.timeout, 1, 3600) * 1000;
    const policy = policyFromFlags(flags);
    const guard = resolveGuardThresholds(flags);
    const store = await openStore(resolveDb(flags.db));
    const tty = process.stdout.isTTY === true && flags.json !== true;
    try {
      if (tty) process.stderr.write(`syncing from ${displayUpstream(upstream)} …\n`);
      const report = await syncOnce(store, {
        upstream,
        ...(flags.instance === undefined ? {} : { instances: flags.instance }),
        ...(flags.force === true ? { force: true } : {}),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        policy,
        guard,
      });
      for (const line of report.log) process.stderr.write(`ipurl sync: ${line}\n`);
      let code = exitCodeForReport(report);
      if (flags.json !== true)
        for (const line of describeReport(report)) process.stdout.write(`${line}\n`);
      const watch = await runWatchFromFlags(store, flags, {
        instances: report.instances.map((r) => r.instance),
        quiet: !tty,
      });
      if (code === EXIT_OK && watch !== undefined && watch.failed) code = EXIT_FAILURE;
      if (flags.json === true) {
        printJson({
          outcome: report.outcome,
          upstream: report.upstream,
          checkedVersion: report.checkedVersion,
          instances: report.instances,
          ...(report.error === undefined ? {} : { error: report.error }),
          state: report.state,
          ...(watch === undefined ? {} : { actions: watch.results }),
          exitCode: code,
        });
      } else {
        if (tty) {
          if (report.outcome === 'up-to-date') process.stdout.write('up to date\n');
          else if (report.outcome === 'held' && report.log.length === 0)
            process.stdout.write(
              'up to date with every accepted version; a newer one is held (ipurl status)\n',
            );
          else if (report.outcome === 'skipped')
            process.stdout.write(
              `up to date (version checked at ${report.state.lastCheckAt ?? '?'}; use --force to check now)\n`,
            );
          else if (
            report.outcome === 'deferred' ||
            (report.outcome === 'failed' && report.log.length === 0)
          ) {
            process.stderr.write(
              `ipurl sync: ${report.error?.message ?? 'upstream unavailable'}\n`,
            );
          }
        }
      }
      process.exitCode = code;
    } finally {
      await store.close();
    }
  });
}
