/**
 * What a lookup query is: an IPv4/IPv6 address (brackets, port and zone allowed), a host (any
 * case, trailing dot, `host:port`) or a URL, whose host is used. Addresses are read by the one
 * IP-text parser (ip-text.ts).
 */
import { formatIpv4, parseIpv4 } from './ip-text.js';
import { parseIpv6 } from './ipv6-words.js';

export type ParsedQuery =
  | {
      readonly ok: true;
      readonly kind: 'ipv4';
      readonly value: number;
      readonly text: string;
      readonly mappedFrom?: string;
    }
  | {
      readonly ok: true;
      readonly kind: 'ipv6';
      readonly words: readonly [number, number, number, number];
      readonly text: string;
    }
  | { readonly ok: true; readonly kind: 'host'; readonly host: string }
  | { readonly ok: false; readonly reason: string };

const HOST_CHARS = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/**
 * Classify a query: an IPv4/IPv6 address (brackets, port and zone allowed), a host (any case,
 * trailing dot, `host:port`), or a URL (`https://host/path`, `host/path`): its host is used.
 */
export function parseLookupQuery(query: string): ParsedQuery {
  let text = query.trim();
  if (text === '')
    return { ok: false, reason: 'empty query: expected an IP address, a host name or a URL' };
  if (text.length > 2048)
    return { ok: false, reason: `too long (${text.length} characters; at most 2048)` };
  if (text.includes('://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { ok: false, reason: 'not a valid URL' };
    }
    text = url.hostname;
    if (text === '') return { ok: false, reason: 'the URL has no host' };
  } else {
    const slash = text.search(/[/?#]/);
    if (slash !== -1) text = text.slice(0, slash);
    const at = text.lastIndexOf('@');
    if (at !== -1) text = text.slice(at + 1);
  }
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return { ok: false, reason: 'unclosed "[" around an IPv6 address' };
    const rest = text.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest))
      return { ok: false, reason: 'unexpected text after "]"' };
    text = text.slice(1, close);
    return parseAddressOrHost(text, true);
  }
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [host = '', port = ''] = text.split(':');
    if (!/^\d{1,5}$/.test(port))
      return { ok: false, reason: `"${port}" after ":" is not a port number` };
    text = host;
  }
  return parseAddressOrHost(text, colons > 1);
}

function parseAddressOrHost(text: string, ipv6: boolean): ParsedQuery {
  if (ipv6 || text.includes(':')) {
    const words = parseIpv6(text);
    if (words === undefined) return { ok: false, reason: 'not a valid IPv6 address' };
    if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
      return {
        ok: true,
        kind: 'ipv4',
        value: words[3],
        text: formatIpv4(words[3]),
        mappedFrom: text.toLowerCase(),
      };
    }
    return { ok: true, kind: 'ipv6', words, text: text.toLowerCase() };
  }
  if (/^[0-9.]+$/.test(text)) {
    const value = parseIpv4(text);
    if (value < 0)
      return {
        ok: false,
        reason: 'not a valid IPv4 address (four decimal octets 0–255, e.g. 52.112.0.1)',
      };
    return { ok: true, kind: 'ipv4', value, text };
  }
  let host = text.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (/[^\x20-\x7e]/.test(host)) {
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      return { ok: false, reason: 'not a valid host name' };
    }
  }
  if (host.length === 0 || host.length > 253 || !HOST_CHARS.test(host)) {
    return {
      ok: false,
      reason: 'not an IP address, a host name (letters, digits, "-", dots) or a URL',
    };
  }
  return { ok: true, kind: 'host', host };
}

/**
 * A query that is already a plain host name (letters, digits, `-`, `_`, dots; any case; an
 * optional trailing dot; at least one letter), lower-cased and without the trailing dot; else
 * undefined and the full parser decides.
 */
export function plainHost(query: string): string | undefined {
  const length = query.length;
  if (length === 0 || length > 254) return undefined;
  let upper = false;
  let letter = false;
  let previousDot = true;
  for (let i = 0; i < length; i += 1) {
    const c = query.charCodeAt(i);
    if (c >= 97 && c <= 122) letter = true;
    else if (c >= 65 && c <= 90) {
      letter = true;
      upper = true;
    } else if (c === 46) {
      if (previousDot) return undefined;
      previousDot = true;
      continue;
    } else if (!((c >= 48 && c <= 57) || c === 45 || c === 95)) return undefined;
    previousDot = false;
  }
  if (!letter) return undefined;
  const host = upper ? query.toLowerCase() : query;
  return host.charCodeAt(length - 1) === 46 ? host.slice(0, -1) : host;
}
