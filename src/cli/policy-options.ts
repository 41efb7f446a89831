/**
 * The sanity-policy flags shared by every command through which data enters a store (publish,
 * sync, serve --upstream, copy): `--allow RULE` (repeatable or comma-separated) and the limits.
 */
import type { Command } from 'commander';
import {
  DEFAULT_LIMITS,
  SANITY_RULES,
  FIXED_RULES,
  makePolicy,
  type SanityLimits,
  type SanityPolicy,
} from '../core/sanity-policy.js';
import { collect, parseIntegerOption } from './options.js';

export interface PolicyFlags {
  allow?: string[];
  ipv4MinPrefix?: string;
  ipv6MinPrefix?: string;
  maxPrefixes?: string;
  maxUrls?: string;
}

/** The rules a publisher may relax (the fixed ones never are). */
export const RELAXABLE = SANITY_RULES.filter((rule) => !FIXED_RULES.has(rule));

export function addPolicyOptions(command: Command): Command {
  return command
    .option(
      '--allow <rule>',
      `relax a sanity-policy rule (repeatable, or comma-separated): ${RELAXABLE.join(', ')}`,
      collect,
    )
    .option(
      '--ipv4-min-prefix <n>',
      `shortest IPv4 prefix accepted (default /${DEFAULT_LIMITS.minPrefixV4})`,
    )
    .option(
      '--ipv6-min-prefix <n>',
      `shortest IPv6 prefix accepted (default /${DEFAULT_LIMITS.minPrefixV6})`,
    )
    .option(
      '--max-prefixes <n>',
      `most prefixes in one version (default ${DEFAULT_LIMITS.maxPrefixes})`,
    )
    .option('--max-urls <n>', `most URLs in one version (default ${DEFAULT_LIMITS.maxUrls})`);
}

/** The policy the flags ask for; a usage error (exit 2) names a bad flag and what it accepts. */
export function policyFromFlags(flags: PolicyFlags): SanityPolicy {
  const limits: Partial<Record<keyof SanityLimits, number>> = {};
  if (flags.ipv4MinPrefix !== undefined)
    limits.minPrefixV4 = parseIntegerOption('--ipv4-min-prefix', flags.ipv4MinPrefix, 0, 32);
  if (flags.ipv6MinPrefix !== undefined)
    limits.minPrefixV6 = parseIntegerOption('--ipv6-min-prefix', flags.ipv6MinPrefix, 0, 128);
  if (flags.maxPrefixes !== undefined)
    limits.maxPrefixes = parseIntegerOption('--max-prefixes', flags.maxPrefixes, 1, 10_000_000);
  if (flags.maxUrls !== undefined)
    limits.maxUrls = parseIntegerOption('--max-urls', flags.maxUrls, 1, 10_000_000);
  return makePolicy(flags.allow ?? [], limits);
}
