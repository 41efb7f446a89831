/**
 * Shared pieces of the HTTP benchmarks (not tests): the processes of a run, among them a real
 * `ipurl serve` on a fresh SQLite file seeded from data/ (or on a given store) and nginx (one
 * worker, bench/lib/nginx.ts) serving given bytes as static files or proxying to replicas; the
 * load comes from wrk (bench/lib/wrk.ts).
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, stopProcess, waitFor } from './local-process.js';
import { startNginx, type NginxSite } from './nginx.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GUID = 'b10c5ed1-bad1-445f-b386-b919946339a7';

export function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

/** The processes of one benchmark run and the folder they keep their files in. */
export class Processes {
  private readonly children: ChildProcess[] = [];
  private readonly onExit = (): void => this.stop();
  readonly dir = mkdtempSync(join(tmpdir(), 'ipurl-bench-'));

  constructor() {
    // nginx workers may run as an unprivileged user: let them read the files.
    chmodSync(this.dir, 0o755);
    // A run that ends without close() (process.exit, an uncaught error) leaves no server behind.
    process.on('exit', this.onExit);
  }

  /** Any program, stopped with the others. */
  start(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'], ...options });
    this.children.push(child);
    return child;
  }

  /**
   * `ipurl serve` (the real CLI) with extra flags, on `db` (by default a fresh SQLite file it
   * seeds from data/); resolves to its base URL once it is ready.
   */
  async ipurl(
    name: string,
    flags: readonly string[],
    db = join(this.dir, `${name}.db`),
  ): Promise<string> {
    const port = await freePort();
    this.start(
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
        ...flags,
      ],
      { cwd: ROOT, env: { ...process.env, IPURL_LOG_LEVEL: 'warn' } },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/ready`);
    return base;
  }

  /** nginx, one worker, serving `site`; resolves to its base URL once it answers. */
  async nginx(site: NginxSite): Promise<string> {
    const { base, child } = await startNginx(this.dir, site);
    this.children.push(child);
    return base;
  }

  private stop(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGTERM');
  }

  /** Stops every process, waits for them to exit and removes the folder. */
  async close(): Promise<void> {
    process.off('exit', this.onExit);
    await Promise.all(this.children.map((child) => stopProcess(child)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function machine(): string {
  const nginx = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim();
  const wrkVersion = spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!;
  return `${process.version}, ${nginx}, ${wrkVersion.trim()}`;
}
