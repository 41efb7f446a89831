/**
 * The ipurl command line: the composition root. Each command lives in commands/<name>.ts and
 * exports `register(program)`; errors carry ERR_* codes and become exit codes here.
 */
import { Command, CommanderError } from 'commander';
import { isIpurlError, isValidationError } from '../core/errors.js';
import { EXIT_FAILURE, EXIT_USAGE, exitCodeFor } from './exit-codes.js';
import { commands } from './commands/index.js';
import { applyEnvRules } from './config.js';

export function buildProgram(): Command {
  const program = new Command('ipurl')
    .description('Microsoft 365 IP address and URL web service: serve, publish, export, sync')
    .version('0.1.0')
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failed, 2 bad usage or input, 3 not found, 4 conflict (retry),\n' +
        "5 upstream or storage unavailable; each command's --help lists the ones it returns.\n" +
        'Reference: README.md and docs/ (api.md, errors.md, formats.md, publishing.md, operations.md).',
    );
  for (const register of commands) register(program);
  applyEnvRules(program);
  showUsageAfterError(program);
  return program;
}

/** A usage error prints the error and the command's usage line, not the whole help (--help has it). */
function showUsageAfterError(command: Command): void {
  const path: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) path.unshift(c.name());
  const name = path.join(' ');
  command.showHelpAfterError(
    `Usage: ${name} ${command.usage()}\n(${name} --help lists every option)`,
  );
  for (const sub of command.commands) showUsageAfterError(sub);
}

/** Print an error for a person (stderr) and return the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (isIpurlError(error)) {
    process.stderr.write(`ipurl: ${error.message} [${error.code}]\n`);
    if (isValidationError(error)) {
      for (const issue of error.issues) {
        const where = issue.setId === undefined ? issue.path : `set ${issue.setId} ${issue.path}`;
        process.stderr.write(`  - ${where}: ${issue.reason} (received ${issue.value})\n`);
      }
    }
    return exitCodeFor(error.code);
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`ipurl: unexpected error: ${message}\n`);
  return EXIT_FAILURE;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}
