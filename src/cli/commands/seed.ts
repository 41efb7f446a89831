/**
 * `ipurl seed [--db X]`: fill a store from the bundled data/ (every instance's history), as
 * `ipurl serve` does on its first start, and exit. Idempotent: only bundled versions newer than
 * what an instance already holds are added; a store that is up to date is left as it is.
 */
import type { Command } from 'commander';
import { loadBundledDataset } from '../../service/bundle.js';
import { seedStore } from '../../service/seed.js';
import { describeDb, openStore, withStore } from '../open-store.js';
import { addStoreOptions, EXIT_TEXT, printJson, resolveDb } from '../options.js';

export function register(program: Command): void {
  const command = program
    .command('seed')
    .description(
      'fill a store with the bundled history of every instance (what serve does on first start)',
    );

  addStoreOptions(command, {
    0: 'filled, or already up to date (creates the SQLite file when missing)',
    1: EXIT_TEXT.failed,
    2: EXIT_TEXT.usage,
    4: 'another process wrote the store at the same moment (run it again)',
    5: EXIT_TEXT.storage,
  });
  command.action(async (flags: { db?: string; json?: boolean }) => {
    const db = resolveDb(flags.db);
    await withStore(openStore(db), async (store) => {
      const result = await seedStore(store, await loadBundledDataset());
      if (flags.json === true) {
        printJson({ store: describeDb(db), ...result });
        return;
      }
      const lines = [
        result.appended === 0
          ? `${describeDb(db)} already holds every bundled version; nothing was added`
          : `filled ${describeDb(db)} from the bundled data: ${result.appended} versions, ${result.changes} change records`,
      ];
      for (const i of result.instances) {
        if (i.appended > 0) lines.push(`  ${i.instance.padEnd(14)} +${i.appended} versions`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  });
}
