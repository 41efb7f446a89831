/**
 * wrk, the load generator of the HTTP benchmarks: a run in the foreground or beside another, its
 * requests per second and latency percentiles, and Lua scripts that vary every request.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
