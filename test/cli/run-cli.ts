/**
 * Run `ipurl` as a real process from the sources (tsx), in a chosen folder, with a clean store
 * environment (no IPURL_DB / DATABASE_URL unless given), optionally as an unprivileged user so
 * that file modes apply (root reads a mode-0444 file anyway).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/bundled-data.js';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Run as user `nobody` (uid 65534) when this process is root, so file permissions bite. */
  readonly unprivileged?: boolean;
  readonly stdin?: string;
}

export const TSX_LOADER = pathToFileURL(
  createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx'),
).href;
export const BIN = join(REPO_ROOT, 'src', 'cli', 'bin.ts');

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

export function runIpurl(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const nodeArgs = ['--import', TSX_LOADER, BIN, ...args];
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
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Run the CLI in this process (no compile, no spawn): for cases that need neither their own
 * folder nor their own user. stdout/stderr are captured; process.exitCode is restored.
 */
export async function runInProcess(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> {
  const { main } = await import('../../src/cli/main.js');
  const saved = { ...process.env };
  const savedCode = process.exitCode;
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  let stdout = '';
  let stderr = '';
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  };
  try {
    for (const key of Object.keys(process.env)) {
      if (key.startsWith('IPURL_') || key === 'DATABASE_URL') delete process.env[key];
    }
    Object.assign(process.env, env);
    process.exitCode = undefined;
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.env = saved;
    process.exitCode = savedCode;
  }
}
