/**
 * `ipurl copy --from A --to B [--json]`: copy everything (versions with their sets, change records
 * with ids intact, webhooks, the delivery outbox, sync and other state, observed addresses) from one store to another,
 * SQLite or PostgreSQL on either side (issue 6). The target must be empty. Progress goes to stderr
 * when it is a terminal; the summary to stdout.
 */
import type { Command } from 'commander';
import { IpurlError } from '../../core/errors.js';
import { copyStore, type CopyProgress } from '../../service/copy-store.js';
import { describeDb, openStore } from '../open-store.js';
import { addExitCodes, addJsonOption, EXIT_TEXT, printJson } from '../options.js';
import { addPolicyOptions, policyFromFlags, type PolicyFlags } from '../policy-options.js';
import { createProgress } from '../progress.js';

export function register(program: Command): void {
  const command = program
    .command('copy')
    .description(
      'copy every version, change record, webhook, delivery, overlay change and state key into an empty store',
    )
    .requiredOption('--from <path|url>', 'source: SQLite file or postgres:// URL')
    .requiredOption('--to <path|url>', 'target (must be empty; created and migrated when new)');
  addPolicyOptions(command);
  addJsonOption(command);
  addExitCodes(command, {
    0: 'copied',
    1: EXIT_TEXT.failed,
    2: `${EXIT_TEXT.usage}; or the source holds data the validator or the sanity policy refuses (nothing copied)`,
    3: 'the source holds no version',
    4: 'the target is not empty',
    5: EXIT_TEXT.storage,
  });
  command.action(async (flags: PolicyFlags & { from: string; to: string; json?: boolean }) => {
    const policy = policyFromFlags(flags);
    if (flags.from === flags.to) {
      throw new IpurlError(
        'ERR_USAGE',
        `--from and --to are the same store (${describeDb(flags.from)}); give two different stores`,
      );
    }
    const from = await openStore(flags.from);
    try {
      if (await from.isEmpty()) {
        throw new IpurlError(
          'ERR_NOT_FOUND',
          `the source ${describeDb(flags.from)} holds no version: nothing to copy`,
        );
      }
      const to = await openStore(flags.to);
      try {
        const progress = createProgress({ json: flags.json === true });
        const onProgress = (p: CopyProgress) => {
          const what = p.phase === 'versions' ? `${p.instance ?? ''} versions` : p.phase;
          progress.update(`copying ${what}: ${p.done}/${p.total}`);
        };
        const summary = await copyStore(from, to, {
          onProgress,
          targetName: describeDb(flags.to),
          policy,
        });
        progress.done();
        if (flags.json === true) {
          printJson({ from: describeDb(flags.from), to: describeDb(flags.to), ...summary });
          return;
        }
        const lines = [
          `copied ${describeDb(flags.from)} (${from.kind}) → ${describeDb(flags.to)} (${to.kind})`,
        ];
        for (const i of summary.instances) {
          lines.push(
            `  ${i.instance.padEnd(14)} ${String(i.versions).padStart(4)} versions ${String(i.sets).padStart(7)} sets ${String(i.changes).padStart(6)} change records`,
          );
        }
        lines.push(
          `  webhooks ${summary.webhooks}, deliveries ${summary.deliveries}, overlay changes ${summary.overlay}, state keys ${summary.state}, observed addresses ${summary.observations}`,
        );
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  });
}
