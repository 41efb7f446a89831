/**
 * `ipurl watch`: act when a new version lands in the store (issue 5). Optionally syncs first
 * (`--upstream`), then for each instance whose latest version was not yet acted on: writes every
 * `--output target:path` atomically and runs `--on-change CMD` with IPURL_INSTANCE,
 * IPURL_OLD_VERSION, IPURL_NEW_VERSION, IPURL_OUTPUTS and the change summary on stdin.
 * `--interval SECONDS` keeps watching; without it, one pass (for cron). Exit 0 when every action
 * succeeded (or nothing was new), 1 when an output or the command failed (retried next run),
 * 5 when the upstream is unavailable.
 */
import type { Command } from 'commander';
import { IpurlError } from '../../core/errors.js';
import { filterEndpointSets } from '../../core/filters.js';
import type { Store } from '../../core/store.js';
import { TARGET_NAMES } from '../../formats/export/export-registry.js';
import { UNSUPPORTED_POLICIES, type UnsupportedPolicy } from '../../formats/export/export-types.js';
import { createCatalog, unknownInstance } from '../../service/catalog.js';
import { exportEndpoints, selectFile } from '../../service/export.js';
import { QUERY_PARAMETER_NAMES, createPacService, parsePacParameters } from '../../service/pac.js';
import { syncOnce } from '../../service/sync.js';
import {
  parseOutputSpec,
  runWatch,
  type RenderOutput,
  type WatchResult,
} from '../../service/watch.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { addGuardOptions, resolveGuardThresholds, type GuardFlags } from '../guard-options.js';
import { deviceRequest } from '../device-options.js';
import { openStore } from '../open-store.js';
import { addStoreOptions, collect, EXIT_TEXT, parseIntegerOption, resolveDb } from '../options.js';

export interface WatchFlags {
  output?: string[];
  onChange?: string;
  pacProxy?: string;
  pacDirect?: string;
  tenant?: string;
  commandTimeout?: string;
  onUnsupported?: string;
  includeObserved?: boolean;
  grace?: string;
}

/**
 * Targets: `pac` = Get-PacFile type 1, `pac2` = type 2, `json` = wire JSON, and every export target
 * (`nftables`, `squid`, …); a multi-file export target names its file: `squid/optimize:PATH`.
 */
export const BUILTIN_TARGETS: readonly string[] = ['pac', 'pac2', 'json'];
export const WATCH_TARGETS: readonly string[] = [...new Set([...BUILTIN_TARGETS, ...TARGET_NAMES])];

export function addWatchOptions(command: Command): Command {
  return command
    .option(
      '--output <target:path>',
      `regenerate an output when a version lands; repeatable; {instance} in the path is replaced (targets: ${WATCH_TARGETS.join(', ')}; TARGET/FILE for multi-file targets)`,
      collect,
    )
    .option(
      '--on-change <cmd>',
      'shell command run after the outputs are written (env IPURL_INSTANCE, IPURL_OLD_VERSION, IPURL_NEW_VERSION, IPURL_OUTPUTS; change summary on stdin)',
    )
    .option(
      '--pac-proxy <value>',
      'PAC return value for proxied traffic (default "PROXY 10.10.10.10:8080")',
    )
    .option('--pac-direct <value>', 'PAC return value for direct traffic (default "DIRECT")')
    .option('--tenant <name>', 'TenantName substituted in outputs (default: "*")')
    .option('--command-timeout <seconds>', 'kill the on-change command after this long')
    .option(
      '--on-unsupported <policy>',
      `export targets: what to do with entries the device cannot express (${UNSUPPORTED_POLICIES.join(', ')}; default error)`,
    )
    .option(
      '--include-observed',
      'export targets: also write the addresses ipurl observe saw for URL-only sets, each labelled observed',
    )
    .option(
      '--grace <duration>',
      'export and PAC targets: keep entries removed by versions dated within this period (e.g. 14d), labelled grace',
    );
}

function createRenderer(store: Store, flags: WatchFlags): RenderOutput {
  // One catalog for the whole watch: refreshed (a revision check) before each output.
  const catalog = createCatalog(store, { pollMs: 0 });
  const pac = createPacService(catalog);
  return async (target, instance, version) => {
    await catalog.refresh();
    if (target === 'pac' || target === 'pac2') {
      const parameters = parsePacParameters(
        {
          type: target === 'pac2' ? '2' : '1',
          proxy: flags.pacProxy,
          direct: flags.pacDirect,
          tenantName: flags.tenant,
          version,
          grace: flags.grace,
        },
        { ...QUERY_PARAMETER_NAMES, grace: '--grace' },
      );
      return (await pac.render(instance, parameters)).text;
    }
    if (target === 'json') {
      const sets = await catalog.sets(catalog.resolve(instance, version));
      const filtered = filterEndpointSets(
        sets,
        flags.tenant === undefined ? {} : { tenantName: flags.tenant },
      );
      return `${JSON.stringify(filtered, null, 2)}\n`;
    }
    const [name = target, file] = target.split('/');
    const policy = (flags.onUnsupported ?? 'error') as UnsupportedPolicy;
    const outcome = await exportEndpoints(catalog, {
      instance,
      target: name,
      version,
      onUnsupported: policy,
      ...(flags.tenant === undefined ? {} : { tenantName: flags.tenant }),
      ...(file === undefined ? {} : { file }),
      device: deviceRequest(flags, store),
    });
    return selectFile(outcome.files, file, name).content;
  };
}

/** Default instances: those named, else Worldwide when stored, else every stored instance. */
async function chooseInstances(
  store: Store,
  requested: readonly string[] | undefined,
): Promise<string[]> {
  const names = (await store.listInstances()).map((s) => s.instance);
  if (requested !== undefined && requested.length > 0) {
    return requested.map((name) => {
      const found = names.find((n) => n.toLowerCase() === name.toLowerCase());
      if (found === undefined) throw unknownInstance(name, names);
      return found;
    });
  }
  return names.includes('Worldwide') ? ['Worldwide'] : names;
}

/** Run the watch step when outputs or a command are configured; undefined otherwise. */
export async function runWatchFromFlags(
  store: Store,
  flags: WatchFlags & { instance?: string[]; json?: boolean },
  context: { instances?: readonly string[]; quiet: boolean },
): Promise<{ results: WatchResult[]; failed: boolean } | undefined> {
  if (
    flags.onUnsupported !== undefined &&
    !UNSUPPORTED_POLICIES.includes(flags.onUnsupported as UnsupportedPolicy)
  ) {
    throw new IpurlError(
      'ERR_USAGE',
      `--on-unsupported must be one of ${UNSUPPORTED_POLICIES.join(', ')}; received "${flags.onUnsupported}"`,
    );
  }
  deviceRequest(flags, undefined); // a bad --grace is exit 2 before any output is written
  const outputs = (flags.output ?? []).map((text) => parseOutputSpec(text, WATCH_TARGETS));
  if (outputs.length === 0 && flags.onChange === undefined) return undefined;
  const instances = await chooseInstances(store, flags.instance);
  if (instances.length > 1 && outputs.some((o) => !o.path.includes('{instance}'))) {
    throw new IpurlError(
      'ERR_USAGE',
      `${instances.length} instances are watched (${instances.join(', ')}): put {instance} in each --output path, or pick one with --instance`,
    );
  }
  const outcome = await runWatch(store, {
    instances,
    outputs,
    ...(flags.onChange === undefined ? {} : { command: flags.onChange }),
    render: createRenderer(store, flags),
    commandStdout: flags.json === true ? 'stderr' : 'inherit',
    ...(flags.commandTimeout === undefined
      ? {}
      : {
          commandTimeoutMs:
            parseIntegerOption('--command-timeout', flags.commandTimeout, 1, 86_400) * 1000,
        }),
  });
  for (const result of outcome.results) {
    if (result.event === 'held') {
      if (result.outcome === 'failed')
        process.stderr.write(
          `ipurl: ${result.instance} ${result.newVersion} (held): ${result.error ?? 'failed'}; it will be retried on the next run\n`,
        );
      else if (flags.json !== true)
        process.stdout.write(
          `${result.instance}: told the on-change command that ${result.newVersion} is held (still serving ${result.oldVersion ?? '?'}), command exited ${result.exitCode ?? '?'}\n`,
        );
    } else if (result.outcome === 'failed') {
      process.stderr.write(
        `ipurl: ${result.instance} ${result.newVersion}: ${result.error ?? 'failed'}; it will be retried on the next run\n`,
      );
    } else if (result.outcome === 'acted' && flags.json !== true) {
      process.stdout.write(
        `${result.instance}: acted on ${result.oldVersion ?? '(first run)'} → ${result.newVersion}${result.outputs.length > 0 ? `, wrote ${result.outputs.join(', ')}` : ''}${result.exitCode === undefined ? '' : `, command exited ${result.exitCode}`}${result.retry ? ' (retry)' : ''}\n`,
      );
    } else if (!context.quiet && flags.json !== true) {
      process.stdout.write(`${result.instance}: ${result.newVersion} already acted on\n`);
    }
  }
  return outcome;
}

export function register(program: Command): void {
  const command = program
    .command('watch')
    .description('when a new version lands, regenerate outputs atomically and run a command')
    .option(
      '--instance <name>',
      'instance to watch; repeatable (default Worldwide, else every instance)',
      collect,
    )
    .option('--upstream <url>', 'sync from this upstream first (like ipurl sync)')
    .option(
      '--interval <seconds>',
      'keep running: check again every N seconds (default: one pass)',
    );
  addWatchOptions(command);
  addGuardOptions(command);
  addStoreOptions(command, {
    0: 'every action succeeded, or nothing was new',
    1: 'an --output or --on-change action failed (retried next run)',
    2: EXIT_TEXT.usage,
    3: EXIT_TEXT.notFound,
    5: 'upstream (with --upstream) or the store unavailable',
  });
  command.action(
    async (
      flags: WatchFlags &
        GuardFlags & {
          instance?: string[];
          upstream?: string;
          interval?: string;
          db?: string;
          json?: boolean;
        },
    ) => {
      if ((flags.output ?? []).length === 0 && flags.onChange === undefined) {
        throw new IpurlError(
          'ERR_USAGE',
          'ipurl watch needs at least one --output target:path or an --on-change command',
        );
      }
      const intervalMs =
        flags.interval === undefined
          ? undefined
          : parseIntegerOption('--interval', flags.interval, 1, 86_400) * 1000;
      const guard = resolveGuardThresholds(flags);
      const store = await openStore(resolveDb(flags.db));
      const quiet = process.stdout.isTTY !== true;
      try {
        for (;;) {
          let code = EXIT_OK;
          if (flags.upstream !== undefined) {
            const report = await syncOnce(store, {
              upstream: flags.upstream,
              ...(flags.instance === undefined ? {} : { instances: flags.instance }),
              guard,
            });
            for (const line of report.log) process.stderr.write(`ipurl watch: ${line}\n`);
            const { exitCodeForReport } = await import('./sync.js');
            code = exitCodeForReport(report);
          }
          const outcome = await runWatchFromFlags(store, flags, { quiet });
          if (flags.json === true)
            process.stdout.write(`${JSON.stringify({ actions: outcome?.results ?? [] })}\n`);
          if (outcome?.failed === true && code === EXIT_OK) code = EXIT_FAILURE;
          process.exitCode = code;
          if (intervalMs === undefined) break;
          await new Promise((resolve) => setTimeout(resolve, intervalMs));
        }
      } finally {
        await store.close();
      }
    },
  );
}
