/**
 * `ipurl classify <log|->`: stream a proxy or firewall log and report traffic per category and
 * service area, the top unmatched destinations, and what could go direct under PAC type 1
 * (Optimize) and type 2 (Optimize + Allow) of Get-PacFile (issue 5; a host in several categories
 * counts for the highest, Optimize > Allow > Default). Constant memory; a progress bar on stderr
 * when it is a terminal, nothing otherwise (cron); `--json` for machines.
 */
import { createReadStream, statSync } from 'node:fs';
import type { Command } from 'commander';
import { IpurlError } from '../../core/errors.js';
import {
  classifyStream,
  LOG_FORMATS,
  type ClassifyReport,
  type LogFormat,
} from '../../service/classify.js';
import { openCatalog } from '../../service/catalog.js';
import { createLookupService } from '../../service/lookup.js';
import { addDeviceOptions, deviceRequest } from '../device-options.js';
import { openCommandStore, withStore } from '../open-store.js';
import {
  addInstanceVersionOptions,
  addStoreOptions,
  parseIntegerOption,
  printJson,
  storeExitCodes,
  type InstanceVersionFlags,
} from '../options.js';
import { createProgress, progressBar } from '../progress.js';

function pct(share: number | null): string {
  return share === null ? '—' : `${(share * 100).toFixed(1)}%`;
}

function human(bytes: number | null): string {
  if (bytes === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatClassifyReport(
  report: ClassifyReport,
  instance: string,
  version: string,
): string {
  const out: string[] = [];
  const total = report.requests;
  const share = (n: number) => (total === 0 ? '0.0%' : `${((n / total) * 100).toFixed(1)}%`);
  out.push(
    `${report.lines} lines (${report.format}), ${report.requests} requests, ${report.skippedLines} skipped; data ${instance} ${version}`,
  );
  out.push('');
  out.push('category      requests    share       bytes');
  for (const [name, tally] of Object.entries(report.categories)) {
    out.push(
      `${name.padEnd(12)} ${String(tally.requests).padStart(9)} ${share(tally.requests).padStart(8)} ${(report.bytes === null ? '—' : human(tally.bytes)).padStart(11)}`,
    );
  }
  out.push('');
  out.push('service area  requests    share       bytes');
  for (const [name, tally] of Object.entries(report.serviceAreas)) {
    out.push(
      `${name.padEnd(12)} ${String(tally.requests).padStart(9)} ${share(tally.requests).padStart(8)} ${(report.bytes === null ? '—' : human(tally.bytes)).padStart(11)}`,
    );
  }
  if (report.labelled !== undefined) {
    out.push('');
    out.push(
      "labelled only  requests    share       bytes   (not Microsoft's published data; counted above)",
    );
    for (const [name, tally] of Object.entries(report.labelled)) {
      out.push(
        `${name.padEnd(12)} ${String(tally.requests).padStart(9)} ${share(tally.requests).padStart(8)} ${(report.bytes === null ? '—' : human(tally.bytes)).padStart(11)}`,
      );
    }
  }
  out.push('');
  const p1 = report.policies.type1;
  const p2 = report.policies.type2;
  out.push(
    `direct under type 1 (Optimize):         ${p1.requests} requests (${pct(p1.requestShare)}), ${human(p1.bytes)} (${pct(p1.byteShare)})`,
  );
  out.push(
    `direct under type 2 (Optimize + Allow): ${p2.requests} requests (${pct(p2.requestShare)}), ${human(p2.bytes)} (${pct(p2.byteShare)})`,
  );
  if (report.topUnmatched.length > 0) {
    out.push('');
    out.push(
      `top unmatched destinations${report.approximate ? ' (approximate counts: lower bounds)' : ''}:`,
    );
    for (const entry of report.topUnmatched) {
      out.push(
        `  ${String(entry.requests).padStart(9)}  ${entry.bytes === null ? '' : `${human(entry.bytes).padStart(10)}  `}${entry.destination}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

export function register(program: Command): void {
  const command = program
    .command('classify')
    .description(
      'classify a proxy/firewall log (Squid access.log, CSV or any text) by Microsoft 365 category',
    )
    .argument('<log>', 'log file, or - for stdin');
  addInstanceVersionOptions(command)
    .option('--top <n>', 'unmatched destinations to list', '20')
    .option('--format <format>', `log format: ${LOG_FORMATS.join(', ')}`, 'auto');
  addDeviceOptions(command);
  addStoreOptions(
    command,
    storeExitCodes('classified', {
      3: 'the log file does not exist; unknown instance or version; no store / an empty store at --db',
    }),
  );
  command.action(
    async (
      file: string,
      flags: InstanceVersionFlags & {
        top: string;
        format: string;
        db?: string;
        json?: boolean;
        includeObserved?: boolean;
        grace?: string;
      },
    ) => {
      const top = parseIntegerOption('--top', flags.top, 0, 10_000);
      deviceRequest(flags, undefined); // a bad --grace is exit 2 before anything is read
      const format = flags.format.toLowerCase() as LogFormat | 'auto';
      if (!LOG_FORMATS.includes(format)) {
        throw new IpurlError(
          'ERR_USAGE',
          `--format must be one of ${LOG_FORMATS.join(', ')}; received "${flags.format}"`,
        );
      }
      let size: number | undefined;
      if (file !== '-') {
        try {
          const stat = statSync(file);
          if (!stat.isFile()) throw new Error('not a regular file');
          size = stat.size;
        } catch (error) {
          throw new IpurlError(
            'ERR_NOT_FOUND',
            `cannot read log ${JSON.stringify(file)}: ${(error as Error).message}`,
          );
        }
      }
      await withStore(openCommandStore(flags.db, { access: 'read' }), async (store) => {
        const lookups = createLookupService(await openCatalog(store));
        const { instance, version, index } = await lookups.index(flags.instance, flags.version);
        const labelled = await lookups.labelledIndex(instance, version, {
          device: deviceRequest(flags, store),
        });
        const input =
          file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
        const progress = createProgress({ json: flags.json === true, intervalMs: 200 });
        const line = (read: number, count: number): string =>
          size !== undefined && size > 0
            ? `${progressBar(read / size)} ${count} lines`
            : `${count} lines`;
        let last = { read: 0, count: 0 };
        const report = await classifyStream(
          input as AsyncIterable<Buffer>,
          { index, top, format, ...(labelled === undefined ? {} : { labelled }) },
          progress.active
            ? (read, count) => {
                last = { read, count };
                progress.update(line(read, count));
              }
            : undefined,
        );
        progress.done({ keep: true, text: line(last.read, last.count) });
        if (flags.json === true) printJson({ instance, version, ...report });
        else process.stdout.write(formatClassifyReport(report, instance, version));
      });
    },
  );
}
