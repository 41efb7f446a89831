/** Choosing one file of a multi-file export (`--file`, `file=`). */
import { IpurlError, describeValue } from '../core/errors.js';
import type { ExportFile } from '../formats/export/export-types.js';

/**
 * One file of a result, chosen by `key`: its exact name, its name without extension
 * (`ipv4` → `ipv4.txt`), or the part after the name prefix (`ipv6` → `m365_ipv6`,
 * `optimize.dstdomain` → `m365-optimize.dstdomain`, `ip6tables` → `m365.ip6tables`).
 * Without a key, the only file; ERR_INVALID_PARAMETER lists the names otherwise.
 */
export function selectFile(
  files: readonly ExportFile[],
  key: string | undefined,
  targetName: string,
): ExportFile {
  const names = files.map((file) => file.name).join(', ');
  if (key === undefined) {
    const only = files.length === 1 ? files[0] : undefined;
    if (only !== undefined) return only;
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `target ${targetName} produces ${files.length} files (${names}); choose one with file=NAME (CLI --file NAME) or write them all with --output DIR`,
    );
  }
  const lower = key.toLowerCase();
  const exact = files.find((file) => file.name.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  const matches = files.filter((file) => {
    const name = file.name.toLowerCase();
    const dot = name.indexOf('.');
    const stem = dot === -1 ? name : name.slice(0, dot);
    return (
      stem === lower ||
      name.endsWith(`_${lower}`) ||
      name.endsWith(`-${lower}`) ||
      name.endsWith(`.${lower}`) ||
      stem.endsWith(`-${lower}`)
    );
  });
  const match = matches.length === 1 ? matches[0] : undefined;
  if (match !== undefined) return match;
  throw new IpurlError(
    'ERR_INVALID_PARAMETER',
    `file ${JSON.stringify(describeValue(key))} ${matches.length > 1 ? 'is ambiguous' : 'is not produced'} by target ${targetName}; files: ${names}`,
  );
}
