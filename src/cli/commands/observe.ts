/**
 * `ipurl observe <instance>`: resolve the concrete names of the URL-only endpoint sets through
 * one DNS server and keep what it answers as observed addresses (service/observe.ts; docs/
 * operations.md "Observed addresses"). Once by default (for cron); `--interval` repeats until
 * SIGINT/SIGTERM. Errors for single names go to stderr with the name; a resolver that answers no
 * name is reported once per outage (exit 5 on the run that starts it) and expires nothing.
 */
import type { Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { createDnsResolver } from '../../client/dns-resolver.js';
import { observeOnce, parseResolverAddress, type ObserveReport } from '../../service/observe.js';
import { EXIT_UNAVAILABLE } from '../exit-codes.js';
import { openStore } from '../open-store.js';
import { addStoreOptions, EXIT_TEXT, resolveDb } from '../options.js';

interface ObserveFlags {
  resolver: string;
  interval?: string;
  expire: string;
  db?: string;
  json?: boolean;
}

function print(report: ObserveReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  if (report.resolverDown) {
    if (report.newOutage) {
      process.stderr.write(
        `ipurl observe: resolver ${report.resolver} answered none of ${report.names} names ` +
          `(${report.errors[0]?.name ?? ''}: ${report.errors[0]?.error ?? 'no answer'}); ` +
          'keeping the last observations, nothing expired; reported once until it answers again\n',
      );
    }
    return;
  }
  if (report.recovered)
    process.stderr.write(`ipurl observe: resolver ${report.resolver} answers again\n`);
  process.stdout.write(
    `${report.instance} ${report.version}: ${report.names} names, ${report.answered} answered, ` +
      `${report.addresses} addresses (${report.added} new), ${report.expired} expired, ` +
      `${report.errors.length} errors, ${report.refused.length} refused\n`,
  );
  for (const e of report.errors) process.stderr.write(`  error: ${e.name}: ${e.error}\n`);
  for (const r of report.refused)
    process.stderr.write(`  refused: ${r.name} answered ${r.address}: ${r.why}\n`);
}

export function register(program: Command): void {
  const command = program
    .command('observe')
    .description(
      'resolve the names of URL-only endpoint sets and keep the answers as observed addresses',
    )
    .argument('<instance>', 'instance name (any case)')
    .option('--resolver <host:port>', 'DNS server to ask (an IP address and port)', '127.0.0.1:53')
    .option('--interval <duration>', 'repeat every DURATION (e.g. 1h) until stopped; default: once')
    .option('--expire <duration>', 'forget addresses not seen for DURATION', '7d');
  addStoreOptions(command, {
    0: 'observed (names that did not resolve are reported, not fatal)',
    1: EXIT_TEXT.failed,
    2: EXIT_TEXT.usage,
    3: EXIT_TEXT.notFound,
    5: 'the resolver is unreachable (this run starts an outage), or the store is unavailable',
  });
  command.action(async (instance: string, flags: ObserveFlags) => {
    const server = parseResolverAddress(flags.resolver, '--resolver');
    const expireSeconds = parseDuration(flags.expire, '--expire');
    const interval =
      flags.interval === undefined ? undefined : parseDuration(flags.interval, '--interval', 10);
    const resolver = createDnsResolver(server);
    const store = await openStore(resolveDb(flags.db));
    let stop = false;
    let wake: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onSignal = (): void => {
      stop = true;
      clearTimeout(timer);
      wake?.();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      for (;;) {
        const report = await observeOnce(store, resolver, { instance, expireSeconds });
        print(report, flags.json === true);
        if (interval === undefined) {
          if (report.newOutage) process.exitCode = EXIT_UNAVAILABLE;
          break;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, interval * 1000);
        });
        if (stop) break;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await store.close();
    }
  });
}
