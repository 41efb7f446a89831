/**
 * Validation of PAC return values (the `--proxy` / `--direct` strings, Get-PacFile's
 * `DefaultProxySettings` / `DirectProxySettings` parameters).
 *
 * The value is written into the PAC inside a string literal, so it is escaped anyway (js-string.ts);
 * this check rejects what no browser could use, so a typo or an injection attempt fails loudly at
 * generation time instead of producing a PAC that silently sends everything to a dead proxy.
 * Grammar (Netscape PAC format, as Chromium's ProxyList::SetFromPacString and Firefox accept it):
 * entries separated by ";", each `DIRECT` or `<TYPE> host:port` with TYPE one of PROXY, HTTP,
 * HTTPS, SOCKS, SOCKS4, SOCKS5 (keywords in any case); host is a DNS name, an IPv4 address or a
 * bracketed IPv6 address; port 1–65535.
 */
import { IpurlError, describeValue } from '../../core/errors.js';

export const PAC_RETURN_RULE =
  '"DIRECT" or "<PROXY|HTTP|HTTPS|SOCKS|SOCKS4|SOCKS5> host:port", or several of these separated by ";" ' +
  '(host: a DNS name, IPv4 address or [IPv6] address; port 1-65535)';

const MAX_LENGTH = 1000;
const ENTRY =
  /^(?:DIRECT|(?:PROXY|HTTPS?|SOCKS[45]?) +(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5}))$/i;
const DNS_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;

/** Why `value` is not a usable PAC return value, or undefined when it is. */
export function pacReturnProblem(value: string): string | undefined {
  if (value.trim().length === 0) return 'it is empty';
  if (value.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  const entries = value.split(';').map((entry) => entry.trim());
  // A trailing ";" is common in hand-written PACs ("PROXY a:1; DIRECT;") and harmless.
  if (entries.length > 1 && entries[entries.length - 1] === '') entries.pop();
  for (const entry of entries) {
    const match = ENTRY.exec(entry);
    if (match === null)
      return `entry ${JSON.stringify(describeValue(entry, 60))} is not of that form`;
    const [, host, port] = match;
    if (host === undefined || port === undefined) continue; // DIRECT
    if (!host.startsWith('[') && !DNS_NAME.test(host))
      return `${JSON.stringify(host)} is not a host name or address`;
    const portNumber = Number(port);
    if (portNumber < 1 || portNumber > 65535) return `port ${port} is outside 1-65535`;
  }
  return undefined;
}

/** Return `value` unchanged when it is a valid PAC return value; else ERR_INVALID_PARAMETER. */
export function parsePacReturn(parameter: string, value: string): string {
  const problem = pacReturnProblem(value);
  if (problem !== undefined) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${parameter} must be a PAC return value: ${PAC_RETURN_RULE}; received ${JSON.stringify(describeValue(value))} (${problem})`,
      { details: { parameter, value: describeValue(value) } },
    );
  }
  return value;
}
