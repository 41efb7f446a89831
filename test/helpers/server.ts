/**
 * End-to-end helpers: a real ipurl server (the same `startServer` as `ipurl serve`) on an
 * ephemeral 127.0.0.1 port, over a real SQLite file in a fresh temp directory, seeded from the
 * bundled data/ or filled by the test.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServeOptions } from '../../src/cli/start-server.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import type { Store } from '../../src/core/store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createSeededStoreFile } from './seeded-store.js';

export const CLIENT_ID = 'b10c5ed1-bad1-445f-b386-b919946339a7';

export interface TestServer extends RunningServer {
  readonly dir: string;
  readonly dbFile: string;
  /** GET (or another method) over real HTTP; the path is sent exactly as given. */
  get(path: string, headers?: Record<string, string>, method?: string): Promise<HttpResult>;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read parsed JSON loosely
  json(): any;
}

export interface TestServerOptions {
  /** 'bundled' seeds data/ (default); 'none' leaves the store as `prepare` filled it. */
  readonly seed?: 'bundled' | 'none';
  /** Fill the store before the server opens it. */
  readonly prepare?: (store: Store) => Promise<void>;
  readonly rateLimit?: number;
  /** Per-IP ceiling across ClientRequestIds (default: the server's, 600). */
  readonly rateLimitPerIp?: number;
  readonly maxConnections?: number;
  readonly publicUrl?: string;
  readonly pollMs?: number;
}

/** Raw HTTP/1.1 request with the path untouched (no URL normalisation, unlike fetch). */
export function rawGet(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<HttpResult> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text,
            json: () => JSON.parse(text),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Send bytes on a fresh socket and return everything the server answers (for malformed HTTP). */
export function rawSocket(baseUrl: string, payload: Buffer | string): Promise<string> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-e2e-'));
  const dbFile = join(dir, 'ipurl.db');
  if (options.prepare === undefined && options.seed !== 'none') {
    // The server seeds on start; a copy of the run's seeded store leaves it nothing to add.
    await createSeededStoreFile(dbFile);
  }
  if (options.prepare) {
    const store = await createSqliteStore({ filename: dbFile });
    try {
      await options.prepare(store);
    } finally {
      await store.close();
    }
  }
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    db: dbFile,
    rateLimit: options.rateLimit ?? 0,
    ...(options.rateLimitPerIp === undefined ? {} : { rateLimitPerIp: options.rateLimitPerIp }),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    seed: options.seed !== 'none',
    logger: false,
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  });
  return {
    ...server,
    dir,
    dbFile,
    get: (path, headers, method) => rawGet(server.url, path, headers, method),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A real server over a store file the test built (or shares with a CLI run), on an ephemeral
 * loopback port: no rate limit, no seeding (the test decides what the store holds), no logs.
 * `options` adds to or overrides those (admin token, poll interval, an upstream to mirror, ...).
 */
export function serveStoreFile(
  db: string,
  options: Partial<Omit<ServeOptions, 'db'>> = {},
): Promise<RunningServer> {
  return startServer({
    host: '127.0.0.1',
    port: 0,
    db,
    rateLimit: 0,
    seed: false,
    logger: false,
    ...options,
  });
}

/** Append `sets` as a new version of `instance` (helper for stores built by a test). */
export async function appendSets(
  store: Store,
  instance: string,
  version: string,
  sets: readonly EndpointSet[],
): Promise<void> {
  const latest = (await store.listVersions(instance))[0]?.version ?? null;
  await store.appendVersion({
    instance,
    version,
    sets,
    changes: [],
    expectedLatest: latest,
    notify: false,
  });
}
