/**
 * Port lists of `tcpPorts`/`udpPorts`: comma-separated ports or ranges `a-b`, with
 * optional spaces after commas, which are real published data (`"143, 587, 993, 995"`). The wire
 * emits the text verbatim, so a parsed list keeps it; the ranges serve exporters and lookups.
 */
import { IpurlError, describeValue } from './errors.js';
import type { ParseResult } from './cidr.js';

export interface PortRange {
  readonly from: number;
  /** Inclusive; equal to `from` for a single port. */
  readonly to: number;
}

export interface PortList {
  /** The text as published; the wire echoes it verbatim. */
  readonly text: string;
  /** In the published order. */
  readonly ranges: readonly PortRange[];
}

export const PORT_LIST_RULE =
  'comma-separated ports 1–65535 or ranges "low-high" (low ≤ high), e.g. "80,443" or "5061,50000-59999"';

const ITEM = /^\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*$/;

/** Parse one port list; reports the first bad item with what is accepted. */
export function safeParsePortList(text: string): ParseResult<PortList> {
  if (text.trim().length === 0) return fail(text, 'it is empty');
  const ranges: PortRange[] = [];
  for (const item of text.split(',')) {
    const match = ITEM.exec(item);
    if (match === null) return fail(text, `"${item.trim()}" is not a port or a range`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    for (const port of [from, to]) {
      if (port < 1 || port > 65535) return fail(text, `port ${port} is outside 1–65535`);
    }
    if (to < from) return fail(text, `range ${from}-${to} is reversed`);
    ranges.push({ from, to });
  }
  return { ok: true, value: { text, ranges } };
}

function fail(text: string, why: string): ParseResult<PortList> {
  return {
    ok: false,
    reason: `port list "${describeValue(text)}": ${why}; expected ${PORT_LIST_RULE}`,
  };
}

/** Like safeParsePortList, but throws IpurlError ERR_INVALID_PARAMETER. */
export function parsePortList(text: string): PortList {
  const result = safeParsePortList(text);
  if (!result.ok) throw new IpurlError('ERR_INVALID_PARAMETER', result.reason);
  return result.value;
}

/** The published text, unchanged. */
export function formatPortList(list: PortList): string {
  return list.text;
}

/** Normalised text without spaces (`143,587,993,995`), for devices that reject spaces. */
export function compactPortList(list: PortList): string {
  return list.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(',');
}

export function portListIncludes(list: PortList, port: number): boolean {
  return list.ranges.some((range) => port >= range.from && port <= range.to);
}
