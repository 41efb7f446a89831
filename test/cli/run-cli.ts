/**
 * Run `ipurl` for a test, the one way every test does it.
 *
 * `runIpurl` runs the CLI in this process — `main(argv)` from src/cli/main.ts, no spawn, no
 * recompile — with what a fresh shell would give it: its own stdout/stderr (captured), exit code,
 * environment (no IPURL_* / DATABASE_URL / REDIS_URL unless given, NO_COLOR=1), working folder,
 * stdin (empty unless given), no terminal (unless `tty`). Everything it changes on `process` is
 * put back afterwards, and in-process runs take turns, so nothing leaks from one run to the next.
 *
 * `runIpurlProcess` starts a real process (`node` on the run's compiled CLI, see
 * test/helpers/process-bundles.ts): for what only a process shows — exit on signals, EPIPE, file
 * modes as an unprivileged user (`unprivileged` always runs as a process). Keep those few; a
 * process start costs about half a second of CPU.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { processScript } from '../helpers/process-bundles.js';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Working folder (default: the repository root); relative paths resolve against it. */
  readonly cwd?: string;
  /** Variables added to the clean environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run as user `nobody` (uid 65534) when this process is root, so file permissions bite. */
  readonly unprivileged?: boolean;
  /** What the command reads on stdin (default: nothing, end of file at once). */
  readonly stdin?: string;
  /** In-process only: stdout and stderr say they are a terminal (progress drawing). */
  readonly tty?: boolean;
}

/** The `node` arguments that start `ipurl args…` as a real process. */
export function ipurlNodeArgs(args: readonly string[]): string[] {
  return [processScript('ipurl'), ...args];
}

const isRoot = process.getuid?.() === 0;

/** Can this machine drop to an unprivileged user (or is it one already)? */
export function canDropPrivileges(): boolean {
  if (!isRoot) return true;
  return spawnSync('setpriv', ['--version']).status === 0;
}

/** The environment of a fresh shell for ipurl: no store variables, no colours. */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env)) {
    if (key.startsWith('IPURL_') || key === 'DATABASE_URL' || key === 'REDIS_URL') delete env[key];
  }
  return { ...env, ...extra };
}

/** Run the CLI: in this process, or as a real process when `unprivileged` asks for one. */
export function runIpurl(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  if (options.unprivileged === true && isRoot) return runIpurlProcess(args, options);
  return runInThisProcess(args, options);
}

/** Earlier spelling of `runIpurl(args, { env })`, kept for the tests that use it. */
export function runInProcess(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> {
  return runInThisProcess(args, { env });
}

/** Run `ipurl` as a real process. */
export function runIpurlProcess(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CliRun> {
  const nodeArgs = ipurlNodeArgs(args);
  const drop = options.unprivileged === true && isRoot;
  const command = drop ? 'setpriv' : process.execPath;
  const argv = drop
    ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...nodeArgs]
    : nodeArgs;
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd: options.cwd ?? REPO_ROOT,
      env: cleanEnv({ ...(drop ? { HOME: options.cwd ?? '/tmp' } : {}), ...options.env }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // the command may exit without reading stdin
    child.stdin.end(options.stdin ?? '');
  });
}

// ---- in-process runs -------------------------------------------------------------------------

interface Sink {
  stdout: string;
  stderr: string;
}

/**
 * Writes made inside a run (its async context) go to that run's sink; every other write (vitest,
 * a server the test started) goes where it always went.
 */
const sinks = new AsyncLocalStorage<Sink>();
let captureInstalled = false;

function installCapture(): void {
  if (captureInstalled) return;
  captureInstalled = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = function write(chunk: unknown, ...rest: unknown[]): boolean {
      const sink = sinks.getStore();
      if (sink === undefined) return original(chunk, ...rest);
      sink[name] +=
        typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      if (callback !== undefined) process.nextTick(callback);
      return true;
    };
  }
}

/** In-process runs take turns: exit code, environment, cwd and stdin are process-wide. */
let turn: Promise<unknown> = Promise.resolve();

function runInThisProcess(args: readonly string[], options: CliOptions): Promise<CliRun> {
  const run = turn.then(() => runNow(args, options));
  turn = run.catch(() => undefined);
  return run;
}

export interface RunningCli {
  /** Settles when the command returns (after `signal`, for a server). */
  readonly done: Promise<CliRun>;
  /** Deliver a signal to the command: calls the handlers it registered (no real signal is sent). */
  signal(name: 'SIGINT' | 'SIGTERM'): void;
}

/**
 * Start a long-running command (`serve`, `watch --interval`) in this process and return at once;
 * stop it with `signal('SIGTERM')`. Other in-process runs wait until it is done.
 */
export function startIpurl(args: readonly string[], options: CliOptions = {}): RunningCli {
  const before = new Map<string, Set<unknown>>();
  const started = turn.then(() => {
    for (const name of SIGNALS) before.set(name, new Set(process.listeners(name)));
  });
  const done = started.then(() => runNow(args, options));
  turn = done.catch(() => undefined);
  return {
    done,
    signal(name) {
      const known = before.get(name);
      if (known === undefined) throw new Error('startIpurl: the command has not started yet');
      for (const listener of process.listeners(name)) {
        if (!known.has(listener)) (listener as (signal: string) => void)(name);
      }
    },
  };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const TTY_STREAMS = [process.stdout, process.stderr] as const;

async function runNow(args: readonly string[], options: CliOptions): Promise<CliRun> {
  installCapture();
  const { main } = await import('../../src/cli/main.js');
  const sink: Sink = { stdout: '', stderr: '' };
  const restore = enterShell(options);
  try {
    const code = await sinks.run(sink, () => main(args));
    return { code, stdout: sink.stdout, stderr: sink.stderr };
  } finally {
    restore();
  }
}

/** Give `process` the state of a fresh shell for one run; returns the function that undoes it. */
function enterShell(options: CliOptions): () => void {
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  const savedCode = process.exitCode;
  const savedStdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  const savedExit = process.exit.bind(process);
  const savedTty = TTY_STREAMS.map((stream) => Object.getOwnPropertyDescriptor(stream, 'isTTY'));
  const listeners = SIGNALS.map((signal) => new Set(process.listeners(signal)));

  replaceEnv(cleanEnv(options.env));
  process.chdir(options.cwd ?? REPO_ROOT);
  process.exitCode = undefined;
  const stdin = new Readable({ read() {} });
  stdin.push(Buffer.from(options.stdin ?? '', 'utf8'));
  stdin.push(null);
  Object.defineProperty(process, 'stdin', {
    configurable: true,
    enumerable: true,
    get: () => stdin,
  });
  process.exit = (code?: number) => {
    throw new Error(`process.exit(${code}) called by an in-process CLI run: use runIpurlProcess`);
  };
  for (const stream of TTY_STREAMS) {
    Object.defineProperty(stream, 'isTTY', {
      configurable: true,
      writable: true,
      value: options.tty === true,
    });
  }

  return () => {
    replaceEnv(savedEnv);
    process.chdir(savedCwd);
    process.exitCode = savedCode;
    Object.defineProperty(process, 'stdin', savedStdin);
    process.exit = savedExit;
    TTY_STREAMS.forEach((stream, i) => {
      const saved = savedTty[i];
      if (saved === undefined) delete (stream as { isTTY?: boolean }).isTTY;
      else Object.defineProperty(stream, 'isTTY', saved);
    });
    SIGNALS.forEach((signal, i) => {
      for (const listener of process.listeners(signal)) {
        if (!listeners[i]!.has(listener)) process.removeListener(signal, listener);
      }
    });
  };
}

/** Make process.env equal `next`, in place (the object stays the real environment). */
function replaceEnv(next: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in next)) delete process.env[key];
  for (const [key, value] of Object.entries(next)) {
    if (value !== undefined) process.env[key] = value;
  }
}
