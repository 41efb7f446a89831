/** `ipurl versions <instance>`: every version of an instance as a table, newest first. */
import type { Command } from 'commander';
import type { ChangeRecord } from '../../core/change-record.js';
import { RETIRED_INSTANCES, canonicalInstance } from '../../core/instance.js';
import type { Store } from '../../core/store.js';
import { VERSION_ZERO } from '../../core/version-id.js';
import { renderVersionsTable } from '../../formats/history-table.js';
import { countChanges } from '../../core/change-counts.js';
import { unknownInstance } from '../../service/catalog.js';
import { openCommandStore, withStore } from '../open-store.js';
import { addStoreOptions, printJson, storeExitCodes } from '../options.js';

/** The canonical name of an existing instance, or ERR_UNKNOWN_INSTANCE naming the ones there are. */
export async function existingInstance(store: Store, requested: string): Promise<string> {
  const names = (await store.listInstances()).map((summary) => summary.instance);
  const instance = canonicalInstance(names, requested);
  if (instance === undefined) throw unknownInstance(requested, names);
  return instance;
}

export function register(program: Command): void {
  const command = program
    .command('versions')
    .description('list the versions of an instance with their change counts, newest first')
    .argument('<instance>', 'instance name (any case)');
  addStoreOptions(command, storeExitCodes('ok'));
  command.action(async (requested: string, flags: { db?: string; json?: boolean }) => {
    await withStore(openCommandStore(flags.db, { access: 'read' }), async (store) => {
      const instance = await existingInstance(store, requested);
      const [versions, records] = await Promise.all([
        store.listVersions(instance),
        store.getChanges(instance, { after: VERSION_ZERO }),
      ]);
      const byVersion = new Map<string, ChangeRecord[]>();
      for (const record of records) {
        const list = byVersion.get(record.version) ?? [];
        list.push(record);
        byVersion.set(record.version, list);
      }
      if (flags.json === true) {
        const rows = versions.map((v) => ({
          ...v,
          counts: countChanges(byVersion.get(v.version) ?? []),
        }));
        printJson(rows);
        return;
      }
      process.stdout.write(
        renderVersionsTable(
          instance,
          versions.map((v) => ({ ...v, records: byVersion.get(v.version) ?? [] })),
          { retired: RETIRED_INSTANCES.has(instance) },
        ),
      );
    });
  });
}
