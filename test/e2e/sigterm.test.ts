/**
 * `ipurl serve` as a real process stops on SIGTERM whatever it is doing: while it holds idle
 * keep-alive connections, slow-loris clients that never finish their headers, an upload that
 * never finishes its body, and a steady load of requests (lookups, exports, the web service),
 * it exits with code 0 (serve --help: "stopped by SIGINT or SIGTERM"). It cuts what is left
 * after 8 s of draining; the test only asserts that the exit happens (within a generous bound).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededStoreFile } from '../helpers/seeded-store.js';
import { cleanEnv, ipurlNodeArgs } from '../cli/run-cli.js';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { CLIENT_ID, rawGet } from '../helpers/server.js';

const ADMIN_TOKEN = 'sigterm-test-admin-token-0123456789';

let dir: string;
let dbFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipurl-sigterm-'));
  dbFile = join(dir, 'ipurl.db');
  await createSeededStoreFile(dbFile);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Start `ipurl serve --port 0` and read the bound URL from its first log line. */
function serve(): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const child = spawn(
    process.execPath,
    ipurlNodeArgs(['serve', '--port', '0', '--db', dbFile, '--rate-limit', '0']),
    { cwd: REPO_ROOT, env: cleanEnv({ IPURL_ADMIN_TOKEN: ADMIN_TOKEN }) },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 90_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /ipurl listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, log: () => out });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`serve exited early (${code}): ${out}`)));
  });
}

function socketTo(url: string, first: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(first);
      resolve(socket);
    });
    socket.on('error', () => undefined); // the server cuts these on shutdown
    socket.once('error', reject);
  });
}

describe('ipurl serve and SIGTERM', () => {
  it('exits with code 0 while holding slow and open connections under a load of requests', async () => {
    const { child, url, log } = await serve();
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const held: Socket[] = [];
    let stopLoad = false;
    try {
      const version = `/version?clientrequestid=${CLIENT_ID}`;
      // Idle keep-alive connections, each after one answered request.
      for (let i = 0; i < 5; i++) {
        held.push(await socketTo(url, `GET ${version} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
      }
      // Slow-loris clients: headers never finished, one byte now and then.
      for (let i = 0; i < 20; i++) {
        held.push(await socketTo(url, `GET ${version} HTTP/1.1\r\nHost: localhost\r\nX-Slow: `));
      }
      // An upload that never finishes its body (an in-flight request).
      held.push(
        await socketTo(
          url,
          `POST /admin/instances/Worldwide/versions?dryRun=true HTTP/1.1\r\nHost: localhost\r\n` +
            `Authorization: Bearer ${ADMIN_TOKEN}\r\nContent-Length: 1000000\r\n\r\n[`,
        ),
      );
      const drip = setInterval(() => {
        for (const socket of held.slice(5)) if (!socket.destroyed) socket.write(' ');
      }, 250);
      // A load of requests on four loops, until the process is gone.
      const paths = [
        version,
        `/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`,
        '/export/Worldwide/nftables',
        '/lookup/Worldwide?q=13.107.6.152',
      ];
      let answered = 0;
      const loops = paths.map(async (path) => {
        while (!stopLoad) {
          const ok = await rawGet(url, path).then(
            (r) => r.status === 200,
            () => false,
          );
          if (ok) answered++;
          else if (child.exitCode !== null) return;
        }
      });
      // Let the load run until every route answered at least once.
      for (let i = 0; i < 600 && answered < 8; i++) await new Promise((r) => setTimeout(r, 50));
      expect(answered).toBeGreaterThanOrEqual(8);

      child.kill('SIGTERM');
      const result = await Promise.race([
        exited,
        new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000)),
      ]);
      stopLoad = true;
      clearInterval(drip);
      await Promise.all(loops);
      expect(result, log()).toEqual({ code: 0, signal: null });
      expect(log()).toMatch(/shutting down: finishing in-flight requests/);
    } finally {
      stopLoad = true;
      for (const socket of held) socket.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 150_000);
});
