/**
 * MEM in the device outputs over a real port and on the command line: PAC files and exports leave
 * the opt-in MEM area out by default, as the live service's /endpoints does, and carry it when it
 * is named (`serviceAreas=MEM`, `--service-areas MEM`). Data: the bundled Worldwide 2025092900,
 * whose set 163 is MEM (Allow) with 4.145.74.224/27 and *.manage.microsoft.com.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundled } from '../helpers/bundled-data.js';
import { runIpurl, type CliRun } from '../cli/run-cli.js';
import { appendSets, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

function ipurl(args: readonly string[]): Promise<CliRun> {
  return runIpurl(args, { env: { IPURL_DB: server.dbFile } });
}

async function get(path: string): Promise<string> {
  const response = await fetch(`${server.url}${path}`);
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  server = await startTestServer({
    seed: 'none',
    prepare: async (store) => {
      await appendSets(store, 'Worldwide', '2025092900', readBundled('Worldwide', '2025092900'));
    },
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('MEM in PAC files and exports', () => {
  it('an nftables export holds MEM prefixes only when MEM is named', async () => {
    const plain = await get('/export/Worldwide/nftables');
    const withMem = await get('/export/Worldwide/nftables?serviceAreas=MEM');
    expect(plain).not.toContain('4.145.74.224/27');
    expect(withMem).toContain('4.145.74.224/27');
    const cli = await ipurl(['export', 'Worldwide', 'nftables', '--service-areas', 'MEM']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('4.145.74.224/27');
  }, 120_000);

  it('a PAC file sends MEM names direct only when MEM is named', async () => {
    const plain = await get('/pac/Worldwide?type=2');
    const withMem = await get('/pac/Worldwide?type=2&serviceAreas=MEM');
    expect(plain).not.toContain('manage.microsoft.com');
    expect(withMem).toContain('manage.microsoft.com');
    const cli = await ipurl(['pac', 'Worldwide', '--type', '2', '--service-areas', 'MEM']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('manage.microsoft.com');
  }, 120_000);
});
