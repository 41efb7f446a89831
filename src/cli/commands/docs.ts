/**
 * `ipurl docs <instance> [--version V] [--output FILE]`: the generated endpoint table, as
 * Microsoft's generator writes it (SPEC §7.2), for one instance and version (default: latest).
 * Writes to stdout, or atomically to --output FILE (then a one-line summary goes to stderr).
 * `--generated-at` pins the "File generated" comment (reproducible output); `--crlf` gives
 * Microsoft's line endings. The store is opened read-only (the empty-store rule: open-store.ts).
 */
import type { Command } from 'commander';
import type { EndpointSet } from '../../core/endpoint-set.js';
import { IpurlError, describeValue } from '../../core/errors.js';
import { canonicalInstance } from '../../core/instance.js';
import type { Store } from '../../core/store.js';
import { isVersionId, type VersionId } from '../../core/version-id.js';
import { GENERATED_AT_PATTERN, renderDocsTable } from '../../formats/docs-table.js';
import { writeFileAtomic } from '../../service/watch.js';
import { openCommandStore } from '../open-store.js';
import { addDbOption, addExitCodes, EXIT_TEXT } from '../options.js';

interface DocsFlags {
  db?: string;
  version?: string;
  output?: string;
  generatedAt?: string;
  crlf?: boolean;
}

/** Where the table's data comes from. */
interface DocsSource {
  /** Canonical instance names with their versions, newest first. */
  readonly instances: ReadonlyArray<{
    readonly instance: string;
    readonly versions: readonly VersionId[];
  }>;
  getSets(instance: string, version: VersionId): Promise<readonly EndpointSet[] | undefined>;
}

async function storeSource(store: Store): Promise<DocsSource> {
  const summaries = await store.listInstances();
  return {
    instances: summaries.map(({ instance, versions }) => ({ instance, versions })),
    getSets: (instance, version) => store.getEndpointSets(instance, version),
  };
}

/** An ISO 8601 timestamp, or the generator's own `yyyy-MM-dd HH:mm:ss.ffff` text (kept verbatim). */
function parseGeneratedAt(value: string | undefined): Date | string {
  if (value === undefined) return new Date();
  if (GENERATED_AT_PATTERN.test(value)) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new IpurlError(
      'ERR_USAGE',
      `--generated-at must be an ISO 8601 timestamp such as 2025-04-30T00:32:12.483Z, or "2025-04-30 00:32:12.4830" as in Microsoft's files; received ${describeValue(value)}`,
    );
  }
  return new Date(ms);
}

export function register(program: Command): void {
  const command = program
    .command('docs')
    .description("write the endpoint table in markdown, exactly as Microsoft's docs generator does")
    .argument('<instance>', 'instance name (any case)')
    .option('--version <version>', 'version to render, YYYYMMDDNN (default: the latest)')
    .option('--output <file>', 'write the table to this file (atomically) instead of stdout')
    .option(
      '--generated-at <iso>',
      '"File generated" time: ISO 8601, or "yyyy-MM-dd HH:mm:ss.ffff" verbatim (default: now)',
    )
    .option('--crlf', "end lines with CRLF, as Microsoft's files mostly do (default: LF)");
  addDbOption(command);
  addExitCodes(command, {
    0: 'written',
    1: EXIT_TEXT.failed,
    2: EXIT_TEXT.usage,
    3: EXIT_TEXT.notFound,
    5: EXIT_TEXT.storage,
  });
  command.action(async (requested: string, flags: DocsFlags) => {
    // Validate the flags before touching the store.
    if (flags.version !== undefined && !isVersionId(flags.version)) {
      throw new IpurlError(
        'ERR_INVALID_VERSION',
        `--version must be ten digits YYYYMMDDNN, e.g. 2025013000; received ${describeValue(flags.version)}`,
      );
    }
    const generatedAt = parseGeneratedAt(flags.generatedAt);
    const store = await openCommandStore(flags.db, { access: 'read' });
    try {
      const source = await storeSource(store);
      const names = source.instances.map((i) => i.instance);
      const instance = canonicalInstance(names, requested);
      if (instance === undefined) {
        throw new IpurlError(
          'ERR_UNKNOWN_INSTANCE',
          `unknown instance ${describeValue(requested)}; instances: ${names.join(', ') || '(none)'}`,
        );
      }
      const versions = source.instances.find((i) => i.instance === instance)?.versions ?? [];
      const version = flags.version ?? versions[0];
      const sets = version === undefined ? undefined : await source.getSets(instance, version);
      if (version === undefined || sets === undefined) {
        throw new IpurlError(
          'ERR_VERSION_NOT_FOUND',
          `${instance} has no version ${describeValue(version ?? '')}; latest is ${versions[0] ?? '(none)'}, oldest ${versions.at(-1) ?? '(none)'} (ipurl versions ${instance} lists them)`,
        );
      }
      const text = renderDocsTable(instance, version, sets, {
        generatedAt,
        ...(flags.crlf === true ? { lineEnding: '\r\n' as const } : {}),
      });
      if (flags.output === undefined) {
        process.stdout.write(text);
        return;
      }
      await writeFileAtomic(flags.output, text);
      process.stderr.write(
        `wrote ${flags.output}: ${Buffer.byteLength(text)} bytes, ${instance} ${version}, ${sets.length} endpoint sets\n`,
      );
    } finally {
      await store.close();
    }
  });
}
