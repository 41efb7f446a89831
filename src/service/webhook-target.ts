/**
 * Where a webhook may be delivered: a receiver on the internet, not the machine itself or its
 * internal networks. The target's host is resolved (DNS, or the literal address) before the POST,
 * and every address it resolves to must lie outside the loopback, unspecified, link-local,
 * private (RFC 1918, ULA), shared (100.64/10) and multicast ranges, the cloud metadata addresses
 * (169.254.169.254, fd00:ec2::254) among them; the ranges are the sanity policy's
 * (core/sanity-policy.ts). `allowPrivateTargets` (`--allow-private-targets`) lifts the check for
 * receivers on an internal network.
 *
 * The host is resolved once: the delivery connects to exactly the addresses that passed the check
 * (`pinnedLookup`), so a name whose answer changes between the check and the connection (DNS
 * rebinding) cannot lead it to the machine itself. The Host header and the TLS server name stay
 * those of the URL.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
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

/** Host name → its addresses (DNS; tests inject their own). */
export type Resolver = (host: string) => Promise<string[]>;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address in its order. */
export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** Where a delivery may go: the addresses to connect to, or why it may not. */
export type WebhookTarget =
  | { readonly ok: true; readonly host: string; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly problem: string };

/**
 * Resolve the webhook URL's host once and check every address (unless `allowPrivate`). The
 * addresses returned are the ones the delivery must connect to (see `pinnedLookup`). Resolution
 * failures are refusals too (nothing to deliver to).
 */
export async function resolveWebhookTarget(
  url: string,
  options: { readonly resolve?: Resolver; readonly allowPrivate?: boolean } = {},
): Promise<WebhookTarget> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return { ok: false, problem: `webhook URL ${url} is not a URL` };
  }
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : await (options.resolve ?? systemResolver)(host);
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    return { ok: false, problem: `webhook host ${host} does not resolve (${code})` };
  }
  if (addresses.length === 0 || addresses.some((address) => isIP(address) === 0)) {
    return { ok: false, problem: `webhook host ${host} does not resolve to IP addresses` };
  }
  if (options.allowPrivate !== true) {
    for (const address of addresses) {
      const problem = targetAddressProblem(address);
      if (problem !== undefined) {
        return {
          ok: false,
          problem: `webhook target ${host} refused: ${problem}; internal receivers need --allow-private-targets`,
        };
      }
    }
  }
  return { ok: true, host, addresses };
}

/**
 * Null when the webhook URL may be delivered to; otherwise the refusal, naming the host, the
 * address and how to allow it.
 */
export async function checkWebhookTarget(
  url: string,
  resolve: Resolver = systemResolver,
): Promise<string | null> {
  const target = await resolveWebhookTarget(url, { resolve });
  return target.ok ? null : target.problem;
}

/**
 * A `lookup` for http(s).request that answers only `addresses` (the checked ones), whatever the
 * name: the connection cannot go anywhere the check did not see.
 */
export function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return ((
    hostname: string,
    options: { family?: number | string; all?: boolean },
    callback: (error: Error | null, address: unknown, family?: number) => void,
  ) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const wanted =
      family === 4 || family === 6 ? entries.filter((e) => e.family === family) : entries;
    if (wanted.length === 0) {
      const error = Object.assign(
        new Error(`no checked IPv${String(family)} address for ${hostname}`),
        {
          code: 'ENOTFOUND',
        },
      );
      callback(error, options.all === true ? [] : '', 0);
    } else if (options.all === true) callback(null, wanted);
    else callback(null, wanted[0]!.address, wanted[0]!.family);
  }) as unknown as LookupFunction;
}
