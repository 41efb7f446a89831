/**
 * Benchmark (issue 6; not a test): `/endpoints/Worldwide` throughput through nginx in front of
 * one and then two `ipurl serve` replicas on one PostgreSQL schema, beside nginx serving the
 * same bytes as a static file (the anchor), all in the same run; wrk at 64 connections from a
 * separate process. Writes bench/results/replicas.md.
 *
 *   npx tsx bench/replicas/run.ts [--duration 10]
 *
 * On a 2-core machine two Node replicas plus nginx plus wrk share the same two cores, so the
 * second replica is expected to add little: the figure shows what a second core-bound process
 * costs or buys here, not on a real fleet.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { GUID, Processes, ROOT, arg } from '../lib/http-bench.js';
import { wrk, type WrkResult } from '../lib/wrk.js';

const PG = process.env.IPURL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION = arg('duration', 10);

async function main(): Promise<void> {
  const p = new Processes();
  const schema = `ipurl_bench_${process.pid}`;
  const db = `${PG}?schema=${schema}`;
  try {
    // The first replica seeds the empty schema; the second starts on the seeded store.
    const replicas: string[] = [];
    for (const name of ['replica-1', 'replica-2']) {
      replicas.push(await p.ipurl(name, ['--rate-limit', '0'], db));
    }
    const path = `/endpoints/Worldwide?clientrequestid=${GUID}`;
    const bytes = Buffer.from(await (await fetch(`${replicas[0]}${path}`)).arrayBuffer());

    const staticUrl = await p.nginx({
      files: [{ path: '/endpoints/Worldwide', body: bytes, type: 'application/json' }],
    });
    const oneUrl = await p.nginx({ upstreams: { replicas: replicas.slice(0, 1), keepalive: 64 } });
    const twoUrl = await p.nginx({ upstreams: { replicas, keepalive: 64 } });
    const load = loadavg()
      .map((n) => n.toFixed(2))
      .join(' ');
    const run = (url: string): WrkResult => wrk(url, { connections: 64, seconds: DURATION });
    const anchor = run(`${staticUrl}/endpoints/Worldwide`);
    const one = run(`${oneUrl}${path}`);
    const two = run(`${twoUrl}${path}`);
    const row = (name: string, r: WrkResult): string =>
      `| ${name} | ${Math.round(r.rps)} | ${r.p99.toFixed(2)} ms | ${(r.rps / anchor.rps).toFixed(2)} | ${r.errors || 'none'} |`;
    const report = `# Benchmark: replicas behind nginx (issue 6)

Command: \`npx tsx bench/replicas/run.ts --duration ${DURATION}\` (wrk -t2 -c64, ${DURATION} s each;
replicas = \`ipurl serve --rate-limit 0\` on one PostgreSQL schema; nginx one worker, keepalive
to the replicas; anchor = the same nginx serving the same ${bytes.length} bytes as a static file).

Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}; load average at start ${load}.
On 2 cores the replicas, nginx and wrk share the same cores: a second replica cannot add a core here.

| setup | req/s | p99 | ratio to nginx static | errors |
|---|---|---|---|---|
${row('nginx static file (anchor)', anchor)}
${row('nginx → 1 replica', one)}
${row('nginx → 2 replicas', two)}

Two replicas / one replica: **${(two.rps / one.rps).toFixed(2)}**.
`;
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'replicas.md'), report);
    process.stdout.write(report);
  } finally {
    await p.close();
    const client = new pg.Client({ connectionString: PG });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

await main();
