/**
 * Run inside a network namespace made by test/publish/webhook-rebinding.test.ts (only its own `lo`,
 * which also holds PUBLIC_ADDRESS): nothing here can reach another machine. Two receivers
 * listen on the same port, one on the "public" address and one on loopback; the webhook's name
 * resolves to the public address at the first look-up and to loopback at every later one (DNS
 * rebinding). Prints one JSON line: the outcome and what each receiver got.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { deliverDue } from '../../../src/service/webhooks.js';
import { appendBundledFirstVersion } from '../bundled-first-version.js';

const PUBLIC_ADDRESS = process.argv[2] ?? '203.0.113.7';
/** With `https`, the "public" receiver speaks TLS with REBIND_CERT/REBIND_KEY (a certificate for NAME). */
const HTTPS = process.argv[3] === 'https';
const NAME = 'hooks.rebind.test';

interface Hit {
  readonly host: string | undefined;
  readonly delivery: string | undefined;
}

function receiver(address: string, port: number, hits: Hit[], tls = false): Promise<Server> {
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    hits.push({
      host: request.headers.host,
      delivery: request.headers['x-ipurl-delivery'] as string,
    });
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  };
  const server: Server = tls
    ? createHttpsServer(
        {
          cert: readFileSync(process.env.REBIND_CERT ?? ''),
          key: readFileSync(process.env.REBIND_KEY ?? ''),
        },
        handler,
      )
    : createServer(handler);
  return new Promise((resolve) => server.listen(port, address, () => resolve(server)));
}

const publicHits: Hit[] = [];
const loopbackHits: Hit[] = [];
const first = await receiver(PUBLIC_ADDRESS, 0, publicHits, HTTPS);
const port = (first.address() as AddressInfo).port;
const second = await receiver('127.0.0.1', port, loopbackHits);

const lookups: string[] = [];
const resolve = async (host: string): Promise<string[]> => {
  lookups.push(host);
  return lookups.length === 1 ? [PUBLIC_ADDRESS] : ['127.0.0.1'];
};

const store = await createSqliteStore({ filename: ':memory:' });
await store.addWebhook({
  instance: 'Worldwide',
  url: `${HTTPS ? 'https' : 'http'}://${NAME}:${port}/hook`,
  secret: 'a-secret-of-some-length',
});
await appendBundledFirstVersion(store);
const outcomes = await deliverDue(store, { retry: { maxAttempts: 1 }, timeoutMs: 5000, resolve });
await store.close();
first.close();
second.close();
process.stdout.write(`${JSON.stringify({ port, lookups, outcomes, publicHits, loopbackHits })}\n`);
