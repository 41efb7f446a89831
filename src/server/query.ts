/**
 * Raw query-string parsing for the web-service routes, as tolerant as the real (.NET) service
 * and strict where a clear 400 helps the caller (docs/api.md, "Errors"):
 * - parameter names are case-insensitive (`clientrequestid`, `ClientRequestId`, ...; docs/api.md,
 *   "Common conventions");
 * - flags may be bare (`?AllVersions&...`), `true` or `false` in any case; an empty value
 *   (`AllVersions=`) counts as bare;
 * - values are percent-decoded lazily, so a broken encoding in a parameter we ignore is harmless,
 *   and one in a parameter we read is a 400 naming it;
 * - a parameter repeated with different values is a 400 (which one would win is a guess);
 * - ClientRequestId accepts every form .NET's Guid.TryParse accepts for N/D/B/P (32 hex digits,
 *   hyphenated, in `{}` or `()`), any case, surrounding spaces trimmed (Get-PacFile
 *   sends it in braces).
 */
import type { ServiceArea } from '../core/endpoint-set.js';
import { isDefaultServiceAreas, parseServiceAreas } from '../core/service-areas.js';
import { IpurlError, describeValue } from '../core/errors.js';

/** Longest query string read (the URL itself is capped by Node at ~16 KB of headers). */
export const MAX_QUERY_LENGTH = 4096;
/** Longest single parameter value read. */
export const MAX_VALUE_LENGTH = 512;

/** Lower-cased name → raw (still percent-encoded) values, in order of appearance. */
export type RawQuery = ReadonlyMap<string, readonly string[]>;

const EMPTY: RawQuery = new Map();

/** Split `path?query` at the first `?`. */
export function splitUrl(url: string): { path: string; query: string } {
  const at = url.indexOf('?');
  return at === -1
    ? { path: url, query: '' }
    : { path: url.slice(0, at), query: url.slice(at + 1) };
}

/** application/x-www-form-urlencoded decoding (`+` is a space); undefined when not valid UTF-8. */
export function decodeComponent(raw: string): string | undefined {
  if (raw.indexOf('%') === -1 && raw.indexOf('+') === -1) return raw;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

export function parseRawQuery(query: string): RawQuery {
  if (query === '') return EMPTY;
  if (query.length > MAX_QUERY_LENGTH) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `the query string is ${query.length} characters long; at most ${MAX_QUERY_LENGTH} are accepted`,
    );
  }
  const out = new Map<string, string[]>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    const name = (decodeComponent(rawName) ?? rawName).trim().toLowerCase();
    const values = out.get(name);
    if (values === undefined) out.set(name, [rawValue]);
    else values.push(rawValue);
  }
  return out;
}

/**
 * The single decoded value of `name` (display name used in messages), '' for a bare flag,
 * undefined when absent. Throws on a broken encoding, an oversized value, control characters or
 * conflicting repeats.
 */
export function getParam(query: RawQuery, name: string): string | undefined {
  const raws = query.get(name.toLowerCase());
  if (raws === undefined) return undefined;
  let result: string | undefined;
  for (const raw of raws) {
    if (raw.length > MAX_VALUE_LENGTH * 3) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `${name} is ${raw.length} characters long; at most ${MAX_VALUE_LENGTH} are accepted`,
      );
    }
    const value = decodeComponent(raw);
    if (value === undefined) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `${name} has a value that is not valid percent-encoded UTF-8: ${JSON.stringify(describeValue(raw))}`,
      );
    }
    if (value.length > MAX_VALUE_LENGTH) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `${name} is ${value.length} characters long; at most ${MAX_VALUE_LENGTH} are accepted`,
      );
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `${name} contains a control character (received ${JSON.stringify(describeValue(value))})`,
      );
    }
    if (result === undefined) result = value;
    else if (result.toLowerCase() !== value.toLowerCase()) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `${name} is given ${raws.length} times with different values (${JSON.stringify(describeValue(result))} and ${JSON.stringify(describeValue(value))}); give it once`,
      );
    }
  }
  return result;
}

/**
 * Every value of a parameter that may repeat (`tenantName=a&tenantName=b`, `route=…&route=…`),
 * each checked like getParam; empty values are dropped; undefined when none is left.
 */
export function getValues(query: RawQuery, name: string): string[] | undefined {
  const raws = query.get(name.toLowerCase());
  if (raws === undefined) return undefined;
  const out: string[] = [];
  for (const raw of raws) {
    const value = getParam(new Map([[name.toLowerCase(), [raw]]]), name)?.trim();
    if (value !== undefined && value !== '') out.push(value);
  }
  return out.length === 0 ? undefined : out;
}

/** A value parameter: an empty value counts as absent (`?TenantName=` = no tenant). */
export function getValue(query: RawQuery, name: string): string | undefined {
  const value = getParam(query, name);
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Bare flag (as Microsoft's samples send it) or `true` ⇒ true; `false` ⇒ false; absent ⇒ false;
 * anything else ⇒ 400.
 */
export function getBoolean(query: RawQuery, name: string): boolean {
  const value = getParam(query, name);
  if (value === undefined) return false;
  const lower = value.trim().toLowerCase();
  if (lower === '' || lower === 'true') return true;
  if (lower === 'false') return false;
  throw new IpurlError(
    'ERR_INVALID_BOOLEAN',
    `${name} must be true or false, or given without a value as a flag; received ${JSON.stringify(describeValue(value))}`,
  );
}

const GUID_FORMS: readonly RegExp[] = [
  /^[0-9a-f]{32}$/i, // N
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // D
  /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i, // B
  /^\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)$/i, // P
];

/** The GUID in canonical form (lower-case D), or undefined when `value` is not one. */
export function normalizeGuid(value: string): string | undefined {
  const trimmed = value.trim();
  if (!GUID_FORMS.some((form) => form.test(trimmed))) return undefined;
  const hex = trimmed.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** ClientRequestId is required on every web method (docs/api.md, "Common conventions"). */
export function getClientRequestId(query: RawQuery): string {
  const value = getParam(query, 'ClientRequestId');
  if (value === undefined || value.trim() === '') {
    throw new IpurlError(
      'ERR_MISSING_PARAMETER',
      'ClientRequestId is required: add ?ClientRequestId=<GUID>, one GUID per calling machine, e.g. b10c5ed1-bad1-445f-b386-b919946339a7',
    );
  }
  const guid = normalizeGuid(value);
  if (guid === undefined) {
    throw new IpurlError(
      'ERR_INVALID_CLIENT_REQUEST_ID',
      `ClientRequestId must be a GUID (32 hex digits, optionally hyphenated as 8-4-4-4-12 and wrapped in {} or ()); received ${JSON.stringify(describeValue(value))}`,
    );
  }
  return guid;
}

/** Format=JSON|CSV(|RSS), case-insensitive; default JSON (docs/api.md, "Common conventions"). */
export function getFormat<F extends string>(query: RawQuery, accepted: readonly F[]): F {
  const value = getValue(query, 'Format');
  if (value === undefined) return accepted[0]!;
  const upper = value.toUpperCase();
  const found = accepted.find((f) => f === upper);
  if (found === undefined) {
    throw new IpurlError(
      'ERR_INVALID_FORMAT',
      `Format must be one of ${accepted.join(', ')} (any case); received ${JSON.stringify(describeValue(value))}`,
    );
  }
  return found;
}

/**
 * ServiceAreas (parsed by core's one parser). Undefined when absent, when it names no area, or
 * when it names exactly the default areas (every area but MEM: same response as no filter, so
 * both share one cached entry).
 */
export function getServiceAreas(query: RawQuery): ServiceArea[] | undefined {
  const value = getValue(query, 'ServiceAreas');
  const areas = value === undefined ? undefined : parseServiceAreas(value, 'ServiceAreas');
  return areas === undefined || isDefaultServiceAreas(areas) ? undefined : areas;
}
