/**
 * One webhook POST, sent to exactly the addresses that passed the target check (webhook-target.ts):
 * node's http/https request with a `lookup` that answers only those addresses, so the name is not
 * resolved a second time (no DNS rebinding between check and connection). The URL's host stays in
 * the Host header and, for https, in the TLS server name (certificates are checked against it).
 * A redirect is not followed: the receiver must answer at the configured URL.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeValue } from '../core/errors.js';
import { pinnedLookup } from './webhook-target.js';

export interface PostResult {
  readonly statusCode: number | null;
  readonly error: string | null;
}

/** POST `body` to `url`, connecting only to `addresses`; never throws. */
export function postPinned(
  url: string,
  addresses: readonly string[],
  body: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<PostResult> {
  const target = new URL(url);
  const request =
    target.protocol === 'https:'
      ? httpsRequest
      : target.protocol === 'http:'
        ? httpRequest
        : undefined;
  if (request === undefined) {
    return Promise.resolve({
      statusCode: null,
      error: describeValue(`webhook URL ${url} is not http or https`, 300),
    });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: PostResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(addresses),
        agent: false,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        // Drain the body; its content does not matter.
        response.resume();
        response.on('error', () => undefined);
        response.on('end', () =>
          finish(
            status >= 200 && status < 300
              ? { statusCode: status, error: null }
              : { statusCode: status, error: `receiver answered HTTP ${status}` },
          ),
        );
      },
    );
    const timer = setTimeout(() => {
      finish({ statusCode: null, error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: Error & { code?: string }) => {
      const message = error.code !== undefined ? `${error.code}: ${error.message}` : error.message;
      finish({ statusCode: null, error: describeValue(message, 300) });
    });
    req.end(body);
  });
}
