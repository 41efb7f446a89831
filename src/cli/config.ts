/**
 * Where every command's settings come from, in one place: the flag, else its environment variable
 * (then a fallback variable where one is documented), else the default. The flags are commander
 * Options with `.env()`, so `--help` names the variable next to each flag, and commander applies
 * the first variable itself; `resolveSetting` adds the fallback variables and the default.
 * docs/operations.md lists the variables; test/cli/config.test.ts holds every command to them.
 */
import { Option, type Command } from 'commander';

export const DEFAULT_DB = 'ipurl.db';

/** The environment variables of each setting, first set wins. */
export const SETTING_ENV = {
  db: ['IPURL_DB', 'DATABASE_URL'],
  host: ['IPURL_HOST'],
  port: ['IPURL_PORT'],
  rateLimit: ['IPURL_RATE_LIMIT'],
  rateLimitPerIp: ['IPURL_RATE_LIMIT_PER_IP'],
  maxConnections: ['IPURL_MAX_CONNECTIONS'],
  headersTimeout: ['IPURL_HEADERS_TIMEOUT'],
  requestTimeout: ['IPURL_REQUEST_TIMEOUT'],
  publicUrl: ['IPURL_PUBLIC_URL'],
  redis: ['IPURL_REDIS_URL', 'REDIS_URL'],
  trustProxy: ['IPURL_TRUST_PROXY'],
  upstream: ['IPURL_UPSTREAM'],
  guardMaxRemoval: ['IPURL_GUARD_MAX_REMOVAL'],
  guardMaxUrlRemoval: ['IPURL_GUARD_MAX_URL_REMOVAL'],
  guardMaxGrowth: ['IPURL_GUARD_MAX_GROWTH'],
  // No flag: a secret on the command line would show in `ps`.
  adminToken: ['IPURL_ADMIN_TOKEN'],
  logLevel: ['IPURL_LOG_LEVEL'],
} as const satisfies Record<string, readonly [string, ...string[]]>;

export type Setting = keyof typeof SETTING_ENV;

/** A boolean variable (IPURL_TRUST_PROXY) turns its flag on with one of these values only. */
const TRUE_VALUES: ReadonlySet<string> = new Set(['1', 'true', 'yes']);

/** The option for a setting's flag; --help shows "(env: FIRST_VARIABLE)" after `description`. */
export function settingOption(flags: string, description: string, setting: Setting): Option {
  return new Option(flags, description).env(SETTING_ENV[setting][0]);
}

/** The first of a setting's variables that is set and not empty. */
export function settingFromEnv(setting: Setting): string | undefined {
  for (const name of SETTING_ENV[setting]) {
    const value = process.env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** flag (or its first variable, applied by commander) → the other variables → `fallback`. */
export function resolveSetting(flag: string | undefined, setting: Setting): string | undefined;
export function resolveSetting(
  flag: string | undefined,
  setting: Setting,
  fallback: string,
): string;
export function resolveSetting(
  flag: string | undefined,
  setting: Setting,
  fallback?: string,
): string | undefined {
  return flag ?? settingFromEnv(setting) ?? fallback;
}

/** `--db`: the flag, IPURL_DB, DATABASE_URL, else ipurl.db in the current folder. */
export function resolveDb(flag: string | undefined): string {
  return resolveSetting(flag, 'db', DEFAULT_DB);
}

/**
 * Commander applies a variable that is set but empty, and turns a boolean flag on whatever its
 * variable says. ipurl's rule is the documented one: an empty variable is unset, and a boolean
 * variable is on only for 1, true or yes (IPURL_TRUST_PROXY=0 must not trust X-Forwarded-For).
 */
export function applyEnvRules(program: Command): void {
  program.hook('preAction', (_program, action) => {
    for (const option of action.options) {
      if (option.envVar === undefined) continue;
      const key = option.attributeName();
      if (action.getOptionValueSource(key) !== 'env') continue;
      const text = process.env[option.envVar] ?? '';
      if (option.isBoolean()) {
        action.setOptionValueWithSource(key, TRUE_VALUES.has(text) ? true : undefined, 'env');
      } else if (text === '') {
        action.setOptionValueWithSource(key, undefined, 'default');
      }
    }
  });
}
