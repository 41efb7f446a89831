/**
 * The one table from ERR_* codes to HTTP statuses (statuses are assigned only at the edge, so the
 * use cases stay transport-free), and the JSON error body of docs/errors.md:
 * `{"error": {"code", "message"[, "issues"]}}`.
 */
import type { ErrorCode, Issue } from '../core/errors.js';
import { isIpurlError, isValidationError } from '../core/errors.js';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  ERR_INVALID_PARAMETER: 400,
  ERR_MISSING_PARAMETER: 400,
  ERR_INVALID_CLIENT_REQUEST_ID: 400,
  // An unknown instance is a malformed parameter (400), not a missing resource (docs/errors.md).
  ERR_UNKNOWN_INSTANCE: 400,
  ERR_UNKNOWN_SERVICE_AREA: 400,
  ERR_INVALID_FORMAT: 400,
  ERR_INVALID_VERSION: 400,
  ERR_INVALID_BOOLEAN: 400,
  ERR_INVALID_TENANT_NAME: 400,
  // A publisher document (or store input) that fails validation: 422 with every issue (issue 3).
  ERR_VALIDATION: 422,
  ERR_INVALID_DOCUMENT: 400,
  ERR_UNSUPPORTED_PATTERN: 422,
  ERR_USAGE: 400,
  ERR_NOT_FOUND: 404,
  ERR_VERSION_NOT_FOUND: 404,
  ERR_NOT_HELD: 404,
  ERR_METHOD_NOT_ALLOWED: 405,
  ERR_UNAUTHORIZED: 401,
  ERR_FORBIDDEN: 403,
  ERR_RATE_LIMITED: 429,
  ERR_CONFLICT: 409,
  ERR_VERSION_EXHAUSTED: 409,
  ERR_IMMUTABLE: 409,
  ERR_PAYLOAD_TOO_LARGE: 413,
  ERR_STORAGE: 503,
  ERR_UPSTREAM: 502,
  ERR_INTERNAL: 500,
};

export function httpStatusFor(code: ErrorCode): number {
  return HTTP_STATUS[code] ?? 500;
}

export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly issues?: readonly Issue[];
  };
}

export function errorBody(code: ErrorCode, message: string, issues?: readonly Issue[]): ErrorBody {
  return { error: issues === undefined ? { code, message } : { code, message, issues } };
}

/** Fastify's own errors carry `statusCode` and a FST_* code (bad JSON body, body too large, ...). */
interface FrameworkError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly message: string;
  readonly validation?: unknown;
}

/**
 * Map anything thrown while handling a request to (status, body). IpurlErrors keep their code;
 * a framework 4xx keeps its status under a fitting code; everything else is a 500 whose message
 * hides internals (the log has the stack).
 */
export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (isIpurlError(error)) {
    const issues = isValidationError(error) ? error.issues : undefined;
    return {
      status: httpStatusFor(error.code),
      body: errorBody(error.code, error.message, issues),
    };
  }
  const framework = error as FrameworkError;
  const status = typeof framework.statusCode === 'number' ? framework.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code: ErrorCode =
      status === 413
        ? 'ERR_PAYLOAD_TOO_LARGE'
        : status === 404
          ? 'ERR_NOT_FOUND'
          : status === 405
            ? 'ERR_METHOD_NOT_ALLOWED'
            : status === 401
              ? 'ERR_UNAUTHORIZED'
              : status === 403
                ? 'ERR_FORBIDDEN'
                : status === 429
                  ? 'ERR_RATE_LIMITED'
                  : framework.validation === undefined
                    ? 'ERR_INVALID_PARAMETER'
                    : 'ERR_VALIDATION';
    // 415 (unsupported media type) and 400 (bad body) keep their status; the body gets our shape.
    return { status, body: errorBody(code, framework.message) };
  }
  if (status === 503) {
    return { status, body: errorBody('ERR_STORAGE', 'the service is unavailable; retry later') };
  }
  return {
    status: 500,
    body: errorBody('ERR_INTERNAL', 'internal error; the server log has the details'),
  };
}
