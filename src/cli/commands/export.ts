/**
 * `ipurl export <instance> <target>`: firewall and proxy configuration from a stored version
 * (docs/formats.md). Writes one file to stdout, a chosen file (`--file`), or every file of the
 * target into `--output DIR` (each written atomically). What was aggregated, collapsed, widened
 * or left out goes to stderr (or into `--json`), never silently.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { IpurlError } from '../../core/errors.js';
import { parseServiceAreas } from '../../core/service-areas.js';
import { TARGET_NAMES } from '../../formats/export/export-registry.js';
import { UNSUPPORTED_POLICIES, type ExportFile } from '../../formats/export/export-types.js';
import {
  DEFAULT_EXPORT_NAME,
  DEFAULT_SQUID_DIR,
  exportEndpoints,
  parseCategories,
  parseFamily,
  parseMaxEntries,
  parseUnsupportedPolicy,
  selectFile,
  type ExportOutcome,
  type ExportRequest,
} from '../../service/export.js';
import { openCatalog } from '../../service/catalog.js';
import { writeFileAtomic } from '../../service/write-file-atomic.js';
import { addDeviceOptions, deviceRequest } from '../device-options.js';
import { openCommandStore } from '../open-store.js';
import { addStoreOptions, EXIT_TEXT, printJson } from '../options.js';

interface ExportFlags {
  version?: string;
  categories?: string;
  serviceAreas?: string;
  requiredOnly?: boolean;
  ipv4?: boolean;
  ipv6?: boolean;
  family?: string;
  tenantName?: string[];
  includePending?: boolean;
  aggregate?: boolean;
  onUnsupported?: string;
  output?: string;
  file?: string;
  name?: string;
  squidDir?: string;
  push?: boolean;
  interface?: string;
  ipset?: boolean;
  setTimeout?: string;
  maxEntries?: string;
  mergeAcrossPorts?: boolean;
  includeObserved?: boolean;
  grace?: string;
  db?: string;
  json?: boolean;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function familyOf(flags: ExportFlags): 4 | 6 | undefined {
  const chosen = new Set<4 | 6>();
  if (flags.ipv4 === true) chosen.add(4);
  if (flags.ipv6 === true) chosen.add(6);
  if (flags.family !== undefined) chosen.add(parseFamily(flags.family, '--family'));
  if (chosen.size > 1) {
    throw new IpurlError(
      'ERR_USAGE',
      '--ipv4, --ipv6 and --family contradict each other; give one address family (or none for both)',
    );
  }
  return [...chosen][0];
}

/** Lines for stderr: what was merged, collapsed, widened, left out. */
function report(outcome: ExportOutcome, written: readonly string[]): string {
  const s = outcome.summary;
  const lines = [
    `ipurl export: ${outcome.instance} ${outcome.version} ${outcome.target.name}: ${written.join(', ')} ` +
      `(${s.written.ipv4} IPv4, ${s.written.ipv6} IPv6, ${s.written.url} host patterns)`,
  ];
  for (const [kind, count] of Object.entries(s.notCarried)) {
    if (count !== undefined && count > 0)
      lines.push(
        `  not carried by ${outcome.target.name}: ${count} ${kind === 'url' ? 'host patterns' : kind}`,
      );
  }
  if ((s.notCarried.url ?? 0) > 0 && s.urlOnlySets.required.length > 0) {
    lines.push(
      `  required sets with host patterns only (need a proxy): ${s.urlOnlySets.required.join(' ')}`,
    );
  }
  if (s.merges.length > 0) {
    lines.push(
      `  aggregated ${s.merges.length} merge(s) within (category, ports, family) buckets:`,
    );
    for (const m of s.merges) lines.push(`    ${m.into} = ${m.from.join(' + ')} [${m.bucket}]`);
  }
  if (s.capacity !== undefined) {
    const c = s.capacity;
    lines.push(
      `  capacity cap ${c.maxEntries} per bucket${c.mergeAcrossPorts ? ' (merged across ports)' : ''}: ` +
        (c.buckets.length === 0
          ? 'every bucket fits'
          : `${c.buckets.length} bucket(s) widened to fit`),
    );
    for (const m of c.portMerges)
      lines.push(`    ports merged: [${m.bucket}] = ${m.from.map((f) => `[${f}]`).join(' + ')}`);
    for (const b of c.buckets) {
      lines.push(
        `    [${b.bucket}] ${b.before} -> ${b.after} entries in ${b.merges.length} cover(s): added ${b.addedSpace} addresses (${b.addedShare} of ${b.listedSpace} listed)${b.method === 'exact' ? ', optimal' : `, lower bound of the optimum ${b.lowerBound}`}`,
      );
    }
  }
  if (s.collapsed.length > 0)
    lines.push(
      `  collapsed ${s.collapsed.length} entr${s.collapsed.length === 1 ? 'y' : 'ies'} covered by a .domain entry (listed in the file header and --json)`,
    );
  if (s.widened.length > 0)
    lines.push(
      `  widened ${s.widened.length} *.domain entr${s.widened.length === 1 ? 'y' : 'ies'} to .domain, which Squid also matches for the apex (listed in the header and --json)`,
    );
  if (outcome.pendingExcluded.length > 0)
    lines.push(
      `  left out ${outcome.pendingExcluded.length} pending addition(s) not effective yet (--include-pending to include them)`,
    );
  const l = s.labelled;
  if (l.entries.length + l.covered > 0)
    lines.push(
      `  labelled entries (not Microsoft's published data, a comment each): ${l.observed} observed, ${l.grace} in grace, ${l.local} local` +
        (l.covered > 0 ? `; ${l.covered} already covered by a published prefix, not written` : ''),
    );
  if (outcome.pendingIncluded.length > 0)
    lines.push(
      `  included ${outcome.pendingIncluded.length} pending addition(s) not effective yet`,
    );
  if (s.unsupported.length > 0) {
    lines.push(
      `  left out ${s.unsupported.length} entr${s.unsupported.length === 1 ? 'y' : 'ies'} ${outcome.target.name} cannot express (--on-unsupported ${s.onUnsupported})`,
    );
    if (s.onUnsupported === 'warn') {
      for (const u of s.unsupported)
        lines.push(`  warning: set ${u.setId} ${u.kind} ${JSON.stringify(u.value)}: ${u.reason}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  const command = program
    .command('export')
    .description(
      'write firewall / proxy configuration for an instance (targets: ' +
        TARGET_NAMES.join(', ') +
        ')',
    )
    .argument('<instance>', 'instance name (any case)')
    .argument('<target>', `one of ${TARGET_NAMES.join(', ')}`)
    .option('--version <version>', 'export this stored version (default: the latest)')
    .option('--categories <list>', 'only these categories, e.g. Optimize,Allow')
    .option(
      '--service-areas <list>',
      'only these service areas (Common is always included), e.g. Exchange,Skype',
    )
    .option('--required-only', 'only sets marked required')
    .option('--ipv4', 'IPv4 prefixes only (host patterns are kept)')
    .option('--ipv6', 'IPv6 prefixes only (host patterns are kept)')
    .option('--family <4|6>', 'same as --ipv4 / --ipv6')
    .option(
      '--tenant-name <name>',
      'substitute the tenant name into tenant-specific URLs (else "*"); repeat for several tenants',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--include-pending',
      'include additions whose effective date is still in the future (default: left out)',
    )
    .option('--no-aggregate', 'do not aggregate CIDR prefixes')
    .option(
      '--max-entries <n>',
      'at most n prefixes per bucket: merge with the least added address space to fit (IP targets)',
    )
    .option(
      '--merge-across-ports',
      'with --max-entries: buckets of one category may merge across ports (rules get the union of ports)',
    )
    .addOption(
      new Option('--on-unsupported <policy>', 'what to do with a pattern the target cannot express')
        .choices([...UNSUPPORTED_POLICIES])
        .default('error'),
    )
    .option(
      '--output <file|dir>',
      'write to this file (one file) or directory (every file of the target)',
    )
    .option('--file <name>', 'only this file of a multi-file target (e.g. ipv4, urls, ip6tables)')
    .option(
      '--name <prefix>',
      `prefix of table/set/chain/ACL/group names (default ${DEFAULT_EXPORT_NAME})`,
    )
    .option(
      '--squid-dir <dir>',
      `squid: directory the ACL files are installed in (default: --output DIR, else ${DEFAULT_SQUID_DIR})`,
    )
    .option('--push', 'openvpn: write the server\'s push "route …" form')
    .option(
      '--interface <alias>',
      'windows-routes: the Windows interface that reaches the internet, e.g. "Wi-Fi"',
    )
    .option('--ipset', 'dnsmasq: ipset= lines and an ipset file instead of nftset= and nftables')
    .option(
      '--set-timeout <duration>',
      'dnsmasq: how long an address stays in its set after a lookup (default 1d)',
    );
  addDeviceOptions(command);
  addStoreOptions(command, {
    0: 'written',
    1: 'the target cannot express an entry (--on-unsupported error, the default; nothing written), or an unexpected error',
    2: EXIT_TEXT.usage,
    3: EXIT_TEXT.notFound,
    5: EXIT_TEXT.storage,
  });
  command.action(async (instance: string, target: string, flags: ExportFlags) => {
    const family = familyOf(flags);
    // Parsed before the store opens: a bad --grace is exit 2 without touching it.
    const device = deviceRequest(flags, undefined);
    const outputIsDir =
      flags.output !== undefined && ((await isDirectory(flags.output)) || flags.file === undefined);
    const serviceAreas =
      flags.serviceAreas === undefined
        ? undefined
        : parseServiceAreas(flags.serviceAreas, '--service-areas');
    const request: ExportRequest = {
      instance,
      target,
      ...(flags.version !== undefined ? { version: flags.version } : {}),
      ...(flags.categories !== undefined
        ? { categories: parseCategories(flags.categories, '--categories') }
        : {}),
      ...(serviceAreas !== undefined ? { serviceAreas } : {}),
      ...(flags.requiredOnly === true ? { requiredOnly: true } : {}),
      ...(family !== undefined ? { family } : {}),
      ...(flags.tenantName !== undefined && flags.tenantName.length > 0
        ? { tenantNames: flags.tenantName }
        : {}),
      ...(flags.includePending === true ? { includePending: true } : {}),
      aggregate: flags.aggregate !== false,
      onUnsupported: parseUnsupportedPolicy(flags.onUnsupported ?? 'error', '--on-unsupported'),
      ...(flags.maxEntries !== undefined
        ? { maxEntries: parseMaxEntries(flags.maxEntries, '--max-entries') }
        : {}),
      ...(flags.mergeAcrossPorts === true ? { mergeAcrossPorts: true } : {}),
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.file !== undefined ? { file: flags.file } : {}),
      ...(flags.push === true ? { push: true } : {}),
      ...(flags.interface !== undefined ? { interfaceAlias: flags.interface } : {}),
      ...(flags.ipset === true ? { ipset: true } : {}),
      ...(flags.setTimeout !== undefined
        ? { setTimeout: parseDuration(flags.setTimeout, '--set-timeout') }
        : {}),
      ...(flags.squidDir !== undefined
        ? { squidDir: flags.squidDir }
        : flags.output !== undefined && outputIsDir
          ? { squidDir: resolve(flags.output) }
          : {}),
    };
    const store = await openCommandStore(flags.db, { access: 'read' });
    let outcome: ExportOutcome;
    try {
      outcome = await exportEndpoints(await openCatalog(store), {
        ...request,
        ...(device !== undefined ? { device: deviceRequest(flags, store) } : {}),
      });
    } finally {
      await store.close();
    }
    const files: readonly ExportFile[] = outcome.files;
    const written: {
      name: string;
      path?: string;
      bytes: number;
      mediaType: string;
      content?: string;
    }[] = [];
    if (flags.output === undefined) {
      const only = selectFile(files, undefined, outcome.target.name);
      if (flags.json === true) {
        written.push({
          name: only.name,
          bytes: Buffer.byteLength(only.content),
          mediaType: only.mediaType,
          content: only.content,
        });
      } else {
        process.stdout.write(only.content);
        written.push({
          name: only.name,
          bytes: Buffer.byteLength(only.content),
          mediaType: only.mediaType,
        });
      }
    } else if (files.length === 1 && !(await isDirectory(flags.output))) {
      const file = files[0] as ExportFile;
      await writeFileAtomic(flags.output, file.content);
      written.push({
        name: file.name,
        path: resolve(flags.output),
        bytes: Buffer.byteLength(file.content),
        mediaType: file.mediaType,
      });
    } else {
      const folder = resolve(flags.output);
      // File names come from the target and a checked --name; still, none may leave the folder
      // (checked for every file before any is written).
      for (const file of files) {
        const inside = relative(folder, resolve(folder, file.name));
        if (
          inside === '' ||
          inside.startsWith('..') ||
          isAbsolute(inside) ||
          /[\\/]/.test(inside)
        ) {
          throw new IpurlError(
            'ERR_INVALID_PARAMETER',
            `file name ${JSON.stringify(file.name)} would be written outside --output ${JSON.stringify(flags.output)}; nothing was written`,
          );
        }
      }
      for (const file of files) {
        const path = resolve(folder, file.name);
        await writeFileAtomic(path, file.content);
        written.push({
          name: file.name,
          path,
          bytes: Buffer.byteLength(file.content),
          mediaType: file.mediaType,
        });
      }
    }
    if (flags.json === true) {
      const { target, files: _files, ...rest } = outcome;
      printJson({ ...rest, target: target.name, files: written });
      return;
    }
    process.stderr.write(
      report(
        outcome,
        written.map((w) => w.path ?? (flags.output === undefined ? `${w.name} (stdout)` : w.name)),
      ),
    );
  });
}
