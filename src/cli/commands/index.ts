/** Every CLI command, in the order `ipurl --help` lists them. One file per command. */
import type { Command } from 'commander';
import { register as serve } from './serve.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [serve];
