/**
 * 128-bit IPv6 keys as four 32-bit words (plain numbers, no bigint), as the lookup index keeps
 * them: parsing (over the one IP-text parser, ip-text.ts), ordering, prefix masks and ends.
 */
import { parseIpv6Groups } from './ip-text.js';

export type Ipv6Words = [number, number, number, number];

/**
 * IPv6 text (RFC 4291 §2.2, `::`, a trailing dotted IPv4, an optional `%zone` ignored) → four
 * 32-bit words, or undefined.
 */
export function parseIpv6(text: string): Ipv6Words | undefined {
  const zone = text.indexOf('%');
  const groups = parseIpv6Groups(zone === -1 ? text : text.slice(0, zone));
  if (groups === undefined) return undefined;
  return [
    groups[0]! * 65536 + groups[1]!,
    groups[2]! * 65536 + groups[3]!,
    groups[4]! * 65536 + groups[5]!,
    groups[6]! * 65536 + groups[7]!,
  ];
}

export function compareWords(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 4; i += 1) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Words of `start + 2^(128-length)`, or undefined on overflow past the top. */
export function v6End(start: readonly number[], length: number): number[] | undefined {
  if (length === 0) return undefined;
  const words = [...start];
  const word = Math.floor((length - 1) / 32);
  const bit = 32 - (length - 32 * word);
  let carry = 2 ** bit;
  for (let i = word; i >= 0 && carry > 0; i -= 1) {
    const sum = words[i]! + carry;
    words[i] = sum % 4294967296;
    carry = sum >= 4294967296 ? 1 : 0;
  }
  if (carry > 0) return undefined;
  for (let i = word + 1; i < 4; i += 1) words[i] = 0;
  return words;
}

export function maskV6(words: readonly number[], length: number): number[] {
  return words.map((w, i) => {
    const keep = Math.max(0, Math.min(32, length - 32 * i));
    if (keep === 32) return w;
    if (keep === 0) return 0;
    const size = 2 ** (32 - keep);
    return w - (w % size);
  });
}
