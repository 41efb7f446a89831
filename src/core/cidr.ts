/**
 * IP addresses and CIDR prefixes as typed values (the `ips` of an endpoint set), hand-rolled over
 * bigint like hono's `src/utils/ipaddr.ts`: one representation for both families, exact arithmetic,
 * no dependency.
 *
 * Canonical text (what the service publishes, and what validation asks for):
 * - IPv4: dotted decimal without leading zeros;
 * - IPv6: RFC 5952 §4: lower case, leading zeros dropped, the longest run of two or more zero
 *   groups (the first on a tie) compressed to `::`; always hexadecimal (no mixed IPv4 notation);
 * - a prefix always carries `/len`, and its host bits are zero.
 */
import { IpurlError, describeValue } from './errors.js';
import { formatIpv4, parseIpv4 as parseIpv4Number, parseIpv6Groups } from './ip-text.js';

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** The address as an unsigned integer of 32 (IPv4) or 128 (IPv6) bits. */
  readonly value: bigint;
}

export interface Cidr {
  readonly family: IpFamily;
  /** First address of the prefix (host bits zero). */
  readonly network: bigint;
  /** Prefix length: 0–32 (IPv4) or 0–128 (IPv6). */
  readonly prefix: number;
  /** Canonical text, e.g. `13.107.6.152/31`, `2603:1006::/40`. */
  readonly text: string;
}

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** Number of bits in an address of the family. */
export function familyBits(family: IpFamily): number {
  return BITS[family];
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** IPv4 text → 32-bit value, or undefined (the one parser: ip-text.ts). */
function parseIpv4(text: string): bigint | undefined {
  const value = parseIpv4Number(text);
  return value < 0 ? undefined : BigInt(value);
}

/** IPv6 text → 128-bit value, or undefined; no zone ids (the one parser: ip-text.ts). */
function parseIpv6(text: string): bigint | undefined {
  const groups = parseIpv6Groups(text);
  if (groups === undefined) return undefined;
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value;
}

/**
 * Parse an address of either family. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, RFC 4291
 * §2.5.5.2) is the IPv4 address it carries: a dual-stack socket reports IPv4 clients that way, and
 * a lookup must find them in IPv4 prefixes.
 */
export function safeParseIpAddress(text: string): ParseResult<IpAddress> {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    if (value === undefined)
      return { ok: false, reason: `"${describeValue(text)}" is not an IPv6 address` };
    if (isIpv4Mapped(value)) return { ok: true, value: { family: 4, value: value & 0xffffffffn } };
    return { ok: true, value: { family: 6, value } };
  }
  const value = parseIpv4(text);
  if (value === undefined) {
    return {
      ok: false,
      reason: `"${describeValue(text)}" is not an IP address (expected dotted-decimal IPv4 such as 192.0.2.1, or IPv6 such as 2001:db8::1)`,
    };
  }
  return { ok: true, value: { family: 4, value } };
}

/** Like safeParseIpAddress, but throws IpurlError ERR_INVALID_PARAMETER. */
export function parseIpAddress(text: string): IpAddress {
  const result = safeParseIpAddress(text);
  if (!result.ok) throw new IpurlError('ERR_INVALID_PARAMETER', result.reason);
  return result.value;
}

/** Canonical text of an address (see the module comment). */
export function formatIpAddress(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(Number(address.value)) : formatIpv6(address.value);
}

/** RFC 5952 §4.2: compress the longest run (≥ 2) of zero groups, the first one on a tie. */
function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

export function compareIpAddresses(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Prefixes

/** Host-bit masks per prefix length, computed once (index = prefix length). */
const HOST_MASKS: Record<IpFamily, readonly bigint[]> = {
  4: Array.from({ length: 33 }, (_, prefix) => (1n << BigInt(32 - prefix)) - 1n),
  6: Array.from({ length: 129 }, (_, prefix) => (1n << BigInt(128 - prefix)) - 1n),
};

/** Mask of the host bits of a prefix. */
function hostMask(family: IpFamily, prefix: number): bigint {
  return HOST_MASKS[family][prefix] ?? 0n;
}

/** Build a prefix, clearing host bits; `text` is canonical. */
export function makeCidr(family: IpFamily, address: bigint, prefix: number): Cidr {
  const network = address & ~hostMask(family, prefix);
  const text = `${formatIpAddress({ family, value: network })}/${prefix}`;
  return { family, network, prefix, text };
}

/**
 * Parse `address/len` (a bare address is taken as a host prefix, /32 or /128). Lenient about
 * host bits and spelling: the result's `text` is the canonical form, so a caller that must insist
 * on canonical input compares it with what it received (validate.ts does, and names the form).
 * IPv4-mapped IPv6 prefixes stay IPv6 here: a published prefix keeps its family.
 */
export function safeParseCidr(text: string): ParseResult<Cidr> {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const family: IpFamily = addressText.includes(':') ? 6 : 4;
  const value = family === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  if (value === undefined) {
    return {
      ok: false,
      reason:
        family === 4
          ? `"${describeValue(addressText)}" is not an IPv4 address (four decimal octets 0–255 without leading zeros)`
          : `"${describeValue(addressText)}" is not an IPv6 address (RFC 4291 text form)`,
    };
  }
  if (slash < 0) return { ok: true, value: makeCidr(family, value, BITS[family]) };
  const prefixText = text.slice(slash + 1);
  const max = BITS[family];
  const prefix = parsePrefixLength(prefixText, max);
  if (prefix === undefined) {
    const length = Number(prefixText);
    const confusion =
      family === 4 && length > 32 && length <= 128
        ? ' (an IPv6 prefix length on an IPv4 address?)'
        : '';
    return {
      ok: false,
      reason: `prefix length "${describeValue(prefixText)}" is not valid for IPv${family}: expected 0–${max}${confusion}`,
    };
  }
  // Fast path: IPv4 text that parsed (no leading zeros) with zero host bits is already canonical.
  if (family === 4 && (value & hostMask(4, prefix)) === 0n) {
    return { ok: true, value: { family, network: value, prefix, text } };
  }
  return { ok: true, value: makeCidr(family, value, prefix) };
}

/** A decimal prefix length 0–max without leading zeros, or undefined. */
function parsePrefixLength(text: string, max: number): number | undefined {
  if (text.length === 0 || text.length > 3 || (text.length > 1 && text.startsWith('0')))
    return undefined;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
    value = value * 10 + (code - 48);
  }
  return value <= max ? value : undefined;
}

/** Like safeParseCidr, but throws IpurlError ERR_INVALID_PARAMETER. */
export function parseCidr(text: string): Cidr {
  const result = safeParseCidr(text);
  if (!result.ok) throw new IpurlError('ERR_INVALID_PARAMETER', result.reason);
  return result.value;
}

/** True when `text` is exactly the canonical spelling of a valid prefix. */
export function isCanonicalCidr(text: string): boolean {
  const result = safeParseCidr(text);
  return result.ok && result.value.text === text;
}

export function formatCidr(cidr: Cidr): string {
  return cidr.text;
}

/** First and last address of the prefix, inclusive. */
export function cidrRange(cidr: Cidr): { readonly first: bigint; readonly last: bigint } {
  return { first: cidr.network, last: cidr.network | hostMask(cidr.family, cidr.prefix) };
}

/** Whether the prefix contains an address, or a whole other prefix. Families never mix. */
export function cidrContains(cidr: Cidr, inner: IpAddress | Cidr): boolean {
  if (cidr.family !== inner.family) return false;
  if ('prefix' in inner) {
    return (
      inner.prefix >= cidr.prefix &&
      (inner.network & ~hostMask(cidr.family, cidr.prefix)) === cidr.network
    );
  }
  return (inner.value & ~hostMask(cidr.family, cidr.prefix)) === cidr.network;
}

/**
 * The published order of `ips` (as Microsoft's service lists them): IPv4 before IPv6, then by
 * network address; a shorter prefix (the larger block) first when two share a network address.
 */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.prefix - b.prefix;
}

/** Whether a 128-bit IPv6 value lies in ::ffff:0:0/96 (an IPv4-mapped address). */
export function isIpv4Mapped(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}
