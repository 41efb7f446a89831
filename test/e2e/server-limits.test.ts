/**
 * The server's own limits, on a real server on a real loopback port (the same startServer as
 * `ipurl serve`): the connection cap (`--max-connections`), the headers and request deadlines
 * (`--headers-timeout`, `--request-timeout`) against slow-loris clients while other clients keep
 * being answered, and a refused request body (401 without the admin token, 413 too large)
 * answered with `Connection: close` on a socket the server really closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/cli/start-server.js';
import { createSeededStoreFile } from '../helpers/seeded-store.js';
import { runInProcess } from '../cli/run-cli.js';
import { CLIENT_ID, rawGet, serveStoreFile } from '../helpers/server.js';

const ADMIN_TOKEN = 'limits-test-admin-token-0123456789';

let dir: string;
let dbFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipurl-limits-'));
  dbFile = join(dir, 'ipurl.db');
  await createSeededStoreFile(dbFile);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(options: {
  maxConnections?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}): Promise<RunningServer> {
  return serveStoreFile(dbFile, { adminToken: ADMIN_TOKEN, ...options });
}

/** A client connection that records what the server sends and whether the server closed it. */
interface Conn {
  readonly socket: Socket;
  data(): string;
  /** Resolves when the server ends or resets the connection (or after `ms`: then `false`). */
  closed(ms: number): Promise<boolean>;
}

function open(baseUrl: string): Promise<Conn> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    let isClosed = false;
    const waiters: Array<() => void> = [];
    const onClose = (): void => {
      isClosed = true;
      for (const wake of waiters.splice(0)) wake();
    };
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('end', onClose);
    socket.on('close', onClose);
    socket.on('error', onClose);
    socket.once('connect', () =>
      resolve({
        socket,
        data: () => text,
        closed: (ms) =>
          isClosed
            ? Promise.resolve(true)
            : new Promise<boolean>((done) => {
                const timer = setTimeout(() => done(false), ms);
                waiters.push(() => {
                  clearTimeout(timer);
                  done(true);
                });
              }),
      }),
    );
    socket.once('error', reject);
  });
}

/** Wait until the connection has received a whole response head and body of `/version`. */
async function untilAnswered(conn: Conn, count = 1): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((conn.data().match(/HTTP\/1\.1 200/g) ?? []).length >= count) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no answer; received ${JSON.stringify(conn.data().slice(0, 200))}`);
}

const VERSION = `/version?clientrequestid=${CLIENT_ID}`;
const GET_VERSION = `GET ${VERSION} HTTP/1.1\r\nHost: localhost\r\n\r\n`;

describe('--max-connections', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ maxConnections: 5 });
  });
  afterAll(() => server.close());

  it('with a cap of 5, holds 5 connections open and closes the 6th unanswered; a freed slot is reused', async () => {
    const held: Conn[] = [];
    for (let i = 0; i < 5; i++) {
      const conn = await open(server.url);
      conn.socket.write(GET_VERSION); // keep-alive: the connection stays open after the answer
      await untilAnswered(conn);
      held.push(conn);
    }
    const sixth = await open(server.url);
    sixth.socket.write(GET_VERSION);
    expect(await sixth.closed(10_000)).toBe(true);
    expect(sixth.data()).toBe('');

    // The five are still open and served.
    held[0]!.socket.write(GET_VERSION);
    await untilAnswered(held[0]!, 2);
    for (const conn of held) expect(await conn.closed(0)).toBe(false);

    // One leaves: a new client gets its place (the server counts the close asynchronously).
    held[4]!.socket.destroy();
    let answered = false;
    for (let attempt = 0; attempt < 50 && !answered; attempt++) {
      const conn = await open(server.url);
      conn.socket.write(GET_VERSION);
      answered = await untilAnswered(conn).then(
        () => true,
        () => false,
      );
      if (answered) held[4] = conn;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(answered).toBe(true);
    for (const conn of held) conn.socket.destroy();
  }, 60_000);
});

describe('--headers-timeout and --request-timeout', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({ headersTimeoutMs: 2000, requestTimeoutMs: 3000 });
  });
  afterAll(() => server.close());

  it('cuts slow-loris clients (headers byte by byte, never finished) with 408, answering others meanwhile', async () => {
    const loris: Conn[] = [];
    for (let i = 0; i < 20; i++) {
      const conn = await open(server.url);
      conn.socket.write(`GET ${VERSION} HTTP/1.1\r\nHost: localhost\r\nX-Slow: `);
      loris.push(conn);
    }
    const drip = setInterval(() => {
      for (const conn of loris) if (!conn.socket.destroyed) conn.socket.write('a');
    }, 200);
    try {
      // While they drip, other clients are answered.
      let answeredWhileHeld = 0;
      for (let i = 0; i < 5; i++) {
        const answer = await rawGet(server.url, VERSION);
        expect(answer.status).toBe(200);
        if (!loris.some((conn) => conn.socket.destroyed)) answeredWhileHeld++;
      }
      expect(answeredWhileHeld).toBeGreaterThan(0);
      const closed = await Promise.all(loris.map((conn) => conn.closed(20_000)));
      expect(closed.every(Boolean)).toBe(true);
      for (const conn of loris) {
        expect(conn.data()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
        expect(conn.data()).toMatch(/Connection: close/i);
        expect(conn.data()).toMatch(/the request was not received in time/);
      }
      expect((await rawGet(server.url, VERSION)).status).toBe(200);
    } finally {
      clearInterval(drip);
    }
  }, 60_000);

  it('cuts a client whose body trickles past the request deadline', async () => {
    const conn = await open(server.url);
    conn.socket.write(
      `POST /admin/instances/Worldwide/versions?dryRun=true HTTP/1.1\r\nHost: localhost\r\n` +
        `Authorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[`,
    );
    const drip = setInterval(() => {
      if (!conn.socket.destroyed) conn.socket.write(' ');
    }, 200);
    try {
      expect(await conn.closed(20_000)).toBe(true);
      expect(conn.data()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(drip);
    }
  }, 60_000);
});

describe('a refused request body closes the connection', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start({});
  });
  afterAll(() => server.close());

  const cases: Array<[string, number, string]> = [
    ['401 without the admin token', 401, ''],
    ['413 for a body over the limit', 413, `Authorization: Bearer ${ADMIN_TOKEN}\r\n`],
  ];
  for (const [name, status, auth] of cases) {
    it(`${name}: Connection: close, and the server closes the socket without reading the rest`, async () => {
      const conn = await open(server.url);
      // Announces 100 MB and sends a few bytes: the server must not wait for the rest.
      conn.socket.write(
        `POST /admin/instances/Worldwide/versions HTTP/1.1\r\nHost: localhost\r\n${auth}` +
          `Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n[{"id":1`,
      );
      expect(await conn.closed(10_000)).toBe(true);
      const head = conn.data().split('\r\n\r\n')[0] ?? '';
      expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(head).toMatch(/\r\nconnection: close\r\n/i);
      // The server is fine afterwards.
      expect((await rawGet(server.url, VERSION)).status).toBe(200);
    }, 30_000);
  }
});

describe('ipurl serve timeout flags', () => {
  const serve = (...flags: string[]) => runInProcess(['serve', ...flags]);
  it('refuse a headers deadline longer than the request deadline, or a value that is no duration (exit 2)', async () => {
    const longer = await serve('--headers-timeout', '40s', '--request-timeout', '30s');
    expect(longer.code).toBe(2);
    expect(longer.stderr).toMatch(
      /--headers-timeout \(40 s\) must not be longer than --request-timeout \(30 s\)/,
    );
    const bad = await serve('--request-timeout', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--request-timeout: "soon" is not a duration/);
    const env = await runInProcess(['serve'], { IPURL_HEADERS_TIMEOUT: '2h' });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/--headers-timeout must be at most 1h; received 7200 s/);
  });
});
