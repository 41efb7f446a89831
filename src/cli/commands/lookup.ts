/**
 * `ipurl lookup <ip|host|url> …`: every endpoint set each query matches and the category to apply
 * (Microsoft's priority rule: Optimize > Allow > Default). Exit 0 when every query matched a set,
 * 1 when at least one did not (like grep, for scripts), 2 for a query that is not an IP, host or
 * URL.
 */
import type { Command } from 'commander';
import { openCatalog } from '../../service/catalog.js';
import { createLookupService, type LookupResultJson } from '../../service/lookup.js';
import { originText } from '../../core/device-entry.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { addDeviceOptions, deviceRequest } from '../device-options.js';
import { openCommandStore, withStore } from '../open-store.js';
import {
  addInstanceVersionOptions,
  addStoreOptions,
  EXIT_TEXT,
  printJson,
  type InstanceVersionFlags,
} from '../options.js';

export function formatLookupResult(result: LookupResultJson): string[] {
  const mapped = result.mappedFrom === undefined ? '' : ` (IPv4-mapped ${result.mappedFrom})`;
  const head = `${result.query}${result.normalized !== result.query ? ` [${result.normalized}]` : ''}${mapped}: ${result.category ?? 'not Microsoft 365'}`;
  const lines = [head];
  for (const m of result.matches) {
    if (m.origin?.kind === 'observed') {
      // An observed address: what observe saw, not Microsoft's published data.
      lines.push(
        `  set ${String(m.id).padStart(3)}  observed ${m.origin.name} (first seen ${m.origin.firstSeen ?? '?'}, last seen ${m.origin.lastSeen}, TTL ${m.origin.ttl ?? '?'} s)`,
      );
      continue;
    }
    const ports = [
      m.tcpPorts === undefined ? '' : `TCP ${m.tcpPorts}`,
      m.udpPorts === undefined ? '' : `UDP ${m.udpPorts}`,
    ]
      .filter((p) => p !== '')
      .join(' ');
    lines.push(
      `  set ${String(m.id).padStart(3)}  ${m.serviceArea.padEnd(10)} ${m.category.padEnd(8)} ${m.required ? 'required' : 'optional'}  ${ports.padEnd(24)} matched ${m.matched}` +
        (m.origin === undefined ? '' : `  [${originText(m.origin)}]`),
    );
  }
  return lines;
}

export function register(program: Command): void {
  const command = program
    .command('lookup')
    .description(
      'is an IP, host or URL a Microsoft 365 endpoint? every matching set and the category to apply',
    )
    .argument('<query...>', 'IPv4/IPv6 address, host name (any case, trailing dot) or URL');
  addInstanceVersionOptions(command);
  addDeviceOptions(command);
  addStoreOptions(command, {
    0: 'every query is a Microsoft 365 endpoint',
    1: 'at least one query is not Microsoft 365 (like grep, for scripts)',
    2: 'a query is not an IP address, host name or URL, or bad usage',
    3: EXIT_TEXT.notFound,
    5: EXIT_TEXT.storage,
  });
  command.action(
    async (
      queries: string[],
      flags: InstanceVersionFlags & {
        db?: string;
        json?: boolean;
        includeObserved?: boolean;
        grace?: string;
      },
    ) => {
      deviceRequest(flags, undefined); // a bad --grace is exit 2 before the store opens
      await withStore(openCommandStore(flags.db, { access: 'read' }), async (store) => {
        const device = deviceRequest(flags, store);
        const answer = await createLookupService(await openCatalog(store)).lookup(
          flags.instance,
          queries,
          flags.version,
          { device },
        );
        if (flags.json === true) {
          printJson(answer);
        } else {
          const lines = [`${answer.instance} ${answer.version}`];
          for (const result of answer.results) lines.push(...formatLookupResult(result));
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        process.exitCode = answer.results.every((r) => r.matches.length > 0)
          ? EXIT_OK
          : EXIT_FAILURE;
      });
    },
  );
}
