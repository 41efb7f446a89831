/**
 * The one parser of IP address text, shared by the CIDR values of publishing and validation
 * (cidr.ts), the lookup index and its query parser (lookup-index.ts, lookup-query.ts) and
 * classify. Strict forms only, so that every part of ipurl agrees on what an address is:
 * - IPv4: four decimal octets 0–255, no leading zeros (`01` is octal in some parsers);
 * - IPv6: RFC 4291 §2.2 text forms, `::` at most once, an optional trailing dotted IPv4;
 *   no zone id (a caller that accepts `%zone` strips it first).
 * Plain numbers throughout: the IPv4 scan runs once per published prefix and once per lookup, so
 * it allocates nothing.
 */

/** Dotted-quad IPv4 over text[from, to) → uint32, or -1 when it is not one. */
export function parseIpv4(text: string, from = 0, to = text.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      digits += 1;
      if (octet > 255) return -1;
    } else if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots += 1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** IPv6 text → its eight 16-bit groups, or undefined when it is not an IPv6 address. */
export function parseIpv6Groups(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  // A trailing dotted IPv4 stands for the last two groups; it must end the text.
  let embedded = -1;
  const last =
    tail.length > 0
      ? tail[tail.length - 1]
      : halves.length === 1
        ? head[head.length - 1]
        : undefined;
  if (last !== undefined && last.includes('.')) {
    embedded = parseIpv4(last);
    if (embedded < 0) return undefined;
    if (tail.length > 0) tail.pop();
    else head.pop();
  }
  const width = embedded < 0 ? 8 : 6;
  for (const group of head) if (!HEX_GROUP.test(group)) return undefined;
  for (const group of tail) if (!HEX_GROUP.test(group)) return undefined;
  const given = head.length + tail.length;
  if (halves.length === 2 ? given >= width : given !== width) return undefined;
  const toInt = (group: string): number => parseInt(group, 16);
  const groups = [
    ...head.map(toInt),
    ...new Array<number>(width - given).fill(0),
    ...tail.map(toInt),
  ];
  if (embedded >= 0) groups.push(Math.floor(embedded / 65536), embedded % 65536);
  return groups;
}

/** uint32 → dotted decimal. */
export function formatIpv4(value: number): string {
  return `${Math.floor(value / 16777216)}.${Math.floor(value / 65536) % 256}.${Math.floor(value / 256) % 256}.${value % 256}`;
}
