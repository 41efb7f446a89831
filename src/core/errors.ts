/**
 * The error family. Every error has a stable `ERR_*` code; HTTP statuses and exit codes are
 * assigned only at the edges (server/http-errors.ts, cli/exit-codes.ts) from the codes, and
 * docs/errors.md lists every code (a test keeps them in step).
 */

/** One validation problem, as data (valibot's issue shape, trimmed). */
export interface Issue {
  /** Where: a JSON-pointer-like path, e.g. `sets[3].ips[0]` or the query parameter name. */
  readonly path: string;
  /** What was received, rendered as text (truncated by the producer when long). */
  readonly value: string;
  /** Why it is wrong and what is accepted. */
  readonly reason: string;
  /** The endpoint set this issue is about, when there is one. */
  readonly setId?: number;
  /** The sanity-policy rule that refused the value (core/sanity-policy.ts), when one did. */
  readonly rule?: string;
}

export type ErrorCode =
  // request and input problems
  | 'ERR_INVALID_PARAMETER'
  | 'ERR_MISSING_PARAMETER'
  | 'ERR_INVALID_CLIENT_REQUEST_ID'
  | 'ERR_UNKNOWN_INSTANCE'
  | 'ERR_UNKNOWN_SERVICE_AREA'
  | 'ERR_INVALID_FORMAT'
  | 'ERR_INVALID_VERSION'
  | 'ERR_INVALID_BOOLEAN'
  | 'ERR_INVALID_TENANT_NAME'
  | 'ERR_VALIDATION'
  | 'ERR_INVALID_DOCUMENT'
  | 'ERR_UNSUPPORTED_PATTERN'
  | 'ERR_USAGE'
  // resources
  | 'ERR_NOT_FOUND'
  | 'ERR_VERSION_NOT_FOUND'
  | 'ERR_NOT_HELD'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN'
  | 'ERR_RATE_LIMITED'
  | 'ERR_CONFLICT'
  | 'ERR_VERSION_EXHAUSTED'
  | 'ERR_IMMUTABLE'
  | 'ERR_PAYLOAD_TOO_LARGE'
  // infrastructure
  | 'ERR_STORAGE'
  | 'ERR_UPSTREAM'
  | 'ERR_INTERNAL';

export interface IpurlErrorOptions {
  readonly cause?: unknown;
  readonly details?: Readonly<Record<string, unknown>>;
}

export class IpurlError extends Error {
  override name = 'IpurlError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: IpurlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/** A list of problems found in one document or request; carries every issue, not the first. */
export class ValidationError extends IpurlError {
  override name = 'ValidationError';
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[], message?: string, code: ErrorCode = 'ERR_VALIDATION') {
    super(code, message ?? `${issues.length} problem${issues.length === 1 ? '' : 's'} found`, {
      details: { issues },
    });
    this.issues = issues;
  }
}

/**
 * Only ipurl's own errors: a Node error with an `ERR_*` code of its own (`ERR_INVALID_URL`,
 * `ERR_STREAM_PREMATURE_CLOSE`, ...) is an internal failure, never a client's mistake, and its
 * message may carry internals; callers map it to ERR_INTERNAL (HTTP 500, CLI "unexpected error").
 */
export function isIpurlError(error: unknown): error is IpurlError {
  return error instanceof IpurlError;
}

export function isValidationError(error: unknown): error is ValidationError {
  return error instanceof ValidationError;
}

/** Shorten a received value for an error message, so a huge input cannot flood a response. */
export function describeValue(value: unknown, max = 120): string {
  if (typeof value === 'string')
    return value.length > max ? `${value.slice(0, max)}…(${value.length} chars)` : value;
  // Bounded: a huge or deeply nested value is rendered only as far as `max` characters need
  // (never a whole 3-million-element array, never a stack overflow on a million nested brackets).
  const out: string[] = [];
  let length = 0;
  let cut = false;
  const push = (text: string): boolean => {
    out.push(text);
    length += text.length;
    if (length > max) cut = true;
    return !cut;
  };
  const walk = (item: unknown, depth: number): boolean => {
    if (item === null || typeof item !== 'object') {
      if (typeof item === 'bigint') return push(`${item}`);
      return push(JSON.stringify(item) ?? String(item));
    }
    if (depth >= 8) return push(Array.isArray(item) ? '[…]' : '{…}');
    if (Array.isArray(item)) {
      if (!push('[')) return false;
      for (let i = 0; i < item.length; i += 1) {
        if ((i > 0 && !push(',')) || !walk(item[i], depth + 1)) return false;
      }
      return push(']');
    }
    if (!push('{')) return false;
    let first = true;
    for (const key of Object.keys(item)) {
      if ((!first && !push(',')) || !push(`${JSON.stringify(key)}:`)) return false;
      if (!walk((item as Record<string, unknown>)[key], depth + 1)) return false;
      first = false;
    }
    return push('}');
  };
  walk(value, 0);
  const text = out.join('');
  return cut ? `${text.slice(0, max)}…(truncated)` : text;
}
