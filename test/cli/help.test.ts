/**
 * Every command's --help, as a user reads it: one default per option, each target once, the
 * --db default named, every exit code listed; a usage error shows the error and the usage line.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { runInProcess } from './run-cli.js';

function allCommands(
  command: Command,
  path: string[] = [],
): Array<{ name: string; command: Command }> {
  const out: Array<{ name: string; command: Command }> = [];
  for (const sub of command.commands) {
    const name = [...path, sub.name()].join(' ');
    if (sub.commands.length === 0) out.push({ name, command: sub });
    out.push(...allCommands(sub, [...path, sub.name()]));
  }
  return out;
}

const program = buildProgram();
const leaves = allCommands(program);

/** The full help text a user sees, with the after-help paragraphs. */
async function helpOf(name: string): Promise<string> {
  const run = await runInProcess([...name.split(' '), '--help']);
  expect(run.code).toBe(0);
  return run.stdout;
}

describe('ipurl --help texts', () => {
  it('lists every command once, with the exit codes', async () => {
    const run = await runInProcess(['--help']);
    for (const { name } of leaves) expect(run.stdout).toContain(name.split(' ')[0]);
    expect(run.stdout).toContain('Exit codes: 0 ok, 1 failed, 2 bad usage or input');
  });

  it.each(leaves.map((l) => l.name))(
    '%s: one default per option, targets once, exit codes',
    async (name) => {
      const help = await helpOf(name);
      const command = leaves.find((l) => l.name === name)!.command;
      for (const option of command.options) {
        const text = `${option.description} ${option.defaultValue === undefined ? '' : 'default:'}`;
        expect(
          text.match(/\bdefault\b/gi)?.length ?? 0,
          `${name} ${option.flags}`,
        ).toBeLessThanOrEqual(1);
      }
      for (const match of help.matchAll(/targets?:? ([a-z0-9, ]+)[;)]/g)) {
        const items = match[1]!
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        expect(new Set(items).size, `${name}: ${match[1]}`).toBe(items.length);
      }
      if (command.options.some((o) => o.long === '--db')) {
        expect(help.replace(/\s+/g, ' ')).toContain('default ipurl.db in the current folder');
      }
      expect(help).toMatch(/\nExit codes:\n( {2}\d {2}.+\n?)+/);
      const codes = [...help.split('\nExit codes:\n')[1]!.matchAll(/^ {2}(\d) /gm)].map(
        (m) => m[1],
      );
      expect(codes[0]).toBe('0');
      if (command.options.some((o) => o.long === '--db')) expect(codes).toContain('5');
    },
  );

  it('lookup says it exits 1 when a query is not Microsoft 365; sync states the hourly rule', async () => {
    expect((await helpOf('lookup')).replace(/\s+/g, ' ')).toContain(
      '1 at least one query is not Microsoft 365 (like grep, for scripts)',
    );
    const sync = (await helpOf('sync')).replace(/\s+/g, ' ');
    expect(sync).toContain('checked within the hour');
    expect(sync).toContain('then it prints nothing');
    expect(await helpOf('publish')).toMatch(/ {2}3 {2}.*\n {2}4 {2}.*\n {2}5 {2}/);
  });

  it('the webhooks help points to the document that describes webhooks', async () => {
    expect(await helpOf('webhooks add')).toContain('docs/publishing.md');
  });

  it.each([
    [
      ['lookup', '--bogus', '1.2.3.4'],
      "error: unknown option '--bogus'",
      'Usage: ipurl lookup [options] <query...>',
    ],
    [
      ['publish', 'Worldwide'],
      "error: missing required argument 'file'",
      'Usage: ipurl publish [options] <instance> <file>',
    ],
    [
      ['webhooks', 'add'],
      "error: missing required argument 'instance'",
      'Usage: ipurl webhooks add [options] <instance> <url>',
    ],
  ])('a usage error %j shows the error and the usage line only', async (args, error, usage) => {
    const run = await runInProcess(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `${error}\n${usage}\n(${usage.slice(7).split(' [')[0]} --help lists every option)\n`,
    );
  });
});
