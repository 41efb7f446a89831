/**
 * `ipurl publish <instance> <file|->`: validate, plan and publish a version (issue 3;
 * docs/publishing.md). `--dry-run` prints the plan for review and stores nothing. Identical data
 * is a no-op that says so and exits 0; a publish that lost a race exits 4 (ERR_CONFLICT: run it
 * again).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { IpurlError } from '../../core/errors.js';
import { renderPlanText } from '../../formats/plan-text.js';
import { planJson } from '../../formats/plan-json.js';
import {
  planPublish,
  publish,
  type PublishOptions,
  type PublishPlan,
} from '../../service/publish.js';
import { openCommandStore, withStore } from '../open-store.js';
import { addStoreOptions, EXIT_TEXT, parseIntegerOption, printJson } from '../options.js';
import { addPolicyOptions, policyFromFlags, type PolicyFlags } from '../policy-options.js';

interface PublishFlags extends PolicyFlags {
  dryRun?: boolean;
  noticeDays?: string;
  effectiveDate?: string;
  db?: string;
  json?: boolean;
}

/** Most IPs/URLs listed per record after a real publish; the dry run lists everything. */
const PUBLISHED_LIST_CAP = 20;

async function readDocument(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new IpurlError(
      code === 'ENOENT' ? 'ERR_NOT_FOUND' : 'ERR_USAGE',
      `cannot read the document ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message} (give a JSON file, or - for stdin)`,
      { cause: error },
    );
  }
}

/** Said after the plan whenever the publisher relaxed a sanity rule. */
function relaxedLine(plan: PublishPlan): string {
  return plan.relaxedRules.length === 0
    ? ''
    : `Sanity rules relaxed (recorded with the version): ${plan.relaxedRules.join(', ')}\n`;
}

export function register(program: Command): void {
  const command = program
    .command('publish')
    .description('validate a publisher document and publish it as the next version of an instance')
    .argument(
      '<instance>',
      'instance name (an existing one in any case, or a new name: its first version creates it)',
    )
    .argument(
      '<file>',
      'publisher JSON document (array of endpoint sets, <tenant> allowed in URLs), or - for stdin',
    )
    .option('--dry-run', 'print the plan (version id, every change record) and store nothing')
    .option('--notice-days <n>', 'days from today (UTC) until additions take effect (default 30)')
    .option('--effective-date <yyyymmdd>', 'date additions take effect, instead of --notice-days')
    .addHelpText(
      'after',
      '\nThe sanity policy refuses default routes, special-purpose ranges (private, loopback,\n' +
        'documentation, …), over-broad prefixes, markup, control characters and formulas in text,\n' +
        'far-future version ids and oversized versions; each refusal names its rule, and\n' +
        '--allow RULE relaxes it (recorded with the version). See docs/operations.md.',
    );
  addPolicyOptions(command);

  addStoreOptions(command, {
    0: 'published, or nothing to publish (identical data)',
    1: EXIT_TEXT.failed,
    2: 'invalid document or option (every problem is listed; nothing stored)',
    3: 'the document file does not exist; no store at --db',
    4: 'another publish landed first, or the version ids of the day are used up (nothing written: run it again)',
    5: EXIT_TEXT.storage,
  });
  command.action(async (instance: string, file: string, flags: PublishFlags) => {
    if (flags.noticeDays !== undefined && flags.effectiveDate !== undefined) {
      throw new IpurlError('ERR_USAGE', 'give either --notice-days or --effective-date, not both');
    }
    const options: PublishOptions = {
      ...(flags.noticeDays === undefined
        ? {}
        : { noticeDays: parseIntegerOption('--notice-days', flags.noticeDays, 0, 366) }),
      ...(flags.effectiveDate === undefined ? {} : { effectiveDate: flags.effectiveDate }),
      policy: policyFromFlags(flags),
    };
    const text = await readDocument(file);
    await withStore(
      openCommandStore(flags.db, {
        access: flags.dryRun === true ? 'read' : 'write',
        mayStartEmpty: true,
      }),
      async (store) => {
        if (flags.dryRun === true) {
          const plan = await planPublish(store, instance, text, options);
          process.stdout.write(
            flags.json === true
              ? `${JSON.stringify({ status: plan.unchanged ? 'unchanged' : 'planned', dryRun: true, ...planJson(plan) }, null, 2)}\n`
              : renderPlanText(plan, { mode: 'dry-run' }) + relaxedLine(plan),
          );
          return;
        }
        const result = await publish(store, instance, text, options);
        if (flags.json === true) {
          const body =
            result.status === 'unchanged'
              ? { status: 'unchanged', ...planJson(result.plan) }
              : {
                  status: 'published',
                  ...planJson(result.plan),
                  publishedAt: result.version.publishedAt,
                  changes: result.changes,
                  deliveries: result.deliveries,
                };
          printJson(body);
          return;
        }
        if (result.status === 'unchanged') {
          process.stdout.write(renderPlanText(result.plan, { mode: 'published' }));
          return;
        }
        process.stdout.write(
          renderPlanText(
            { ...result.plan, changes: result.changes },
            { mode: 'published', maxItems: PUBLISHED_LIST_CAP },
          ) + relaxedLine(result.plan),
        );
        if (result.deliveries.length > 0) {
          process.stdout.write(
            `${result.deliveries.length} webhook deliver${result.deliveries.length === 1 ? 'y' : 'ies'} queued (ipurl webhooks status).\n`,
          );
        }
      },
    );
  });
}
