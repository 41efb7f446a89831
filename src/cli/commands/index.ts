/** Every CLI command, in the order `ipurl --help` lists them. One file per command. */
import type { Command } from 'commander';
import { register as sync } from './sync.js';
import { register as status } from './status.js';
import { register as watch } from './watch.js';
import { register as lookup } from './lookup.js';
import { register as classify } from './classify.js';
import { register as diff } from './diff.js';
import { register as serve } from './serve.js';
import { register as migrate } from './migrate.js';
import { register as copy } from './copy.js';
import { register as publish } from './publish.js';
import { register as versions } from './versions.js';
import { register as changes } from './changes.js';
import { register as webhooks } from './webhooks.js';
import { register as exportCommand } from './export.js';
import { register as pac } from './pac.js';
import { register as docs } from './docs.js';
import { register as seed } from './seed.js';
import { register as observe } from './observe.js';
import { register as held } from './held.js';
import { register as overlay } from './overlay.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  serve,
  seed,
  publish,
  versions,
  changes,
  webhooks,
  exportCommand,
  pac,
  docs,
  observe,
  sync,
  status,
  held,
  overlay,
  watch,
  lookup,
  classify,
  diff,
  migrate,
  copy,
];
