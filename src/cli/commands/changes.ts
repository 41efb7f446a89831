/**
 * `ipurl changes <instance> [--since V | --version V]`: change records as a table (the semantics
 * of `/changes`: --since = strictly after V, --version = exactly V, default = everything).
 */
import type { Command } from 'commander';
import { IpurlError } from '../../core/errors.js';
import type { ChangesQuery } from '../../core/store.js';
import { VERSION_ZERO, isVersionId } from '../../core/version-id.js';
import { renderChangesTable } from '../../formats/history-table.js';
import { openCommandStore, withStore } from '../open-store.js';
import { addStoreOptions, printJson, storeExitCodes } from '../options.js';
import { existingInstance } from './versions.js';

function versionFlag(name: string, value: string): string {
  if (!isVersionId(value)) {
    const received: string = value;
    throw new IpurlError(
      'ERR_INVALID_VERSION',
      `${name} must be a version id of ten digits YYYYMMDDNN (e.g. 2025013000); received "${received}"`,
    );
  }
  return value;
}

export function register(program: Command): void {
  // `--version V` belongs to this command: without positional options the root's own -V/--version
  // (print ipurl's version) would claim it wherever it appears. Root options now go before the
  // command name, which is where they belong anyway.
  program.enablePositionalOptions();
  const command = program
    .command('changes')
    .description('list the change records of an instance (all, since a version, or of one version)')
    .argument('<instance>', 'instance name (any case)')
    .option(
      '--since <version>',
      'only records of versions after this one (as /changes/{instance}/{version})',
    )
    .option('--version <version>', 'only the records of exactly this version (as ?singleVersion)');
  addStoreOptions(command, storeExitCodes('ok'));
  command.action(
    async (
      requested: string,
      flags: { since?: string; version?: string; db?: string; json?: boolean },
    ) => {
      if (flags.since !== undefined && flags.version !== undefined) {
        throw new IpurlError('ERR_USAGE', 'give either --since or --version, not both');
      }
      const query: ChangesQuery =
        flags.version !== undefined
          ? { version: versionFlag('--version', flags.version) }
          : {
              after: flags.since === undefined ? VERSION_ZERO : versionFlag('--since', flags.since),
            };
      await withStore(openCommandStore(flags.db, { access: 'read' }), async (store) => {
        const instance = await existingInstance(store, requested);
        const records = await store.getChanges(instance, query);
        if (flags.json === true) {
          printJson(records);
          return;
        }
        process.stdout.write(renderChangesTable(instance, records, query));
      });
    },
  );
}
