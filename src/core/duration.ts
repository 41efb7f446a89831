/**
 * Durations given on the command line and in query parameters (`--interval 1h`, `--expire 7d`,
 * `--set-timeout 1d`): a whole number followed by one unit, `s`, `m`, `h`, `d` or `w`
 * (no unit: seconds). Several parts may follow each other (`1h30m`). Pure.
 */
import { IpurlError, describeValue } from './errors.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
export const DURATION_RULE =
  'a whole number with a unit s, m, h, d or w (e.g. 30m, 1h, 7d, 1h30m; no unit means seconds)';

/** Seconds, or ERR_INVALID_PARAMETER naming `parameter` and the value. */
export function parseDuration(text: string, parameter: string, minSeconds = 1): number {
  const value = text.trim().toLowerCase();
  const fail = (why: string): never => {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${parameter}: ${JSON.stringify(describeValue(text))} ${why}; expected ${DURATION_RULE}`,
      { details: { parameter, value: describeValue(text) } },
    );
  };
  if (/^\d{1,9}$/.test(value)) {
    const seconds = Number(value);
    if (seconds < minSeconds) fail(`is shorter than ${minSeconds} s`);
    return seconds;
  }
  const parts = [...value.matchAll(/(\d{1,9})([a-z]+)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) fail('is not a duration');
  let seconds = 0;
  for (const part of parts) {
    const unit = UNITS[part[2] ?? ''];
    if (unit === undefined) fail(`has an unknown unit "${describeValue(part[2] ?? '')}"`);
    seconds += Number(part[1]) * (unit ?? 0);
  }
  if (seconds < minSeconds) fail(`is shorter than ${minSeconds} s`);
  if (seconds > 10 * 366 * 86_400) fail('is longer than ten years');
  return seconds;
}

/** `86400` → `1d`, `5400` → `1h30m` (for headers and reports). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = seconds;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
