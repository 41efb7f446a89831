/**
 * `ipurl overlay add|exclude|list|remove`: the local overlay of an instance (service/overlay.ts,
 * docs/operations.md "Local overlay"): the administrator's own additions to and exclusions from
 * Microsoft's sets, for device outputs only, each change with an id, who (`--by`, default $USER),
 * when and why (`--note`). A change triggers `watch --on-change` and `overlay.changed` webhooks.
 */
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { ValidationError, isValidationError, type Issue } from '../../core/errors.js';
import { describeOverlayEntry, type OverlayChange } from '../../core/overlay.js';
import { CATEGORIES, SERVICE_AREAS } from '../../core/endpoint-set.js';
import { renderTable } from '../../formats/history-table.js';
import {
  changeOverlay,
  listOverlay,
  removeOverlayChange,
  type OverlayResult,
} from '../../service/overlay.js';
import { openCommandStore, withStore } from '../open-store.js';
import {
  addStoreOptions,
  collect,
  EXIT_TEXT,
  parseIntegerOption,
  printJson,
  storeExitCodes,
} from '../options.js';
import { RELAXABLE } from '../policy-options.js';

/** The flag behind each member of an entry, so a refusal names what the user typed. */
const FLAG_OF: Record<string, string> = {
  ips: '--ip',
  urls: '--url',
  setIds: '--set',
  serviceAreas: '--service-area',
  serviceArea: '--service-area',
  category: '--category',
  tcpPorts: '--tcp',
  udpPorts: '--udp',
  allow: '--allow',
  note: '--note',
  by: '--by',
  target: '<id>',
};

function withFlags(error: unknown): unknown {
  // Same error, with each member named by the flag the user typed (`--ip (ips[0])`).
  if (!isValidationError(error)) return error;
  const issues = error.issues.map((issue): Issue => {
    const member = /^[a-zA-Z]+/.exec(issue.path)?.[0] ?? '';
    const flag = FLAG_OF[member];
    return flag === undefined ? issue : { ...issue, path: `${flag} (${issue.path})` };
  });
  return new ValidationError(issues, error.message, error.code);
}

const EXIT_CODES = {
  0: 'ok: the change is recorded (warnings, if any, on stderr)',
  1: EXIT_TEXT.failed,
  2: 'bad usage or a refused entry: every problem is listed with the flag, the value and what is accepted',
  3: 'unknown instance or overlay change id, or no store at --db',
  4: 'the change was already removed, or the store changed meanwhile',
  5: EXIT_TEXT.storage,
};

interface CommonFlags {
  db?: string;
  json?: boolean;
  by?: string;
  note?: string;
}

function addCommon(command: Command): Command {
  command
    .option('--by <user>', 'who makes the change, recorded with it (default: $USER)')
    .option('--note <text>', 'why: recorded with the change, shown by overlay list');
  return addStoreOptions(command, EXIT_CODES);
}

/** --by, else $USER, else the account name of the process (a cron job has no $USER). */
function who(flags: CommonFlags): string {
  if (flags.by !== undefined) return flags.by;
  const env = process.env.USER ?? process.env.LOGNAME;
  if (env !== undefined && env !== '') return env;
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

function print(result: OverlayResult, flags: CommonFlags): void {
  for (const warning of result.warnings) process.stderr.write(`ipurl: warning: ${warning}\n`);
  if (flags.json === true) {
    printJson({ status: 'recorded', ...result });
    return;
  }
  const { change } = result;
  const relaxed =
    change.relaxedRules === undefined ? '' : ` (relaxes ${change.relaxedRules.join(', ')})`;
  process.stdout.write(
    `overlay #${change.id} ${change.instance}: ${describeOverlayEntry(change.entry)}${relaxed}, by ${change.by} at ${change.at}; overlay revision ${change.id}\n`,
  );
}

async function run(
  flags: CommonFlags,
  work: (store: Awaited<ReturnType<typeof openCommandStore>>) => Promise<OverlayResult>,
): Promise<void> {
  await withStore(openCommandStore(flags.db, { access: 'write' }), async (store) => {
    let result: OverlayResult;
    try {
      result = await work(store);
    } catch (error) {
      throw withFlags(error);
    }
    print(result, flags);
  });
}

export function register(program: Command): void {
  const overlay = program
    .command('overlay')
    .description(
      'your own additions to and exclusions from Microsoft’s sets, for device outputs (exports, PAC, lookup, classify)',
    );

  const add = overlay
    .command('add')
    .description('add your own addresses or host patterns, marked local in every device output')
    .argument('<instance>', 'instance name (any case)')
    .option('--ip <prefix>', 'an address prefix such as 10.20.0.0/16 (repeatable)', collect)
    .option('--url <pattern>', 'a host pattern such as proxy.contoso.net (repeatable)', collect)
    .addOption(
      new Option('--category <category>', 'the connectivity category (required)').choices(
        CATEGORIES,
      ),
    )
    .option('--tcp <ports>', 'TCP ports such as 443 or 80,443 (an address needs --tcp or --udp)')
    .option('--udp <ports>', 'UDP ports such as 3478-3481')
    .option(
      '--service-area <area>',
      `the area device filters file it under: ${SERVICE_AREAS.join(', ')} (default: Common)`,
    )
    .option(
      '--allow <rule>',
      `relax a sanity-policy rule for this entry only, recorded with it (e.g. private for an internal proxy): ${RELAXABLE.join(', ')}`,
      collect,
    );
  addCommon(add);
  add.action(
    async (
      instance: string,
      flags: CommonFlags & {
        ip?: string[];
        url?: string[];
        category?: string;
        tcp?: string;
        udp?: string;
        serviceArea?: string;
        allow?: string[];
      },
    ) => {
      const raw = {
        action: 'add',
        ...(flags.ip === undefined ? {} : { ips: flags.ip }),
        ...(flags.url === undefined ? {} : { urls: flags.url }),
        ...(flags.category === undefined ? {} : { category: flags.category }),
        ...(flags.tcp === undefined ? {} : { tcpPorts: flags.tcp }),
        ...(flags.udp === undefined ? {} : { udpPorts: flags.udp }),
        ...(flags.serviceArea === undefined ? {} : { serviceArea: flags.serviceArea }),
        ...(flags.allow === undefined ? {} : { allow: flags.allow.flatMap((a) => a.split(',')) }),
        by: who(flags),
        note: flags.note ?? '',
      };
      await run(flags, (store) => changeOverlay(store, instance, raw));
    },
  );

  const exclude = overlay
    .command('exclude')
    .description(
      'leave published entries out of every device output (the wire routes stay Microsoft’s)',
    )
    .argument('<instance>', 'instance name (any case)')
    .option('--set <id>', 'a whole endpoint set by id (repeatable)', collect)
    .option('--url <pattern>', 'host patterns matching it, e.g. *.yammer.com (repeatable)', collect)
    .option('--ip <prefix>', 'addresses inside a prefix, e.g. 52.112.0.0/14 (repeatable)', collect)
    .option(
      '--service-area <area>',
      `a whole area: ${SERVICE_AREAS.join(', ')} (repeatable)`,
      collect,
    );
  addCommon(exclude);
  exclude.action(
    async (
      instance: string,
      flags: CommonFlags & {
        set?: string[];
        url?: string[];
        ip?: string[];
        serviceArea?: string[];
      },
    ) => {
      const raw = {
        action: 'exclude',
        ...(flags.set === undefined
          ? {}
          : { setIds: flags.set.map((id) => parseIntegerOption('--set', id, 1, 2 ** 31)) }),
        ...(flags.url === undefined ? {} : { urls: flags.url }),
        ...(flags.ip === undefined ? {} : { ips: flags.ip }),
        ...(flags.serviceArea === undefined ? {} : { serviceAreas: flags.serviceArea }),
        by: who(flags),
        note: flags.note ?? '',
      };
      await run(flags, (store) => changeOverlay(store, instance, raw));
    },
  );

  const remove = overlay
    .command('remove')
    .description('retire an addition or exclusion by its id (the history keeps both)')
    .argument('<id>', 'the change id (overlay list shows them)');
  addCommon(remove);
  remove.action(async (id: string, flags: CommonFlags) => {
    const target = parseIntegerOption('<id>', id, 1, Number.MAX_SAFE_INTEGER);
    await run(flags, (store) => removeOverlayChange(store, target, who(flags), flags.note ?? ''));
  });

  const list = overlay
    .command('list')
    .description(
      'the overlay history of an instance: id, who, when, why, what, and what is in force',
    )
    .argument('<instance>', 'instance name (any case)');
  addStoreOptions(list, storeExitCodes('ok', { 3: 'unknown instance, or no store at --db' }));
  list.action(async (instance: string, flags: { db?: string; json?: boolean }) => {
    await withStore(openCommandStore(flags.db, { access: 'read' }), async (store) => {
      const listing = await listOverlay(store, instance);
      if (flags.json === true) {
        printJson({
          instance: listing.instance,
          revision: listing.active.revision,
          history: listing.history,
        });
        return;
      }
      if (listing.history.length === 0) {
        process.stdout.write(
          `${listing.instance} has no overlay: device outputs carry Microsoft's data only\n`,
        );
        return;
      }
      const state = (c: OverlayChange & { removedBy?: number }): string =>
        c.entry.action === 'remove'
          ? '-'
          : c.removedBy === undefined
            ? 'in force'
            : `removed by #${c.removedBy}`;
      process.stdout.write(
        `${listing.instance} overlay revision ${listing.active.revision}: ${listing.active.additions.length} addition(s), ${listing.active.exclusions.length} exclusion(s) in force\n`,
      );
      process.stdout.write(
        renderTable(
          ['id', 'who', 'when', 'what', 'why', 'state'].map((header) => ({ header })),
          listing.history.map((c) => [
            `#${c.id}`,
            c.by,
            c.at,
            `${describeOverlayEntry(c.entry)}${c.relaxedRules === undefined ? '' : ` (relaxes ${c.relaxedRules.join(', ')})`}`,
            c.note === '' ? '-' : c.note,
            state(c),
          ]),
        ),
      );
    });
  });
}
