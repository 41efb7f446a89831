/**
 * Issue 6 proof on loopback: nginx in front of three `ipurl serve` replicas sharing one
 * PostgreSQL schema and one Redis. A version published through one replica is read through
 * nginx; a client's rate limit holds across replicas; a replica killed during a load run and
 * Redis stopped and started during it cost no failed request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, stopProcess } from '../../bench/lib/local-process.js';
import { startNginx } from '../../bench/lib/nginx.js';
import {
  POSTGRES_URL,
  dropSchema,
  postgresReachable,
  uniqueSchemaName,
} from '../helpers/postgres.js';
import { processScript } from '../helpers/process-bundles.js';
import { describeWith, hasCommand } from '../helpers/system.js';

const ROOT = resolve(import.meta.dirname, '../..');
const GUID = 'b10c5ed1-bad1-445f-b386-b919946339a7';
const TOKEN = 'replica-test-admin-token';
const available = hasCommand('nginx') && hasCommand('redis-server') && (await postgresReachable());

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check().catch(() => false)) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what}: not reached within ${ms} ms`);
}

describeWith('nginx, redis-server and PostgreSQL at 127.0.0.1:5432', available)(
  'three replicas behind nginx',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipurl-replicas-'));
    const schema = uniqueSchemaName('ipurl_replicas');
    const db = `${POSTGRES_URL}?schema=${schema}`;
    const replicas: Array<{ port: number; child: ChildProcess }> = [];
    let redisPort = 0;
    let redis: ChildProcess | undefined;
    let nginx: ChildProcess | undefined;
    let front = '';

    const startRedis = (): void => {
      redis = spawn(
        'redis-server',
        ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
    };

    async function startReplica(port: number): Promise<void> {
      const child = spawn(
        process.execPath,
        [
          processScript('ipurl'),
          'serve',
          '--port',
          String(port),
          '--db',
          db,
          '--redis',
          `redis://127.0.0.1:${redisPort}`,
          '--rate-limit',
          '30',
          '--trust-proxy',
        ],
        {
          cwd: ROOT,
          env: { ...process.env, IPURL_ADMIN_TOKEN: TOKEN, IPURL_LOG_LEVEL: 'warn' },
          stdio: 'ignore',
        },
      );
      replicas.push({ port, child });
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200,
        60_000,
        `replica ${port} ready`,
      );
    }

    beforeAll(async () => {
      redisPort = await freePort();
      startRedis();
      const ports = [await freePort(), await freePort(), await freePort()];
      // The first replica seeds the empty schema; the others start on the seeded store.
      await startReplica(ports[0]!);
      await Promise.all([startReplica(ports[1]!), startReplica(ports[2]!)]);
      // nginx retries a request another replica can answer: a replica stopping mid-run costs
      // no failed request.
      const proxy = await startNginx(dir, {
        upstreams: {
          replicas: ports.map((p) => `http://127.0.0.1:${p}`),
          keepalive: 32,
          serverParameters: 'max_fails=1 fail_timeout=5s',
          directives: [
            'proxy_set_header X-Forwarded-For $remote_addr;',
            'proxy_next_upstream error timeout http_502 http_503;',
            'proxy_next_upstream_tries 3;',
          ],
        },
      });
      nginx = proxy.child;
      front = proxy.base;
      await waitFor(async () => (await fetch(`${front}/ready`)).status === 200, 10_000, 'nginx up');
    }, 180_000);

    afterAll(async () => {
      await stopProcess(nginx);
      for (const { child } of replicas) await stopProcess(child);
      await stopProcess(redis, 'SIGKILL');
      await dropSchema(schema).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    });

    it('a version published through one replica is served through nginx by every replica', async () => {
      const document = JSON.parse(
        readFileSync(join(ROOT, 'data/Worldwide/2025092900.json'), 'utf8'),
      );
      document[0].ips.splice(11, 0, '145.0.113.0/24');
      const response = await fetch(
        `http://127.0.0.1:${replicas[0]!.port}/admin/instances/Worldwide/versions`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(document),
        },
      );
      expect(response.status).toBe(201);
      const { version } = (await response.json()) as { version: string };
      // Every replica, each asked directly, and nginx in front of them, within one second.
      for (const base of [front, ...replicas.map((r) => `http://127.0.0.1:${r.port}`)]) {
        await waitFor(
          async () => {
            const body = (await (
              await fetch(`${base}/version/Worldwide?clientrequestid=${GUID}`)
            ).json()) as { latest: string };
            return body.latest === version;
          },
          1000,
          `${base} serving ${version}`,
        );
      }
    });

    it("a client's hourly budget is shared by all replicas", async () => {
      const guid = globalThis.crypto.randomUUID();
      const statuses: number[] = [];
      for (let i = 0; i < 31; i += 1) {
        statuses.push((await fetch(`${front}/endpoints/Worldwide?clientrequestid=${guid}`)).status);
      }
      expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
      expect(statuses[30]).toBe(429);
    });

    it('a replica killed and Redis stopped and started during a load run cost no failed request', async () => {
      const run = autocannon({
        url: `${front}/version/Worldwide?clientrequestid=${GUID}`,
        connections: 8,
        duration: 6,
      });
      const reqErrors: string[] = [];
      run.on('reqError', (error: Error) => reqErrors.push(error.message));
      await new Promise((r) => setTimeout(r, 1500));
      // `kill` (SIGTERM) mid-run: the replica stops taking connections and nginx moves its
      // traffic to the others. (With SIGKILL a response cut mid-write cannot be retried by nginx.)
      replicas[1]!.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1000));
      redis?.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 1000));
      startRedis();
      const result = await run;
      expect(result.requests.total).toBeGreaterThan(100);
      expect(reqErrors).toEqual([]);
      expect(result.errors).toBe(0);
      expect(result.timeouts).toBe(0);
      expect(result.non2xx).toBe(0);
      // The shared limit resumes once Redis is back.
      await waitFor(
        async () =>
          ((await (await fetch(`${front}/health/rate-limit`)).json()) as { healthy: boolean })
            .healthy,
        15_000,
        'rate-limit store healthy again',
      );
    }, 60_000);
  },
);
