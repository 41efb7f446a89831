/**
 * `ipurl accept <instance> <version>` and `ipurl reject <instance> <version>`: decide a version
 * the change guard held (service/held.ts). Accept appends it (with every version of its batch)
 * and it is served from then on; reject drops it and the next sync waits for a newer upstream
 * version. `ipurl status` lists what is held. Exit 3 (ERR_NOT_HELD) when nothing such is held,
 * 4 when the instance moved since it was held.
 */
import type { Command } from 'commander';
import { describeGuardReport } from '../../core/change-guard.js';
import type { AcceptHeldResult, HeldVersion, Store } from '../../core/store.js';
import { acceptHeld, rejectHeld } from '../../service/held.js';
import { openStore, withStore } from '../open-store.js';
import { addStoreOptions, printJson, resolveDb, storeExitCodes } from '../options.js';

/** Each decision's description and what its exit 0 means. */
const DECISIONS = {
  accept: [
    'release a version the change guard held: append it and serve it',
    'accepted: the held version is published',
  ],
  reject: [
    'drop a version the change guard held: it is never served',
    'rejected: the held version is discarded',
  ],
} as const;

function printAccepted(result: AcceptHeldResult, json: boolean): void {
  if (json) {
    printJson({
      status: 'accepted',
      held: result.held,
      appended: result.appended.map((a) => ({
        version: a.version,
        changes: a.changes.length,
        deliveries: a.deliveries,
      })),
    });
    return;
  }
  const records = result.appended.reduce((sum, a) => sum + a.changes.length, 0);
  process.stdout.write(
    `accepted ${result.held.instance} ${result.held.version} (${describeGuardReport(result.held.report)}): appended ${result.appended.map((a) => a.version.version).join(', ')} after ${result.held.basedOn}, ${records} change record${records === 1 ? '' : 's'}; it is served now\n`,
  );
}

function printRejected(held: HeldVersion, json: boolean): void {
  if (json) printJson({ status: 'rejected', held });
  else
    process.stdout.write(
      `rejected ${held.instance} ${held.version}: nothing was appended, ${held.basedOn} stays served; sync waits for a newer upstream version\n`,
    );
}

/** Accept and reject take the same arguments and fail the same ways. */
function registerDecision<T>(
  program: Command,
  name: keyof typeof DECISIONS,
  decide: (store: Store, instance: string, version: string) => Promise<T>,
  print: (result: T, json: boolean) => void,
): void {
  const [description, ok] = DECISIONS[name];
  const command = program
    .command(name)
    .description(description)
    .argument('<instance>', 'instance name (any case)')
    .argument('<version>', 'the held version (ipurl status lists them)');
  addStoreOptions(
    command,
    storeExitCodes(ok, {
      3: 'no such held version, or no store at --db',
      4: 'the store changed meanwhile (run it again)',
    }),
  );
  command.action(
    async (instance: string, version: string, flags: { db?: string; json?: boolean }) => {
      await withStore(openStore(resolveDb(flags.db)), async (store) => {
        print(await decide(store, instance, version), flags.json === true);
      });
    },
  );
}

export function register(program: Command): void {
  registerDecision(program, 'accept', acceptHeld, printAccepted);
  registerDecision(program, 'reject', rejectHeld, printRejected);
}
