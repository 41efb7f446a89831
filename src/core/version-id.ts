/**
 * Version ids `YYYYMMDDNN` (docs/publishing.md, "Decisions"): publication date plus a two-digit
 * counter within the day. Ten-digit strings whose lexical order is chronological order;
 * `0000000000` means "before everything".
 */

export type VersionId = string;

export const VERSION_ZERO: VersionId = '0000000000';

const VERSION_PATTERN = /^\d{10}$/;

/** Any ten digits (the /changes route accepts unpublished values, docs/api.md). */
export function isVersionId(value: string): value is VersionId {
  return VERSION_PATTERN.test(value);
}

/** The date part as `YYYYMMDD`. */
export function versionDate(version: VersionId): string {
  return version.slice(0, 8);
}

/** `YYYYMMDD` of a Date, in UTC. */
export function formatYmd(date: Date): string {
  const y = date.getUTCFullYear().toString().padStart(4, '0');
  const m = (date.getUTCMonth() + 1).toString().padStart(2, '0');
  const d = date.getUTCDate().toString().padStart(2, '0');
  return `${y}${m}${d}`;
}

/** Parse `YYYYMMDD` into a UTC midnight Date, or undefined when it is not a real calendar date. */
export function parseYmd(ymd: string): Date | undefined {
  if (!/^\d{8}$/.test(ymd)) return undefined;
  const date = new Date(Date.UTC(+ymd.slice(0, 4), +ymd.slice(4, 6) - 1, +ymd.slice(6, 8)));
  return formatYmd(date) === ymd ? date : undefined;
}

/** `YYYYMMDD` plus `days` calendar days. */
export function addDays(ymd: string, days: number): string {
  const date = parseYmd(ymd);
  if (!date) throw new RangeError(`not a date: ${ymd}`);
  return formatYmd(new Date(date.getTime() + days * 86_400_000));
}

/**
 * The id for a version published on `today`: `YYYYMMDD00`, or the next counter when the latest
 * version is from the same day. Always greater than `latest` (a clock that went backwards still
 * yields a greater id by continuing from the latest date). Undefined when the day's 99 ids are used.
 */
export function nextVersionId(today: Date, latest: VersionId | undefined): VersionId | undefined {
  const day = formatYmd(today);
  const candidate = `${day}00`;
  if (latest === undefined || candidate > latest) return candidate;
  const counter = Number(latest.slice(8, 10)) + 1;
  if (counter > 99) return undefined;
  return `${latest.slice(0, 8)}${counter.toString().padStart(2, '0')}`;
}
