#!/usr/bin/env node
// Entry point of the `ipurl` command (package.json "bin").
import { main, reportError } from './main.js';

// `ipurl publish --json | head`: the reader went away. Stop quietly, as other Unix tools do,
// instead of an unhandled EPIPE stack trace (exit 0: what was wanted was read).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportError(error);
  },
);
