/**
 * `ipurl lookup <ip|host|url> …`: every endpoint set each query matches and the category to apply
 * (Optimize > Allow > Default, SPEC §9). Exit 0 when every query matched a set, 1 when at least
 * one did not (like grep, for scripts), 2 for a query that is not an IP, host or URL.
 */
import type { Command } from 'commander';
import { openCatalog } from '../../service/catalog.js';
import { createLookupService, type LookupResultJson } from '../../service/lookup.js';
import { observedFor } from '../../service/observe.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { openCommandStore } from '../open-store.js';
import { addDbOption, addExitCodes, addJsonOption, EXIT_TEXT } from '../options.js';

export function formatLookupResult(result: LookupResultJson): string[] {
  const mapped = result.mappedFrom === undefined ? '' : ` (IPv4-mapped ${result.mappedFrom})`;
  const head = `${result.query}${result.normalized !== result.query ? ` [${result.normalized}]` : ''}${mapped}: ${result.category ?? 'not Microsoft 365'}`;
  const lines = [head];
  for (const m of result.matches) {
    const ports = [
      m.tcpPorts === undefined ? '' : `TCP ${m.tcpPorts}`,
      m.udpPorts === undefined ? '' : `UDP ${m.udpPorts}`,
    ]
      .filter((p) => p !== '')
      .join(' ');
    lines.push(
      `  set ${String(m.id).padStart(3)}  ${m.serviceArea.padEnd(10)} ${m.category.padEnd(8)} ${m.required ? 'required' : 'optional'}  ${ports.padEnd(24)} matched ${m.matched}`,
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
    .argument('<query...>', 'IPv4/IPv6 address, host name (any case, trailing dot) or URL')
    .option('--instance <name>', 'instance', 'Worldwide')
    .option('--version <version>', 'a stored version (default: latest)')
    .option(
      '--include-observed',
      'also show addresses ipurl observe saw for URL-only sets (labelled observed)',
    );
  addDbOption(command);
  addExitCodes(command, {
    0: 'every query is a Microsoft 365 endpoint',
    1: 'at least one query is not Microsoft 365 (like grep, for scripts)',
    2: 'a query is not an IP address, host name or URL, or bad usage',
    3: EXIT_TEXT.notFound,
    5: EXIT_TEXT.storage,
  });
  addJsonOption(command);
  command.action(
    async (
      queries: string[],
      flags: {
        instance: string;
        version?: string;
        db?: string;
        json?: boolean;
        includeObserved?: boolean;
      },
    ) => {
      const store = await openCommandStore(flags.db, { access: 'read' });
      try {
        const answer = await createLookupService(await openCatalog(store)).lookup(
          flags.instance,
          queries,
          flags.version,
        );
        // Observed addresses are never published data: shown apart, each labelled `observed`.
        const observed = await Promise.all(
          answer.results.map(async (r) =>
            flags.includeObserved === true && r.kind !== 'host'
              ? observedFor(store, answer.instance, r.normalized)
              : [],
          ),
        );
        if (flags.json === true) {
          const results = answer.results.map((r, i) =>
            flags.includeObserved === true ? { ...r, observed: observed[i] ?? [] } : r,
          );
          process.stdout.write(`${JSON.stringify({ ...answer, results }, null, 2)}\n`);
        } else {
          const lines = [`${answer.instance} ${answer.version}`];
          answer.results.forEach((result, i) => {
            lines.push(...formatLookupResult(result));
            for (const o of observed[i] ?? [])
              lines.push(
                `  set ${String(o.setId).padStart(3)}  observed ${o.name} (first seen ${o.firstSeen}, last seen ${o.lastSeen}, TTL ${o.ttl} s)`,
              );
          });
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        process.exitCode = answer.results.every(
          (r, i) => r.matches.length > 0 || (observed[i] ?? []).length > 0,
        )
          ? EXIT_OK
          : EXIT_FAILURE;
      } finally {
        await store.close();
      }
    },
  );
}
