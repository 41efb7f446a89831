/**
 * The change guard's thresholds on the command line (`sync`, `watch --upstream`, `serve
 * --upstream`): every flag also reads an environment variable (config.ts: flag > environment >
 * default).
 */
import type { Command } from 'commander';
import { DEFAULT_GUARD_THRESHOLDS, type GuardThresholds } from '../core/change-guard.js';
import { IpurlError } from '../core/errors.js';
import { resolveSetting, settingOption } from './config.js';

export interface GuardFlags {
  guardMaxRemoval?: string;
  guardMaxUrlRemoval?: string;
  guardMaxGrowth?: string;
}

export function addGuardOptions(command: Command): Command {
  return command
    .addOption(
      settingOption(
        '--guard-max-removal <fraction>',
        'change guard: hold a new upstream version that removes more than this fraction of the IPv4 or IPv6 address space; 1 = never (default 0.5)',
        'guardMaxRemoval',
      ),
    )
    .addOption(
      settingOption(
        '--guard-max-url-removal <fraction>',
        'change guard: hold one that removes more than this fraction of the URLs; 1 = never (default 0.5)',
        'guardMaxUrlRemoval',
      ),
    )
    .addOption(
      settingOption(
        '--guard-max-growth <factor>',
        'change guard: hold one that grows the IPv4 address space more than this factor; off = never (default 3)',
        'guardMaxGrowth',
      ),
    );
}

function fraction(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off') return 1;
  const n =
    /^(0|1)?(\.\d+)?$/.test(trimmed) && trimmed !== '' && trimmed !== '.'
      ? Number(trimmed)
      : Number.NaN;
  if (!(n > 0 && n <= 1)) {
    throw new IpurlError(
      'ERR_USAGE',
      `${flag} must be a fraction above 0 and at most 1, such as 0.5 (1 or off: never hold); received "${text}"`,
    );
  }
  return n;
}

function factor(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off') return Number.POSITIVE_INFINITY;
  const n = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(n > 1)) {
    throw new IpurlError(
      'ERR_USAGE',
      `${flag} must be a factor above 1, such as 3 (off: never hold); received "${text}"`,
    );
  }
  return n;
}

export function resolveGuardThresholds(flags: GuardFlags): GuardThresholds {
  return {
    maxSpaceRemoval: fraction(
      '--guard-max-removal',
      resolveSetting(flags.guardMaxRemoval, 'guardMaxRemoval'),
      DEFAULT_GUARD_THRESHOLDS.maxSpaceRemoval,
    ),
    maxUrlRemoval: fraction(
      '--guard-max-url-removal',
      resolveSetting(flags.guardMaxUrlRemoval, 'guardMaxUrlRemoval'),
      DEFAULT_GUARD_THRESHOLDS.maxUrlRemoval,
    ),
    maxIpv4Growth: factor(
      '--guard-max-growth',
      resolveSetting(flags.guardMaxGrowth, 'guardMaxGrowth'),
      DEFAULT_GUARD_THRESHOLDS.maxIpv4Growth,
    ),
  };
}
