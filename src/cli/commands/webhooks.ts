/**
 * `ipurl webhooks add|list|remove|status|deliver`: subscribers of an instance's new versions
 * (issue 3). Deliveries are queued by the store in the publish transaction; `ipurl serve` drains
 * them continuously, `ipurl webhooks deliver` runs one pass (for cron, or a server-less setup).
 */
import type { Command } from 'commander';
import { IpurlError } from '../../core/errors.js';
import { canonicalInstance, isValidInstanceName } from '../../core/instance.js';
import type { Delivery, DeliveryStatus, Store } from '../../core/store.js';
import { renderTable, type Column } from '../../formats/history-table.js';
import { deliverDue, generateSecret, type DeliveryOutcome } from '../../service/webhooks.js';
import { openCommandStore, withStore } from '../open-store.js';
import { addStoreOptions, parseIntegerOption, printJson, storeExitCodes } from '../options.js';

function parseWebhookUrl(value: string): string {
  if (!URL.canParse(value)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `webhook URL must be an absolute http:// or https:// URL; received "${value}"`,
    );
  }
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `webhook URL must use http or https; received ${url.protocol} in "${value}"`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      'webhook URL must not carry credentials: receivers check the X-Ipurl-Signature instead',
    );
  }
  return url.toString();
}

/** One line per delivery attempt of `webhooks deliver`. */
function describeAttempt(o: DeliveryOutcome): string {
  const answer = o.statusCode === null ? (o.error ?? 'no answer') : `HTTP ${o.statusCode}`;
  const next = o.result === 'retry' ? `, next attempt ${o.nextAttemptAt ?? ''}` : '';
  return `${o.id} → webhook ${o.webhookId} (${o.instance} ${o.version}) attempt ${o.attempt}: ${answer}: ${o.result}${next}\n`;
}

const STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed'];

/** Table columns by header; the numeric ones, named in `right`, align right. */
function columns(headers: readonly string[], right: readonly string[]): Column[] {
  return headers.map((header) =>
    right.includes(header) ? { header, align: 'right' } : { header },
  );
}

const WEBHOOK_COLUMNS = columns(['ID', 'INSTANCE', 'URL', 'CREATED'], ['ID']);
const DELIVERY_COLUMNS = columns(
  [
    'DELIVERY',
    'WEBHOOK',
    'VERSION',
    'STATUS',
    'ATTEMPTS',
    'LAST CODE',
    'LAST ERROR',
    'LAST ATTEMPT',
    'NEXT ATTEMPT',
  ],
  ['WEBHOOK', 'ATTEMPTS', 'LAST CODE'],
);

function deliveryRow(d: Delivery): string[] {
  return [
    d.id,
    String(d.webhookId),
    `${d.instance} ${d.version}`,
    d.status,
    String(d.attempts),
    d.lastStatusCode === null ? '-' : String(d.lastStatusCode),
    d.lastError ?? '-',
    d.lastAttemptAt ?? '-',
    d.nextAttemptAt ?? '-',
  ];
}

/** Every webhooks subcommand works on a store that may hold no version yet. */
const WEBHOOK_EXIT_CODES = storeExitCodes('ok', { 3: 'no store at --db' });

function openWebhookStore(db: string | undefined, access: 'read' | 'write'): Promise<Store> {
  return openCommandStore(db, { access, mayStartEmpty: true });
}

/** --json prints `json`; otherwise the listing's text, or `empty` when it has no row. */
function printListing(
  flags: { json?: boolean },
  json: unknown,
  count: number,
  empty: string,
  text: () => string,
): void {
  if (flags.json === true) printJson(json);
  else process.stdout.write(count === 0 ? `${empty}\n` : text());
}

export function register(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('manage webhook subscribers and their deliveries');

  const add = webhooks
    .command('add')
    .description(
      'subscribe a URL to the new versions of an instance (signed JSON POST, see docs/publishing.md)',
    )
    .argument('<instance>', 'instance name')
    .argument('<url>', 'http(s) URL receiving the POST')
    .option(
      '--secret <secret>',
      'HMAC-SHA256 signing secret (default: a random one, printed once)',
    );
  addStoreOptions(add, WEBHOOK_EXIT_CODES);
  add.action(
    async (
      requested: string,
      rawUrl: string,
      flags: { secret?: string; db?: string; json?: boolean },
    ) => {
      if (!isValidInstanceName(requested)) {
        throw new IpurlError(
          'ERR_INVALID_PARAMETER',
          `instance name must be a letter followed by up to 63 letters or digits; received "${requested}"`,
        );
      }
      const url = parseWebhookUrl(rawUrl);
      if (flags.secret !== undefined && flags.secret.length < 16) {
        throw new IpurlError(
          'ERR_INVALID_PARAMETER',
          `--secret must be at least 16 characters; received ${flags.secret.length}`,
        );
      }
      const secret = flags.secret ?? generateSecret();
      await withStore(openWebhookStore(flags.db, 'write'), async (store) => {
        const names = (await store.listInstances()).map((s) => s.instance);
        const instance = canonicalInstance(names, requested) ?? requested;
        const webhook = await store.addWebhook({ instance, url, secret });
        if (flags.json === true) {
          printJson({ ...webhook, secret: flags.secret === undefined ? secret : undefined });
          return;
        }
        process.stdout.write(`webhook ${webhook.id}: ${instance} → ${url}\n`);
        if (!names.includes(instance))
          process.stdout.write(
            `note: ${instance} has no version yet; its first publish will be delivered\n`,
          );
        if (flags.secret === undefined) {
          process.stdout.write(
            `secret (shown once, keep it to check X-Ipurl-Signature): ${secret}\n`,
          );
        }
      });
    },
  );

  const list = webhooks
    .command('list')
    .description('list webhooks (secrets are not shown)')
    .argument('[instance]', 'only this instance');
  addStoreOptions(list, WEBHOOK_EXIT_CODES);
  list.action(async (instance: string | undefined, flags: { db?: string; json?: boolean }) => {
    await withStore(openWebhookStore(flags.db, 'read'), async (store) => {
      const all = await store.listWebhooks();
      const rows =
        instance === undefined
          ? all
          : all.filter((w) => w.instance.toLowerCase() === instance.toLowerCase());
      printListing(
        flags,
        rows.map(({ secret: _secret, ...rest }) => rest),
        rows.length,
        'no webhooks',
        () =>
          renderTable(
            WEBHOOK_COLUMNS,
            rows.map((w) => [String(w.id), w.instance, w.url, w.createdAt]),
          ),
      );
    });
  });

  const remove = webhooks
    .command('remove')
    .description('remove a webhook (its delivery history stays)')
    .argument('<id>', 'webhook id');
  addStoreOptions(
    remove,
    storeExitCodes('ok', { 3: 'no webhook with that id; no store at --db' }),
    { json: false },
  );
  remove.action(async (rawId: string, flags: { db?: string }) => {
    const id = parseIntegerOption('<id>', rawId, 1, Number.MAX_SAFE_INTEGER);
    await withStore(openWebhookStore(flags.db, 'write'), async (store) => {
      if (!(await store.removeWebhook(id)))
        throw new IpurlError('ERR_NOT_FOUND', `no webhook with id ${id} (see ipurl webhooks list)`);
      process.stdout.write(`removed webhook ${id}; its pending deliveries will be marked failed\n`);
    });
  });

  const status = webhooks
    .command('status')
    .description('show deliveries: status, attempts, last answer, next attempt')
    .option('--status <status>', `only ${STATUSES.join(' | ')}`)
    .option('--limit <n>', 'most deliveries shown (newest first)', '50');
  addStoreOptions(status, WEBHOOK_EXIT_CODES);
  status.action(async (flags: { status?: string; limit: string; db?: string; json?: boolean }) => {
    if (flags.status !== undefined && !(STATUSES as readonly string[]).includes(flags.status)) {
      throw new IpurlError(
        'ERR_USAGE',
        `--status must be one of ${STATUSES.join(', ')}; received "${flags.status}"`,
      );
    }
    const limit = parseIntegerOption('--limit', flags.limit, 1, 100_000);
    await withStore(openWebhookStore(flags.db, 'read'), async (store) => {
      const deliveries = await store.listDeliveries({
        ...(flags.status === undefined ? {} : { status: flags.status as DeliveryStatus }),
        limit,
      });
      printListing(flags, deliveries, deliveries.length, 'no deliveries', () =>
        renderTable(DELIVERY_COLUMNS, deliveries.map(deliveryRow)),
      );
    });
  });

  const deliver = webhooks
    .command('deliver')
    .description(
      'attempt every due delivery once, then exit (for cron; `ipurl serve` does this continuously)',
    )
    .option('--timeout <ms>', 'per-request timeout in milliseconds', '10000')
    .option('--max-attempts <n>', 'attempts before a delivery is marked failed', '10')
    .option(
      '--allow-private-targets',
      'deliver to loopback, link-local, private, shared and metadata addresses too',
    );
  addStoreOptions(deliver, WEBHOOK_EXIT_CODES);
  deliver.action(
    async (flags: {
      timeout: string;
      maxAttempts: string;
      db?: string;
      json?: boolean;
      allowPrivateTargets?: boolean;
    }) => {
      const timeoutMs = parseIntegerOption('--timeout', flags.timeout, 100, 600_000);
      const maxAttempts = parseIntegerOption('--max-attempts', flags.maxAttempts, 1, 100);
      await withStore(openWebhookStore(flags.db, 'write'), async (store) => {
        const outcomes = await deliverDue(store, {
          timeoutMs,
          retry: { maxAttempts },
          limit: 1000,
          allowPrivateTargets: flags.allowPrivateTargets === true,
        });
        printListing(flags, outcomes, outcomes.length, 'no delivery due', () =>
          outcomes.map(describeAttempt).join(''),
        );
      });
    },
  );
}
