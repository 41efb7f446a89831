/**
 * Where a webhook may be delivered: a receiver on the internet, not the machine itself or its
 * internal networks. The target's host is resolved (DNS, or the literal address) before the POST,
 * and every address it resolves to must lie outside the loopback, unspecified, link-local,
 * private (RFC 1918, ULA), shared (100.64/10) and multicast ranges, the cloud metadata addresses
 * (169.254.169.254, fd00:ec2::254) among them; the ranges are the sanity policy's
 * (core/sanity-policy.ts). `allowPrivateTargets` (`--allow-private-targets`) lifts the check for
 * receivers on an internal network.
 *
 * Known limit: fetch resolves the host again when it connects; a name whose answer changes between
 * the two look-ups (DNS rebinding) is not caught here.
 */
import { lookup } from 'node:dns/promises';
import { safeParseCidr } from '../core/cidr.js';
import { specialRangeOf, type SanityRule } from '../core/sanity-policy.js';

const REFUSED: ReadonlySet<SanityRule> = new Set<SanityRule>([
  'unspecified',
  'loopback',
  'link-local',
  'private',
  'shared',
  'multicast',
]);

const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254']);

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) as the IPv4 address it stands for. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? address;
}

/** Why one resolved address is refused, or undefined when it may be delivered to. */
export function targetAddressProblem(address: string): string | undefined {
  const plain = unmapped(address);
  const parsed = safeParseCidr(plain);
  if (!parsed.ok) return `${address} is not an IP address`;
  if (METADATA.has(parsed.value.text.replace(/\/\d+$/, ''))) {
    return `${address} is a cloud metadata address`;
  }
  const special = specialRangeOf(parsed.value);
  if (special === undefined || !REFUSED.has(special.rule)) return undefined;
  return `${address} lies in ${special.range}, ${special.what}`;
}

/**
 * Null when the webhook URL may be delivered to; otherwise the refusal, naming the host, the
 * address and how to allow it. Resolution failures are refusals too (nothing to deliver to).
 */
export async function checkWebhookTarget(
  url: string,
  resolve: (host: string) => Promise<string[]> = async (host) =>
    (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address),
): Promise<string | null> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return `webhook URL ${url} is not a URL`;
  }
  let addresses: string[];
  try {
    addresses = safeParseCidr(unmapped(host)).ok ? [host] : await resolve(host);
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    return `webhook host ${host} does not resolve (${code})`;
  }
  for (const address of addresses) {
    const problem = targetAddressProblem(address);
    if (problem !== undefined) {
      return `webhook target ${host} refused: ${problem}; internal receivers need --allow-private-targets`;
    }
  }
  return null;
}
