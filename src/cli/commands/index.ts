/** Every CLI command, in the order `ipurl --help` lists them. One file per command. */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
