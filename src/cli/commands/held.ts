/**
 * `ipurl accept <instance> <version>` and `ipurl reject <instance> <version>`: decide a version
 * the change guard held (service/held.ts). Accept appends it (with every version of its batch)
 * and it is served from then on; reject drops it and the next sync waits for a newer upstream
 * version. `ipurl status` lists what is held. Exit 3 (ERR_NOT_HELD) when nothing such is held,
 * 4 when the instance moved since it was held.
 */
import type { Command } from 'commander';
import { describeGuardReport } from '../../core/change-guard.js';
import { acceptHeld, rejectHeld } from '../../service/held.js';
import { openStore } from '../open-store.js';
import { addStoreOptions, resolveDb, storeExitCodes } from '../options.js';

/** Accept and reject fail the same ways. */
const DECIDE_CODES = {
  3: 'no such held version, or no store at --db',
  4: 'the store changed meanwhile (run it again)',
};

export function register(program: Command): void {
  const accept = program
    .command('accept')
    .description('release a version the change guard held: append it and serve it')
    .argument('<instance>', 'instance name (any case)')
    .argument('<version>', 'the held version (ipurl status lists them)');
  addStoreOptions(accept, storeExitCodes('accepted: the held version is published', DECIDE_CODES));
  accept.action(
    async (instance: string, version: string, flags: { db?: string; json?: boolean }) => {
      const store = await openStore(resolveDb(flags.db));
      try {
        const result = await acceptHeld(store, instance, version);
        if (flags.json === true) {
          process.stdout.write(
            `${JSON.stringify(
              {
                status: 'accepted',
                held: result.held,
                appended: result.appended.map((a) => ({
                  version: a.version,
                  changes: a.changes.length,
                  deliveries: a.deliveries,
                })),
              },
              null,
              2,
            )}\n`,
          );
          return;
        }
        const records = result.appended.reduce((sum, a) => sum + a.changes.length, 0);
        process.stdout.write(
          `accepted ${result.held.instance} ${result.held.version} (${describeGuardReport(result.held.report)}): appended ${result.appended.map((a) => a.version.version).join(', ')} after ${result.held.basedOn}, ${records} change record${records === 1 ? '' : 's'}; it is served now\n`,
        );
      } finally {
        await store.close();
      }
    },
  );

  const reject = program
    .command('reject')
    .description('drop a version the change guard held: it is never served')
    .argument('<instance>', 'instance name (any case)')
    .argument('<version>', 'the held version (ipurl status lists them)');
  addStoreOptions(reject, storeExitCodes('rejected: the held version is discarded', DECIDE_CODES));
  reject.action(
    async (instance: string, version: string, flags: { db?: string; json?: boolean }) => {
      const store = await openStore(resolveDb(flags.db));
      try {
        const held = await rejectHeld(store, instance, version);
        if (flags.json === true) {
          process.stdout.write(`${JSON.stringify({ status: 'rejected', held }, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `rejected ${held.instance} ${held.version}: nothing was appended, ${held.basedOn} stays served; sync waits for a newer upstream version\n`,
        );
      } finally {
        await store.close();
      }
    },
  );
}
