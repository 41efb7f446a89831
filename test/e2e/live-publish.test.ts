/**
 * A version published by another process into the same SQLite file is served without a restart
 * (the web service follows `store.revision()`), cached responses are dropped, and Microsoft's
 * sample-client flow (poll /version, compare `latest` as strings, then fetch /endpoints; the
 * Python and PowerShell samples on the web-service doc page) notices it. Only the host differs
 * from a call to endpoints.office.com.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';
import { PYTHON, describeWith, hasCommand } from '../helpers/system.js';

const NEW_VERSION = '2099010100';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ pollMs: 200 });
});
afterAll(async () => {
  await server?.close();
});

/** Append a version with one extra set from a separate Node process (like `ipurl publish`). */
function publishFromAnotherProcess(dbFile: string): void {
  const script = join(server.dir, 'publish.mts');
  const storeModule = join(REPO_ROOT, 'src/store/sqlite/sqlite-store.ts');
  writeFileSync(
    script,
    `import { createSqliteStore } from ${JSON.stringify(storeModule)};
const store = await createSqliteStore({ filename: process.argv[2] });
const latest = (await store.listVersions('Worldwide'))[0].version;
const sets = await store.getEndpointSets('Worldwide', latest);
const added = { id: 9999, serviceArea: 'Common', serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
  urls: ['ipurl-live-test.example.com'], tcpPorts: '443', expressRoute: false, category: 'Default', required: false };
await store.appendVersion({ instance: 'Worldwide', version: ${JSON.stringify(NEW_VERSION)}, sets: [...sets, added],
  changes: [{ endpointSetId: 9999, disposition: 'Add', version: ${JSON.stringify(NEW_VERSION)}, impact: 'AddedUrl',
    current: { expressRoute: 'false', serviceArea: 'Common', category: 'Default', required: 'false', tcpPorts: '443' },
    add: { effectiveDate: '20990131', urls: ['ipurl-live-test.example.com'] } }],
  expectedLatest: latest, notify: false });
await store.close();
`,
  );
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, dbFile], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`publish failed: ${result.stderr}`);
}

/** Poll until `check` holds; a bound on attempts, not a timing assertion. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition never held');
}

/** The doc samples' flow, in Python's standard library; the host is the only change. */
const PYTHON_CLIENT = `
import json, sys, urllib.request
from pathlib import Path
ws, state = sys.argv[1], Path(sys.argv[2])
def web_api_get(method, instance, client_request_id):
    with urllib.request.urlopen(ws + '/' + method + '/' + instance + '?clientRequestId=' + client_request_id) as r:
        return json.loads(r.read().decode())
client_id, latest = state.read_text().split() if state.exists() else (sys.argv[3], '0000000000')
version = web_api_get('version', 'Worldwide', client_id)
if version['latest'] > latest:
    state.write_text(client_id + '\\n' + version['latest'])
    sets = web_api_get('endpoints', 'Worldwide', client_id)
    urls = sorted({u for s in sets if s['category'] in ('Optimize', 'Allow', 'Default') for u in s.get('urls', [])})
    ips = sorted({ip for s in sets if s['category'] in ('Optimize', 'Allow') for ip in s.get('ips', []) if '.' in ip})
    print(json.dumps({'new': version['latest'], 'urls': urls, 'ipv4': len(ips)}))
else:
    print(json.dumps({'new': None}))
`;

/** Async: the server runs in this process, so a blocking spawn would deadlock it. */
async function runPythonClient(
  stateFile: string,
): Promise<{ new: string | null; urls?: string[]; ipv4?: number }> {
  const { stdout } = await promisify(execFile)(
    PYTHON,
    ['-c', PYTHON_CLIENT, server.url, stateFile, CLIENT_ID],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return JSON.parse(stdout) as { new: string | null; urls?: string[]; ipv4?: number };
}

describeWith('python3', hasCommand(PYTHON))('a version published by another process', () => {
  it('is served without a restart, and the sample-client flow picks it up', async () => {
    const state = join(server.dir, 'endpoints_clientid_latestversion.txt');
    const C = `clientrequestid=${CLIENT_ID}`;
    const before = await server.get(`/version/Worldwide?${C}`);
    const oldLatest = (before.json() as { latest: string }).latest;
    const endpointsBefore = await server.get(`/endpoints/Worldwide?${C}`);
    expect(endpointsBefore.text).not.toContain('ipurl-live-test.example.com');

    expect((await runPythonClient(state)).new).toBe(oldLatest);
    expect((await runPythonClient(state)).new).toBeNull();

    publishFromAnotherProcess(server.dbFile);
    await eventually(
      async () =>
        ((await server.get(`/version/Worldwide?${C}`)).json() as { latest: string }).latest ===
        NEW_VERSION,
    );

    const after = await server.get(`/version/Worldwide?${C}`);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(
      (
        await server.get(`/version/Worldwide?${C}`, {
          'if-none-match': before.headers.etag as string,
        })
      ).status,
    ).toBe(200);
    const endpointsAfter = await server.get(`/endpoints/Worldwide?${C}`);
    expect(endpointsAfter.text).toContain('ipurl-live-test.example.com');
    const versions = (await server.get(`/version/Worldwide?AllVersions&${C}`)).json() as {
      versions: string[];
    };
    expect(versions.versions.slice(0, 2)).toEqual([NEW_VERSION, oldLatest]);
    // The Flow/Logic App pattern: /changes/{instance}/{versions[1]} gives the newest batch.
    const changes = (
      await server.get(`/changes/Worldwide/${versions.versions[1]}?${C}`)
    ).json() as Array<{ endpointSetId: number }>;
    expect(changes.map((c) => c.endpointSetId)).toEqual([9999]);

    const detected = await runPythonClient(state);
    expect(detected.new).toBe(NEW_VERSION);
    expect(detected.urls).toContain('ipurl-live-test.example.com');
    expect(detected.ipv4).toBeGreaterThan(10);
  });
});
