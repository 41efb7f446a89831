/**
 * The `get-pacfile` style: the text Microsoft's Get-PacFile 1.0.4 prints, to the letter.
 *
 * Every line of the script's here-string template is kept: the two header comments, the fixed
 * variable names `direct` and `proxyServer`, the optional `host = host.toLowerCase();` line, the
 * override block before the direct block, one `shExpMatch(host, "…")` per pattern joined by a line
 * break + 8 spaces + `|| `, and the final `return proxyServer;`. Line endings are LF and runs of
 * blank lines are left as they are, which is byte for byte what the script prints under
 * PowerShell 7 outside Windows (its blank-line collapse only matches CRLF runs)
 * and what Microsoft's published sample outputs contain. Values are written with jsString, which
 * for valid patterns and return values is the same text the script interpolates raw.
 */
import { jsString } from './js-string.js';
import type { PacLists } from './pac-lists.js';

const DIRECT_VAR = 'direct';
const PROXY_VAR = 'proxyServer';

export interface GetPacFileTextOptions {
  readonly direct: string;
  readonly proxy: string;
  readonly lowercase: boolean;
}

/** Get-PacFile's `Get-PacClauses`: empty text for an empty list. */
function clauses(patterns: readonly string[], returnVar: string): string {
  if (patterns.length === 0) return '';
  const tests = patterns
    .map((pattern) => `shExpMatch(host, ${jsString(pattern)})`)
    .join('\n        || ');
  return `    if(${tests})\n    {\n        return ${returnVar};\n    }`;
}

export function renderGetPacFile(lists: PacLists, options: GetPacFileTextOptions): string {
  const blocks = [clauses(lists.override, PROXY_VAR), clauses(lists.direct, DIRECT_VAR)].join(
    '\n\n',
  );
  return (
    '// This PAC file will provide proxy config to Microsoft 365 services\n' +
    '//  using data from the public web service for all endpoints\n' +
    'function FindProxyForURL(url, host)\n' +
    '{\n' +
    `    var ${DIRECT_VAR} = ${jsString(options.direct)};\n` +
    `    var ${PROXY_VAR} = ${jsString(options.proxy)};\n` +
    '\n' +
    `${options.lowercase ? '    host = host.toLowerCase();' : ''}\n` +
    '\n' +
    `${blocks}\n` +
    '\n' +
    `    return ${PROXY_VAR};\n` +
    '}\n'
  );
}
