/**
 * Options shared by commands, and the shared ways a command prints (`--json`, `--output FILE`)
 * and lists its exit codes. Where a flag's value comes from (flag > environment > default) is
 * decided in config.ts.
 */
import type { Command } from 'commander';
import { IpurlError } from '../core/errors.js';
import { writeFileAtomic } from '../service/write-file-atomic.js';
import { DEFAULT_DB, resolveDb, settingOption } from './config.js';

export { DEFAULT_DB, resolveDb };

/** `--db PATH|postgres://URL`, from IPURL_DB or DATABASE_URL. */
export function addDbOption(command: Command): Command {
  return command.addOption(
    settingOption(
      '--db <path|url>',
      `SQLite file or postgres:// URL (DATABASE_URL when IPURL_DB is unset; default ${DEFAULT_DB} in the current folder)`,
      'db',
    ),
  );
}

/** `--instance` and `--version` as parsed (the instance always has its default). */
export interface InstanceVersionFlags {
  instance: string;
  version?: string;
}

/** `--instance NAME` (default Worldwide) and `--version V` (default: the latest). */
export function addInstanceVersionOptions(command: Command): Command {
  return command
    .option('--instance <name>', 'instance', 'Worldwide')
    .option('--version <version>', 'a stored version (default: latest)');
}

export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print machine-readable JSON on stdout');
}

/** Commander's collector for a repeatable option: every value given, in order. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * A generated file goes to stdout, or with `--output FILE` atomically to the file, and then one
 * line on stderr says what was written (`summary`: what it holds).
 */
export async function writeOutput(
  output: string | undefined,
  text: string,
  summary: () => string,
): Promise<void> {
  if (output === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeFileAtomic(output, text);
  process.stderr.write(`wrote ${output}: ${Buffer.byteLength(text)} bytes, ${summary()}\n`);
}

/** What --json prints: the value indented by two spaces, then one newline. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Parse an integer flag; a clear usage error names the flag, the value and the range. */
export function parseIntegerOption(name: string, value: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(value.trim())) {
    throw new IpurlError(
      'ERR_USAGE',
      `${name} must be a whole number from ${min} to ${max}; received "${value}"`,
    );
  }
  const n = Number(value);
  if (n < min || n > max) {
    throw new IpurlError('ERR_USAGE', `${name} must be from ${min} to ${max}; received ${n}`);
  }
  return n;
}

/** The "Exit codes:" paragraph of a command's --help: every code the command can return. */
export function addExitCodes(command: Command, codes: Readonly<Record<number, string>>): Command {
  const lines = Object.entries(codes).map(([code, meaning]) => `  ${code}  ${meaning}`);
  return command.addHelpText('after', `\nExit codes:\n${lines.join('\n')}`);
}

/** Wording shared by the exit-code lists. */
export const EXIT_TEXT = {
  failed: 'failed: an unexpected error',
  usage: 'bad usage: an unknown or invalid option or argument',
  notFound: 'not found: unknown instance or version, or no store / an empty store at --db',
  storage: 'storage unavailable: the store cannot be opened, read or written',
} as const;

/**
 * The exit codes of a command on the store: 0 says what `ok` means, 1, 2, 3 and 5 are worded as in
 * EXIT_TEXT; `more` rewords a code or adds one (4 for a conflict).
 */
export function storeExitCodes(
  ok: string,
  more: Readonly<Record<number, string>> = {},
): Record<number, string> {
  return {
    0: ok,
    1: EXIT_TEXT.failed,
    2: EXIT_TEXT.usage,
    3: EXIT_TEXT.notFound,
    5: EXIT_TEXT.storage,
    ...more,
  };
}

/**
 * How every command on the store ends its options: `--db`, then `--json` unless the command only
 * writes text (`json: false`), then the "Exit codes:" paragraph.
 */
export function addStoreOptions(
  command: Command,
  codes: Readonly<Record<number, string>>,
  options: { readonly json?: boolean } = {},
): Command {
  addDbOption(command);
  if (options.json !== false) addJsonOption(command);
  return addExitCodes(command, codes);
}
