/**
 * Webhook targets on loopback, link-local, private, shared and metadata addresses are refused
 * after resolution unless allowPrivateTargets (`--allow-private-targets`): a real receiver on
 * 127.0.0.1 and a real SQLite store; the refusal is recorded on the delivery and nothing is sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { listenOnLoopback, type LoopbackServer } from '../helpers/upstream-server.js';
import { checkWebhookTarget, targetAddressProblem } from '../../src/service/webhook-target.js';
import { deliverDue } from '../../src/service/webhooks.js';
import { appendBundledFirstVersion } from './bundled-first-version.js';

describe('webhook targets', () => {
  let server: LoopbackServer;
  let port = 0;
  let received = 0;
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-hook-target-'));
  beforeAll(async () => {
    server = await listenOnLoopback((request, response) => {
      received += 1;
      request.resume();
      request.on('end', () => response.writeHead(204).end());
    });
    port = server.port;
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a loopback receiver with a clear message and sends nothing (test/publish/webhooks.test.ts delivers with the option)', async () => {
    const store = await createSqliteStore({ filename: join(dir, 'a.db') });
    try {
      for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`]) {
        await store.addWebhook({ instance: 'Worldwide', url, secret: 'a-secret-of-some-length' });
      }
      await appendBundledFirstVersion(store);
      const refused = await deliverDue(store, { retry: { maxAttempts: 1 } });
      expect(refused).toHaveLength(2);
      expect(received).toBe(0);
      expect(refused.map((o) => [o.result, o.statusCode])).toEqual([
        ['failed', null],
        ['failed', null],
      ]);
      expect(refused[0]?.error).toBe(
        'webhook target 127.0.0.1 refused: 127.0.0.1 lies in 127.0.0.0/8, loopback (RFC 1122); internal receivers need --allow-private-targets',
      );
      // A name is judged by what it resolves to (localhost: /etc/hosts, 127.0.0.1 or ::1).
      expect(refused[1]?.error).toMatch(
        /^webhook target localhost refused: (127\.0\.0\.1|::1) lies in .*loopback.*--allow-private-targets$/,
      );
    } finally {
      await store.close();
    }
  });

  it('names every refused class and lets public addresses through', async () => {
    expect(targetAddressProblem('169.254.169.254')).toBe(
      '169.254.169.254 is a cloud metadata address',
    );
    expect(targetAddressProblem('fd00:ec2::254')).toBe('fd00:ec2::254 is a cloud metadata address');
    expect(targetAddressProblem('10.1.2.3')).toMatch(
      /lies in 10\.0\.0\.0\/8, private \(RFC 1918\)/,
    );
    expect(targetAddressProblem('fd12::1')).toMatch(/lies in fc00::\/7, unique local/);
    expect(targetAddressProblem('100.64.0.1')).toMatch(/shared address space/);
    expect(targetAddressProblem('169.254.1.1')).toMatch(/link-local/);
    expect(targetAddressProblem('fe80::1')).toMatch(/link-local/);
    expect(targetAddressProblem('0.0.0.0')).toMatch(/"this network"/);
    expect(targetAddressProblem('::1')).toMatch(/loopback/);
    expect(targetAddressProblem('::ffff:127.0.0.1')).toMatch(/127\.0\.0\.0\/8, loopback/);
    expect(targetAddressProblem('13.107.6.152')).toBeUndefined();
    expect(targetAddressProblem('2603:1006::1')).toBeUndefined();
    // A public name resolving to a private address is refused (resolver stands in for DNS here).
    expect(
      await checkWebhookTarget('https://hooks.example/x', async () => ['192.168.1.5']),
    ).toMatch(/^webhook target hooks\.example refused: 192\.168\.1\.5 lies in 192\.168\.0\.0\/16/);
    expect(
      await checkWebhookTarget('https://hooks.example/x', async () => ['20.190.128.1']),
    ).toBeNull();
  });
});
