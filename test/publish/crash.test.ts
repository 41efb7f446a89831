/**
 * Crash proof (issue 3): a child process publishing in a loop on a SQLite file is killed with
 * SIGKILL 15 times at random moments while a server on the same file keeps answering. After each
 * kill the store holds whole versions only: every version's stored sets match its set count, its
 * change records are exactly the diff from its predecessor, record ids increase, no record points
 * at a missing version, and the last version the child reported as committed is there. The server
 * never answers 5xx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffVersions } from '../../src/core/diff.js';
import type { Store } from '../../src/core/store.js';
import { VERSION_ZERO, addDays, versionDate } from '../../src/core/version-id.js';
import type { RunningServer } from '../../src/cli/start-server.js';
import { publish } from '../../src/service/publish.js';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { processScript } from '../helpers/process-bundles.js';
import { serveStoreFile } from '../helpers/server.js';

const KILLS = 15;
const INSTANCE = 'Crash';
const dir = mkdtempSync(join(tmpdir(), 'ipurl-crash-'));
const file = join(dir, 'crash.db');

/** Whole versions only: sets, records and ids agree with the diff of consecutive versions. */
async function checkConsistent(store: Store): Promise<number> {
  const versions = [...(await store.listVersions(INSTANCE))].reverse();
  const records = await store.getChanges(INSTANCE, { after: VERSION_ZERO });
  const known = new Set(versions.map((v) => v.version));
  for (const record of records)
    expect(known.has(record.version), `record ${record.id} has its version`).toBe(true);
  for (let i = 1; i < records.length; i++)
    expect(records[i]!.id).toBeGreaterThan(records[i - 1]!.id);
  let previous: Awaited<ReturnType<Store['getEndpointSets']>> = [];
  for (const v of versions) {
    const sets = await store.getEndpointSets(INSTANCE, v.version);
    expect(sets, `sets of ${v.version}`).toBeDefined();
    expect(sets!.length, `set count of ${v.version}`).toBe(v.setCount);
    const expected = diffVersions(previous ?? [], sets!, {
      version: v.version,
      effectiveDate: addDays(versionDate(v.version), 30),
    });
    const stored = records
      .filter((r) => r.version === v.version)
      .map(({ id: _id, ...rest }) => rest);
    expect(stored, `change records of ${v.version}`).toEqual(expected);
    previous = sets;
  }
  return versions.length;
}

function runChild(): {
  child: ChildProcess;
  published: string[];
  firstPublish: Promise<void>;
  exited: Promise<void>;
} {
  const child = spawn(process.execPath, [processScript('publish-loop'), file, INSTANCE], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const published: string[] = [];
  let stderr = '';
  let resolveFirst: () => void = () => undefined;
  let rejectFirst: (error: Error) => void = () => undefined;
  const firstPublish = new Promise<void>((resolve, reject) => {
    resolveFirst = resolve;
    rejectFirst = reject;
  });
  let buffer = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^published (\d{10})/.exec(line);
      if (match?.[1]) {
        published.push(match[1]);
        resolveFirst();
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL')
        rejectFirst(
          new Error(
            `publish loop exited (${code ?? signal ?? '?'}) before it was killed: ${stderr}`,
          ),
        );
      resolve();
    }),
  );
  return { child, published, firstPublish, exited };
}

describe('kill -9 during publishes', () => {
  let server: RunningServer;
  let polling = true;
  let poller: Promise<void> = Promise.resolve();
  const statuses = new Map<number, number>();
  let requests = 0;

  beforeAll(async () => {
    server = await serveStoreFile(file, { pollMs: 50 });
    const initial = Array.from({ length: 5 }, (_, i) => ({
      id: i + 1,
      serviceArea: 'Common',
      serviceAreaDisplayName: 'Crash test',
      urls: [`s${i + 1}.crash.example.com`],
      ips: [`145.0.2.${i * 8}/29`],
      tcpPorts: '443',
      expressRoute: false,
      category: 'Default',
      required: true,
    }));
    await publish(server.store, INSTANCE, initial, { now: new Date('2029-12-31T00:00:00Z') });
    const crid = randomUUID();
    const paths = [
      `/version/${INSTANCE}`,
      `/changes/${INSTANCE}/0000000000`,
      `/endpoints/${INSTANCE}`,
      `/version?AllVersions&Format=RSS&Instance=${INSTANCE}`,
    ];
    poller = (async () => {
      while (polling) {
        for (const path of paths) {
          const response = await fetch(
            `${server.url}${path}${path.includes('?') ? '&' : '?'}ClientRequestId=${crid}`,
          );
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          requests++;
        }
      }
    })();
  }, 60_000);

  afterAll(async () => {
    polling = false;
    await poller;
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`leaves the store at an old or a new version after each of ${KILLS} kills, and the server never answers 5xx`, async () => {
    let versions = await checkConsistent(server.store);
    let totalPublished = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const run = runChild();
      await run.firstPublish;
      // A random moment in the middle of the publish loop.
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 250)));
      run.child.kill('SIGKILL');
      await run.exited;
      totalPublished += run.published.length;
      const count = await checkConsistent(server.store);
      expect(count).toBeGreaterThanOrEqual(versions);
      // Everything the child saw committed survived the kill.
      const stored = new Set((await server.store.listVersions(INSTANCE)).map((v) => v.version));
      for (const version of run.published)
        expect(stored.has(version), `${version} survived`).toBe(true);
      versions = count;
    }
    expect(totalPublished).toBeGreaterThanOrEqual(KILLS);
    // The server follows the file: /version shows the last stored version.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const latest = (await server.store.listVersions(INSTANCE))[0]?.version;
    const answer = (await (
      await fetch(`${server.url}/version/${INSTANCE}?ClientRequestId=${randomUUID()}`)
    ).json()) as { latest: string };
    expect(answer.latest).toBe(latest);
    expect(requests).toBeGreaterThan(0);
    const fiveHundreds = [...statuses.entries()].filter(([status]) => status >= 500);
    expect(fiveHundreds).toEqual([]);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  }, 180_000);
});
