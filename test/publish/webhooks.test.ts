/**
 * Webhook delivery against a real receiving HTTP server on loopback and a real SQLite store:
 * signature, retry after a 500, exactly-once acceptance keyed on the delivery id, identical bytes
 * on every retry, give-up after maxAttempts, and an outbox that survives closing the store.
 */
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diffVersions } from '../../src/core/diff.js';
import type { Store } from '../../src/core/store.js';
import { addDays } from '../../src/core/version-id.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readBundled } from '../helpers/bundled-data.js';
import { listenOnLoopback, type LoopbackServer } from '../helpers/upstream-server.js';
import { FIRST_VERSION, appendBundledFirstVersion } from './bundled-first-version.js';
import { countChanges } from '../../src/core/change-counts.js';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  backoffDelayMs,
  buildDeliveryBody,
  deliverDue,
  signBody,
  startWebhookWorker,
  verifySignature,
  type WebhookPayload,
} from '../../src/service/webhooks.js';

const SECRET = 'a-test-secret-of-some-length';

interface Received {
  readonly deliveryId: string;
  readonly body: string;
  readonly signatureOk: boolean;
  readonly status: number;
}

/** A receiver that fails the first attempt of each delivery with 500 and dedupes on the id. */
class Receiver {
  readonly requests: Received[] = [];
  readonly accepted = new Map<string, WebhookPayload>();
  duplicates = 0;
  failFirst = true;
  private readonly seen = new Set<string>();
  private server: LoopbackServer | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = await listenOnLoopback((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const deliveryId = String(request.headers[DELIVERY_HEADER] ?? '');
        const signatureOk = verifySignature(
          body,
          SECRET,
          request.headers[SIGNATURE_HEADER] as string | undefined,
        );
        let status: number;
        if (!signatureOk) status = 401;
        else if (this.failFirst && !this.seen.has(deliveryId)) {
          this.seen.add(deliveryId);
          status = 500;
        } else {
          if (this.accepted.has(deliveryId)) this.duplicates++;
          else this.accepted.set(deliveryId, JSON.parse(body) as WebhookPayload);
          status = 200;
        }
        this.requests.push({ deliveryId, body, signatureOk, status });
        response
          .writeHead(status, { 'content-type': 'text/plain' })
          .end(status === 200 ? 'ok' : 'no');
      });
    });
    this.url = `${this.server.url}/hook`;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-webhooks-'));
  dirs.push(dir);
  return join(dir, 'store.db');
}

/** Worldwide 2020010200, then 2020012800 (the version with the one real change record). */
async function publishTwo(store: Store): Promise<void> {
  await appendBundledFirstVersion(store);
  const first = readBundled('Worldwide', FIRST_VERSION);
  const second = readBundled('Worldwide', '2020012800');
  await store.appendVersion({
    instance: 'Worldwide',
    version: '2020012800',
    sets: second,
    changes: diffVersions(first, second, {
      version: '2020012800',
      effectiveDate: addDays('20200128', 30),
    }),
    expectedLatest: '2020010200',
  });
}

describe('webhook delivery', () => {
  const receiver = new Receiver();
  const stores: Store[] = [];
  beforeAll(() => receiver.start());
  afterAll(async () => {
    await receiver.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('signs the body, retries after a 500 with identical bytes, and the receiver accepts exactly once', async () => {
    const store = await createSqliteStore({ filename: tempDb() });
    stores.push(store);
    const webhook = await store.addWebhook({
      instance: 'Worldwide',
      url: receiver.url,
      secret: SECRET,
    });
    await publishTwo(store);
    const queued = await store.listDeliveries({ status: 'pending' });
    expect(queued.map((d) => d.version).sort()).toEqual(['2020010200', '2020012800']);

    // Deliveries are due from the moment they are queued (the real clock): start a little later.
    const start = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    let now = new Date(start);
    const clock = () => now;
    const retry = { baseDelayMs: 60_000, maxDelayMs: 3_600_000, maxAttempts: 5 };
    const first = await deliverDue(store, {
      now: clock,
      retry,
      timeoutMs: 5_000,
      allowPrivateTargets: true,
    });
    expect(first.map((o) => o.result)).toEqual(['retry', 'retry']);
    expect(first.every((o) => o.statusCode === 500 && o.attempt === 1)).toBe(true);
    expect(first[0]?.nextAttemptAt).toBe(new Date(start + 60_000).toISOString());

    // Not due yet: nothing is sent.
    now = new Date(start + 30_000);
    expect(await deliverDue(store, { now: clock, retry, allowPrivateTargets: true })).toEqual([]);

    now = new Date(start + 60_000);
    const second = await deliverDue(store, { now: clock, retry, allowPrivateTargets: true });
    expect(second.map((o) => o.result)).toEqual(['delivered', 'delivered']);
    expect(
      await deliverDue(store, {
        now: () => new Date(start + 86_400_000),
        retry,
        allowPrivateTargets: true,
      }),
    ).toEqual([]);

    expect(receiver.requests).toHaveLength(4);
    expect(receiver.requests.every((r) => r.signatureOk)).toBe(true);
    expect(receiver.accepted.size).toBe(2);
    expect(receiver.duplicates).toBe(0);
    // A retry sends the same bytes as the first attempt.
    for (const id of receiver.accepted.keys()) {
      const bodies = receiver.requests.filter((r) => r.deliveryId === id).map((r) => r.body);
      expect(bodies).toHaveLength(2);
      expect(bodies[0]).toBe(bodies[1]);
    }

    const payload = [...receiver.accepted.values()].find((p) => p.version === '2020012800');
    expect(payload).toBeDefined();
    const records = await store.getChanges('Worldwide', { version: '2020012800' });
    expect(payload?.instance).toBe('Worldwide');
    expect(payload?.previousVersion).toBe('2020010200');
    expect(payload?.changes).toEqual(records);
    expect(payload?.counts).toEqual(countChanges(records));
    expect(payload?.counts.records).toBe(records.length);
    const initial = [...receiver.accepted.values()].find((p) => p.version === '2020010200');
    expect(initial?.previousVersion).toBeNull();

    const deliveries = await store.listDeliveries();
    expect(
      deliveries.every(
        (d) => d.status === 'delivered' && d.attempts === 2 && d.lastStatusCode === 200,
      ),
    ).toBe(true);
    expect(deliveries.every((d) => d.webhookId === webhook.id)).toBe(true);
  });

  it('gives up after maxAttempts with the last answer recorded, and backs off exponentially up to the cap', async () => {
    expect(
      [1, 2, 3, 4, 10].map((n) =>
        backoffDelayMs(n, { baseDelayMs: 1000, maxDelayMs: 5000, maxAttempts: 10 }),
      ),
    ).toEqual([1000, 2000, 4000, 5000, 5000]);
    const store = await createSqliteStore({ filename: tempDb() });
    stores.push(store);
    // A closed port: connection refused on every attempt.
    const closed = await listenOnLoopback(() => undefined);
    const port = closed.port;
    await closed.close();
    await store.addWebhook({
      instance: 'Worldwide',
      url: `http://127.0.0.1:${port}/gone`,
      secret: SECRET,
    });
    await publishTwo(store);
    let now = new Date(Date.now() + 1000);
    const retry = { baseDelayMs: 1000, maxDelayMs: 5000, maxAttempts: 3 };
    const results: string[] = [];
    for (let i = 0; i < 3; i++) {
      const outcomes = await deliverDue(store, {
        now: () => now,
        retry,
        allowPrivateTargets: true,
      });
      results.push(...outcomes.map((o) => o.result));
      now = new Date(now.getTime() + 10_000);
    }
    expect(results).toEqual(['retry', 'retry', 'retry', 'retry', 'failed', 'failed']);
    const deliveries = await store.listDeliveries();
    expect(
      deliveries.every(
        (d) => d.status === 'failed' && d.attempts === 3 && d.nextAttemptAt === null,
      ),
    ).toBe(true);
    expect(deliveries[0]?.lastError).toMatch(/ECONNREFUSED/);
    expect(deliveries[0]?.lastStatusCode).toBeNull();
  });

  it('keeps pending deliveries across a restart; the worker drains them; a removed webhook fails its deliveries', async () => {
    const filename = tempDb();
    const before = await createSqliteStore({ filename });
    await before.addWebhook({ instance: 'Worldwide', url: receiver.url, secret: SECRET });
    const doomed = await before.addWebhook({
      instance: 'Worldwide',
      url: receiver.url,
      secret: SECRET,
    });
    await publishTwo(before);
    await before.removeWebhook(doomed.id);
    await before.close();

    receiver.failFirst = false;
    const acceptedBefore = receiver.accepted.size;
    const store = await createSqliteStore({ filename });
    stores.push(store);
    const worker = startWebhookWorker(store, { intervalMs: 50, allowPrivateTargets: true });
    try {
      for (
        let i = 0;
        i < 200 && (await store.listDeliveries({ status: 'pending' })).length > 0;
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await worker.stop();
      receiver.failFirst = true;
    }
    const deliveries = await store.listDeliveries();
    expect(
      deliveries.filter((d) => d.webhookId === doomed.id).every((d) => d.status === 'failed'),
    ).toBe(true);
    expect(
      deliveries.filter((d) => d.webhookId !== doomed.id).every((d) => d.status === 'delivered'),
    ).toBe(true);
    expect(receiver.accepted.size).toBe(acceptedBefore + 2);
  });

  it('builds the body from stored data only: the same bytes every time, signed as GitHub does', async () => {
    const store = await createSqliteStore({ filename: tempDb() });
    stores.push(store);
    await publishTwo(store);
    const delivery = { id: 'd-1', instance: 'Worldwide', version: '2020012800' };
    const a = await buildDeliveryBody(store, delivery);
    const b = await buildDeliveryBody(store, delivery);
    expect(a).toBe(b);
    expect(Object.keys(JSON.parse(a) as object)).toEqual([
      'deliveryId',
      'instance',
      'version',
      'previousVersion',
      'counts',
      'changes',
    ]);
    // RFC 4231 test case 2.
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(verifySignature(a, SECRET, signBody(a, SECRET))).toBe(true);
    expect(verifySignature(a + ' ', SECRET, signBody(a, SECRET))).toBe(false);
    expect(verifySignature(a, SECRET, undefined)).toBe(false);
  });
});
