/**
 * Exit codes, assigned only here from error codes (docs/errors.md; translation happens only at the
 * edges, so use cases never pick an exit code).
 * 0 success; 1 the operation failed; 2 usage or bad input; 3 not found; 4 conflict (retry);
 * 5 upstream or storage unavailable. A command may also exit 10 to say "nothing changed" where
 * its help says so.
 */
import type { ErrorCode } from '../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_NOT_FOUND = 3;
export const EXIT_CONFLICT = 4;
export const EXIT_UNAVAILABLE = 5;

const EXIT_BY_CODE: Partial<Record<ErrorCode, number>> = {
  ERR_USAGE: EXIT_USAGE,
  ERR_INVALID_PARAMETER: EXIT_USAGE,
  ERR_MISSING_PARAMETER: EXIT_USAGE,
  ERR_INVALID_CLIENT_REQUEST_ID: EXIT_USAGE,
  ERR_UNKNOWN_SERVICE_AREA: EXIT_USAGE,
  ERR_INVALID_FORMAT: EXIT_USAGE,
  ERR_INVALID_VERSION: EXIT_USAGE,
  ERR_INVALID_BOOLEAN: EXIT_USAGE,
  ERR_INVALID_TENANT_NAME: EXIT_USAGE,
  ERR_VALIDATION: EXIT_USAGE,
  ERR_INVALID_DOCUMENT: EXIT_USAGE,
  ERR_UNSUPPORTED_PATTERN: EXIT_FAILURE,
  ERR_UNKNOWN_INSTANCE: EXIT_NOT_FOUND,
  ERR_NOT_FOUND: EXIT_NOT_FOUND,
  ERR_VERSION_NOT_FOUND: EXIT_NOT_FOUND,
  ERR_NOT_HELD: EXIT_NOT_FOUND,
  ERR_CONFLICT: EXIT_CONFLICT,
  ERR_VERSION_EXHAUSTED: EXIT_CONFLICT,
  ERR_IMMUTABLE: EXIT_CONFLICT,
  ERR_STORAGE: EXIT_UNAVAILABLE,
  ERR_UPSTREAM: EXIT_UNAVAILABLE,
};

export function exitCodeFor(code: ErrorCode): number {
  return EXIT_BY_CODE[code] ?? EXIT_FAILURE;
}
