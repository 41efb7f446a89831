/**
 * `ipurl docs <instance> [--version V] [--output FILE]`: the generated endpoint table, as
 * Microsoft's generator writes it into its endpoint pages (exactly its output, with no MEM section:
 * docs/api.md), for one instance and version (default: latest).
 * Writes to stdout, or atomically to --output FILE (then a one-line summary goes to stderr).
 * `--generated-at` pins the "File generated" comment (reproducible output); `--crlf` gives
 * Microsoft's line endings. The store is opened read-only (the empty-store rule: open-store.ts).
 */
import type { Command } from 'commander';
import { IpurlError, describeValue } from '../../core/errors.js';
import { isVersionId } from '../../core/version-id.js';
import { GENERATED_AT_PATTERN, renderDocsTable } from '../../formats/docs-table.js';
import { malformedVersion, openCatalog } from '../../service/catalog.js';
import { openCommandStore, withStore } from '../open-store.js';
import { addStoreOptions, storeExitCodes, writeOutput } from '../options.js';

interface DocsFlags {
  db?: string;
  version?: string;
  output?: string;
  generatedAt?: string;
  crlf?: boolean;
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
  addStoreOptions(command, storeExitCodes('written'), { json: false });
  command.action(async (requested: string, flags: DocsFlags) => {
    // Validate the flags before touching the store.
    if (flags.version !== undefined && !isVersionId(flags.version)) {
      throw malformedVersion(flags.version, '--version');
    }
    const generatedAt = parseGeneratedAt(flags.generatedAt);
    await withStore(openCommandStore(flags.db, { access: 'read' }), async (store) => {
      const catalog = await openCatalog(store);
      const resolved = catalog.resolve(requested, flags.version, '--version');
      const { instance, version } = resolved;
      const sets = await catalog.sets(resolved);
      const text = renderDocsTable(instance, version, sets, {
        generatedAt,
        ...(flags.crlf === true ? { lineEnding: '\r\n' as const } : {}),
      });
      await writeOutput(
        flags.output,
        text,
        () => `${instance} ${version}, ${sets.length} endpoint sets`,
      );
    });
  });
}
