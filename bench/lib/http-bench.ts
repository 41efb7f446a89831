/**
 * Shared pieces of the HTTP benchmarks (not tests): a real `ipurl serve` on a fresh SQLite file
 * seeded from data/, nginx (one worker) serving given bytes as static files, and wrk runs with
 * their requests per second and latency percentiles. Same method as bench/serve/run.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GUID = 'b10c5ed1-bad1-445f-b386-b919946339a7';

export function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

export function freePort(): Promise<number> {
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

export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never came up`);
}

export interface WrkResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: string;
}

/** wrk's latency figures (`1.23ms`, `456.00us`, `1.02s`) in milliseconds. */
function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s|m)/.exec(text);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

export function parseWrk(out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = [/Socket errors:.*/.exec(out)?.[0], /Non-2xx or 3xx responses:.*/.exec(out)?.[0]]
    .filter(Boolean)
    .join('; ');
  return { rps, p50, p99, non2xx, errors };
}

export interface WrkOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly headers?: readonly string[];
  /** A wrk Lua script file (request generation). */
  readonly script?: string;
  readonly threads?: number;
}

function wrkArgs(url: string, o: WrkOptions): string[] {
  const args = [`-t${o.threads ?? 2}`, `-c${o.connections}`, `-d${o.seconds}s`, '--latency'];
  for (const h of o.headers ?? []) args.push('-H', h);
  if (o.script !== undefined) args.push('-s', o.script);
  return [...args, url];
}

export function wrk(url: string, o: WrkOptions): WrkResult {
  const result = spawnSync('wrk', wrkArgs(url, o), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}`);
  return parseWrk(result.stdout);
}

/** wrk in the background (a flood beside a probe). */
export function wrkAsync(url: string, o: WrkOptions): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', wrkArgs(url, o), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(parseWrk(out)) : reject(new Error(`wrk exited ${code}`)),
    );
  });
}

export class Processes {
  private readonly children: ChildProcess[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'ipurl-bench-'));

  constructor() {
    // nginx workers may run as an unprivileged user: let them read the files.
    chmodSync(this.dir, 0o755);
    process.on('exit', () => this.stop());
  }

  /** `ipurl serve` (the real CLI) with extra flags; resolves to its base URL once it answers. */
  async ipurl(name: string, flags: readonly string[]): Promise<string> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src/cli/bin.ts'),
        'serve',
        '--port',
        String(port),
        '--db',
        join(this.dir, `${name}.db`),
        ...flags,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, IPURL_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    this.children.push(child);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/version?clientrequestid=${GUID}`);
    return base;
  }

  /** nginx, one worker, serving `files` (path → bytes, with an optional Content-Encoding). */
  async nginx(files: ReadonlyArray<{ path: string; body: Buffer; type: string; gzip?: boolean }>) {
    const www = join(this.dir, 'www');
    const locations: string[] = [];
    for (const file of files) {
      const target = join(www, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.body);
      locations.push(
        `    location = ${file.path} { default_type "${file.type}";${file.gzip === true ? ' add_header Content-Encoding gzip;' : ''} add_header Cache-Control "public, max-age=3600"; }`,
      );
    }
    const port = await freePort();
    const d = this.dir;
    const conf = join(d, 'nginx.conf');
    writeFileSync(
      conf,
      `worker_processes 1;
daemon off;
pid ${join(d, 'nginx.pid')};
error_log ${join(d, 'nginx-error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${join(d, 'nginx-body')};
  proxy_temp_path ${join(d, 'nginx-proxy')};
  fastcgi_temp_path ${join(d, 'nginx-fastcgi')};
  uwsgi_temp_path ${join(d, 'nginx-uwsgi')};
  scgi_temp_path ${join(d, 'nginx-scgi')};
  types { }
  server {
    listen 127.0.0.1:${port};
    root ${www};
${locations.join('\n')}
  }
}
`,
    );
    const child = spawn('nginx', ['-c', conf, '-p', d], { stdio: ['ignore', 'ignore', 'inherit'] });
    this.children.push(child);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}${files[0]!.path}`);
    return base;
  }

  stop(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGTERM');
  }
}

export function machine(): string {
  const nginx = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim();
  const wrkVersion = spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!;
  return `${process.version}, ${nginx}, ${wrkVersion.trim()}`;
}

/**
 * A wrk Lua script: every request gets a fresh ClientRequestId for `{id}` in `pathTemplate`, and
 * for `{v}` either the next of `versions` (cycling) or, with 'random', a distinct ten-digit
 * version string between 2018 and 2025.
 */
export function requestScript(
  dir: string,
  name: string,
  pathTemplate: string,
  versions: readonly string[] | 'random' = [],
): string {
  const file = join(dir, `${name}.lua`);
  const list =
    versions === 'random' ? '{}' : `{${versions.map((v) => JSON.stringify(v)).join(',')}}`;
  writeFileSync(
    file,
    `local threads = 0
local versions = ${list}
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) counter = 0; math.randomseed(tid * 7919) end
function request()
  counter = counter + 1
  local id = string.format("%08x-0000-4000-8000-%012x", tid, counter)
  local v
  if #versions > 0 then v = versions[(counter % #versions) + 1]
  else v = string.format("20%02d%02d%02d%02d", math.random(18, 25), math.random(1, 12), math.random(1, 28), math.random(0, 99)) end
  local path = string.gsub(string.gsub("${pathTemplate}", "{id}", id), "{v}", v)
  return wrk.format("GET", path)
end
`,
  );
  return file;
}
