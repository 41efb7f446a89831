/**
 * Options shared by commands. Where a flag's value comes from (flag > environment > default) is
 * decided in config.ts.
 */
import type { Command } from 'commander';
import { IpurlError } from '../core/errors.js';
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

export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print machine-readable JSON on stdout');
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
