/**
 * `ipurl serve --headers-timeout / --request-timeout`: how long a client may take to send its
 * request headers and its whole request before the server answers 408 and closes the connection
 * (a slow client cannot hold a connection for minutes).
 */
import { parseDuration } from '../core/duration.js';
import { IpurlError } from '../core/errors.js';

export const DEFAULT_HEADERS_TIMEOUT = '10s';
export const DEFAULT_REQUEST_TIMEOUT = '30s';

/**
 * --headers-timeout and --request-timeout: durations from 1 s to 1 h, the headers' no longer than
 * the whole request's (node refuses a server configured the other way round).
 */
export function parseTimeouts(
  headers: string,
  request: string,
): { headersTimeoutMs: number; requestTimeoutMs: number } {
  const headersSeconds = parseDuration(headers, '--headers-timeout');
  const requestSeconds = parseDuration(request, '--request-timeout');
  for (const [name, seconds] of [
    ['--headers-timeout', headersSeconds],
    ['--request-timeout', requestSeconds],
  ] as const) {
    if (seconds > 3600)
      throw new IpurlError('ERR_USAGE', `${name} must be at most 1h; received ${seconds} s`);
  }
  if (headersSeconds > requestSeconds) {
    throw new IpurlError(
      'ERR_USAGE',
      `--headers-timeout (${headersSeconds} s) must not be longer than --request-timeout (${requestSeconds} s)`,
    );
  }
  return { headersTimeoutMs: headersSeconds * 1000, requestTimeoutMs: requestSeconds * 1000 };
}
