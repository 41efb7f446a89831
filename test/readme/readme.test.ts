/**
 * README.md cannot drift: every command of its ```console blocks runs, in order, in a fresh
 * folder (a copy of examples/, a fresh default store seeded from the bundled data, a server on a
 * real port standing in for http://127.0.0.1:8080), and its output (stdout and stderr, as a
 * terminal shows them) must match what the README shows, volatile parts masked (see
 * readme-console.ts for the conventions). `ipurl` is the CLI from the sources (compiled
 * once per run, test/helpers/process-bundles.ts).
 *
 * After changing the program on purpose: `README_UPDATE=1 npx vitest run test/readme` writes the
 * real output of every mismatching command into README.md; review the diff and trim it with `…`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { freePort } from '../../bench/lib/local-process.js';
import { cleanEnv } from '../cli/run-cli.js';
import { processScript } from '../helpers/process-bundles.js';
import { matchOutput, parseConsoleBlocks, type ConsoleCommand } from './readme-console.js';

const README = join(REPO_ROOT, 'README.md');
const ADMIN_TOKEN = 'readme-test-admin-token';
const UPDATE = process.env.README_UPDATE === '1';

interface Context {
  readonly work: string;
  readonly port: number;
  readonly servePort: number;
}

const SHELL_PRELUDE = 'ipurl() { node "$IPURL_TEST_BIN" "$@"; }\nexec 2>&1\n';

function shellEnv(): NodeJS.ProcessEnv {
  return cleanEnv({
    IPURL_ADMIN_TOKEN: ADMIN_TOKEN,
    IPURL_TEST_BIN: processScript('ipurl'),
  });
}

function substitute(command: string, ctx: Context): string {
  const serve = /^ipurl serve\b/.test(command);
  return command
    .replaceAll('/var/lib/ipurl', join(ctx.work, 'var', 'lib', 'ipurl'))
    .replace(/\b8080\b/g, String(serve ? ctx.servePort : ctx.port));
}

function unsubstitute(output: string, ctx: Context): string[] {
  return output
    .replaceAll(join(ctx.work, 'var', 'lib', 'ipurl'), '/var/lib/ipurl')
    .replaceAll(`${ctx.work}/`, '')
    .replace(new RegExp(`\\b(${ctx.port}|${ctx.servePort})\\b`, 'g'), '8080')
    .split('\n');
}

function startShell(script: string, cwd: string): { child: ChildProcess; output: () => string } {
  const child = spawn('bash', ['-c', SHELL_PRELUDE + script], {
    cwd,
    env: shellEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { child, output: () => text };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('close', () => resolve());
  });
}

function stopGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function runCommand(entry: ConsoleCommand, ctx: Context): Promise<string> {
  const script = substitute(entry.command, ctx);
  const { child, output } = startShell(script, ctx.work);
  if (/^ipurl serve\b/.test(entry.command)) {
    // A server: wait for the lines the README shows, then stop it.
    const wanted = entry.expected.filter((l) => l.trim() !== '…').length;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && output().split('\n').filter(Boolean).length < wanted) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    stopGroup(child);
    await exited(child);
    return output().split('\n').slice(0, wanted).join('\n');
  }
  const timer = setTimeout(() => stopGroup(child), 240_000);
  await exited(child);
  clearTimeout(timer);
  return output();
}

const markdown = readFileSync(README, 'utf8');
const commands = parseConsoleBlocks(markdown);

describe('README.md console examples', { timeout: 1_800_000 }, () => {
  let ctx: Context;
  let server: { child: ChildProcess; output: () => string } | undefined;
  const updates = new Map<ConsoleCommand, string[]>();

  beforeAll(async () => {
    const work = mkdtempSync(join(tmpdir(), 'ipurl-readme-'));
    cpSync(join(REPO_ROOT, 'examples'), join(work, 'examples'), { recursive: true });
    mkdirSync(join(work, 'var', 'lib', 'ipurl'), { recursive: true });
    ctx = { work, port: await freePort(), servePort: await freePort() };
    // `npm start` of the README: the default store in the project folder, on "8080".
    server = startShell(`ipurl serve --port ${ctx.port}`, work);
    const deadline = Date.now() + 300_000;
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${ctx.port}/ready`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > deadline || server.child.exitCode !== null) {
        throw new Error(`the README's server did not come up:\n${server.output()}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 360_000);

  afterAll(async () => {
    if (server !== undefined) {
      stopGroup(server.child);
      await exited(server.child);
    }
    if (UPDATE && updates.size > 0) {
      const lines = markdown.split('\n');
      const sorted = [...updates].sort((a, b) => b[0].outputRange[0] - a[0].outputRange[0]);
      for (const [entry, actual] of sorted) {
        const [start, end] = entry.outputRange;
        lines.splice(start, end - start, ...actual);
      }
      writeFileSync(README, lines.join('\n'));
    }
    if (ctx !== undefined) rmSync(ctx.work, { recursive: true, force: true });
  });

  it('has console examples to check', () => {
    expect(commands.length).toBeGreaterThan(10);
  });

  // One test per command, in README order: later commands see what earlier ones did.
  for (const entry of commands) {
    it(`README.md:${entry.line} $ ${entry.command.split('\n')[0]}`, async () => {
      const actual = unsubstitute(await runCommand(entry, ctx), ctx);
      while (actual.length > 0 && actual.at(-1)!.trim() === '') actual.pop();
      const failedAt = matchOutput(entry.expected, actual);
      if (failedAt !== undefined && UPDATE) {
        updates.set(
          entry,
          actual.map((l) => l.trimEnd()),
        );
        return;
      }
      expect(
        failedAt,
        `README.md:${entry.line}: shown line ${failedAt === undefined ? '' : entry.outputRange[0] + failedAt + 1} does not match.\n` +
          `--- shown\n${entry.expected.join('\n')}\n--- real\n${actual.join('\n')}`,
      ).toBeUndefined();
    });
  }
});
