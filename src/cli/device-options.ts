/**
 * The device-view options shared by the commands that write device outputs (export, pac,
 * watch/sync --output, lookup, classify): `--include-observed` and `--grace <duration>`
 * (service/device-view.ts). Labelled entries never reach the wire routes.
 */
import type { Command } from 'commander';
import type { Store } from '../core/store.js';
import { parseGrace, type DeviceViewRequest } from '../service/device-view.js';

export interface DeviceFlags {
  includeObserved?: boolean;
  grace?: string;
}

export function addIncludeObservedOption(command: Command): Command {
  return command.option(
    '--include-observed',
    'also write the addresses ipurl observe saw for URL-only sets, each labelled observed',
  );
}

export function addGraceOption(command: Command): Command {
  return command.option(
    '--grace <duration>',
    'keep entries removed by versions dated within this period (e.g. 14d), each labelled grace with the version that removed it and the day it leaves',
  );
}

/** Both options (export, watch, sync --output). */
export function addDeviceOptions(command: Command): Command {
  return addGraceOption(addIncludeObservedOption(command));
}

/** The device request the flags ask for, or undefined when they ask for nothing. */
export function deviceRequest(
  flags: DeviceFlags,
  store: Pick<Store, 'listObservations'> | undefined,
): Omit<DeviceViewRequest, 'now'> | undefined {
  const graceSeconds = flags.grace === undefined ? undefined : parseGrace(flags.grace, '--grace');
  if (flags.includeObserved !== true && graceSeconds === undefined) return undefined;
  return {
    ...(flags.includeObserved === true ? { includeObserved: true, observations: store } : {}),
    ...(graceSeconds !== undefined ? { graceSeconds } : {}),
  };
}
