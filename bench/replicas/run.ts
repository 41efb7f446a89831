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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GUID = 'b10c5ed1-bad1-445f-b386-b919946339a7';
const PG = process.env.IPURL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const at = process.argv.indexOf('--duration');
const DURATION = at === -1 ? 10 : Number(process.argv[at + 1]);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 900; i++) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

function wrk(url: string): { rps: number; p99: string; errors: string } {
  const result = spawnSync('wrk', ['-t2', '-c64', `-d${DURATION}s`, '--latency', url], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}`);
  const out = result.stdout;
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p99: /\s99%\s+(\S+)/.exec(out)?.[1] ?? '?',
    errors: [/Socket errors:.*/.exec(out)?.[0], /Non-2xx or 3xx responses:.*/.exec(out)?.[0]]
      .filter(Boolean)
      .join('; '),
  };
}

function nginxConf(dir: string, port: number, upstreams: number[], staticRoot: string): string {
  return `worker_processes 1;
pid ${dir}/nginx-${port}.pid;
error_log ${dir}/error-${port}.log warn;
events { worker_connections 2048; }
http {
  access_log off; sendfile on;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${upstreams.length ? `upstream ipurl { ${upstreams.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 64; }` : ''}
  server {
    listen 127.0.0.1:${port};
    ${
      upstreams.length
        ? 'location / { proxy_pass http://ipurl; proxy_http_version 1.1; proxy_set_header Connection ""; }'
        : `location / { root ${staticRoot}; default_type application/json; }`
    }
  }
}
`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-bench-replicas-'));
  chmodSync(dir, 0o755);
  const schema = `ipurl_bench_${process.pid}`;
  const db = `${PG}?schema=${schema}`;
  const children: ChildProcess[] = [];
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  });
  const startNginx = async (upstreams: number[]): Promise<string> => {
    const port = await freePort();
    const conf = join(dir, `nginx-${port}.conf`);
    writeFileSync(conf, nginxConf(dir, port, upstreams, join(dir, 'static')));
    children.push(
      spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' }),
    );
    return `http://127.0.0.1:${port}`;
  };
  try {
    const replicaPorts = [await freePort(), await freePort()];
    for (const port of replicaPorts) {
      children.push(
        spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            join(ROOT, 'src/cli/bin.ts'),
            'serve',
            '--port',
            String(port),
            '--db',
            db,
            '--rate-limit',
            '0',
          ],
          {
            cwd: ROOT,
            env: { ...process.env, IPURL_LOG_LEVEL: 'warn' },
            stdio: 'ignore',
          },
        ),
      );
      await waitFor(`http://127.0.0.1:${port}/ready`);
    }
    const path = `/endpoints/Worldwide?clientrequestid=${GUID}`;
    const bytes = Buffer.from(
      await (await fetch(`http://127.0.0.1:${replicaPorts[0]}${path}`)).arrayBuffer(),
    );
    mkdirSync(join(dir, 'static', 'endpoints'), { recursive: true });
    writeFileSync(join(dir, 'static', 'endpoints', 'Worldwide'), bytes);

    const staticUrl = await startNginx([]);
    const oneUrl = await startNginx([replicaPorts[0]!]);
    const twoUrl = await startNginx(replicaPorts);
    await new Promise((r) => setTimeout(r, 500));
    const load = loadavg()
      .map((n) => n.toFixed(2))
      .join(' ');
    const anchor = wrk(`${staticUrl}/endpoints/Worldwide`);
    const one = wrk(`${oneUrl}${path}`);
    const two = wrk(`${twoUrl}${path}`);
    const row = (name: string, r: { rps: number; p99: string; errors: string }): string =>
      `| ${name} | ${Math.round(r.rps)} | ${r.p99} | ${(r.rps / anchor.rps).toFixed(2)} | ${r.errors || 'none'} |`;
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
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    const client = new pg.Client({ connectionString: PG });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
