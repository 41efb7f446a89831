/**
 * Reading proxy and firewall logs for `ipurl classify` (classify.ts): the formats (Squid's
 * access.log, CSV with a destination column, any text), their detection from the first lines,
 * and the destination of a field (URL, host:port, address).
 */

export type LogFormat = 'squid' | 'csv' | 'text';
export const LOG_FORMATS: readonly (LogFormat | 'auto')[] = ['auto', 'squid', 'csv', 'text'];

export const SQUID_LINE = /^\d{9,}(\.\d+)?\s+-?\d+\s+\S+\s+[A-Z_]+\/\d{3}\s+\d+\s+\S+\s+\S+/;
export const DEST_COLUMNS = [
  'host',
  'hostname',
  'url',
  'uri',
  'domain',
  'fqdn',
  'dst',
  'dest',
  'destination',
  'dst_ip',
  'dstip',
  'dest_ip',
  'destination_ip',
  'destinationip',
  'server',
  'server_ip',
  'cs-host',
  'cs-uri',
  'r-host',
  'r-ip',
  'target',
  'remote',
  'remote_host',
  'sni',
];
export const BYTE_COLUMNS = [
  'bytes',
  'size',
  'sc-bytes',
  'bytes_out',
  'bytes_in',
  'total_bytes',
  'totalbytes',
  'sentbytes',
  'bytes_sent',
  'length',
  'octets',
];
export const TEXT_CANDIDATES =
  /(?:\d{1,3}\.){3}\d{1,3}|(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.)+[a-z]{2,63}\.?/gi;
export const TEXT_BYTES = /\bbytes?[=:]\s*(\d+)/i;

/** Split one CSV record (RFC 4180 quoting; a record spanning lines is not supported). */
export function splitCsv(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field.replace(/\r$/, ''));
  return out;
}

/** Host (or IP literal) of a URL, `host:port`, `[v6]:port` or bare host; lower-cased, no trailing dot. */
export function destinationOf(text: string): string {
  let start = 0;
  const scheme = text.indexOf('://');
  if (scheme !== -1) start = scheme + 3;
  let end = text.length;
  let colon = -1;
  let colons = 0;
  let at = -1;
  let upper = false;
  for (let i = start; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) {
      end = i;
      break;
    }
    if (c === 58) {
      colons += 1;
      colon = i;
    } else if (c === 64) at = i;
    else if (c >= 65 && c <= 90) upper = true;
  }
  if (at !== -1) {
    start = at + 1;
    if (colon < start) {
      colon = -1;
      colons = 0;
    }
  }
  if (text.charCodeAt(start) === 91 /* [ */) {
    const close = text.indexOf(']', start);
    return text.slice(start + 1, close === -1 || close > end ? end : close).toLowerCase();
  }
  if (colons === 1) end = colon;
  let host = text.slice(start, end).trim();
  if (upper) host = host.toLowerCase();
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

export function isPrivateIpv4(value: number): boolean {
  const a = Math.floor(value / 16777216);
  const b = Math.floor(value / 65536) % 256;
  return (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    a === 0
  );
}

/** Detect the format from the first non-empty lines. */
export function detectFormat(lines: readonly string[]): LogFormat {
  const sample = lines.filter((line) => line.trim() !== '' && !line.startsWith('#'));
  if (sample.length === 0) return 'text';
  if (
    sample.slice(0, 5).filter((line) => SQUID_LINE.test(line)).length >= Math.min(3, sample.length)
  )
    return 'squid';
  const header = splitCsv(sample[0]!).map((h) => h.trim().toLowerCase());
  if (header.length >= 2 && header.some((h) => DEST_COLUMNS.includes(h))) return 'csv';
  return 'text';
}
