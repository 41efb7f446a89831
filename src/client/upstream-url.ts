/**
 * The upstream URL: checked and normalised once, with any credentials (`https://user:secret@host/`)
 * taken out of it. They travel only as an `Authorization: Basic` header and are never shown:
 * everything that prints an upstream URL (logs, `/health`, `ipurl status`, error messages) uses
 * the URL without them.
 */
import { IpurlError, describeValue } from '../core/errors.js';

/** Replace the user-info part of a URL-like text (`//user:secret@host`) by `//***@`. */
export function redactCredentials(text: string): string {
  return text.replace(/(\/\/)[^/?#@\s]*@/g, '$1***@');
}

/** The upstream URL as it may be shown (logs, /health, status, errors): no credentials. */
export function displayUpstream(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return redactCredentials(text);
  }
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Check and normalise an upstream base URL (http or https, no query); credentials are removed. */
export function parseUpstreamUrl(text: string): URL {
  const shown = JSON.stringify(describeValue(redactCredentials(text)));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new IpurlError(
      'ERR_USAGE',
      `--upstream must be an http(s) URL such as https://endpoints.office.com; received ${shown}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new IpurlError('ERR_USAGE', `--upstream must use http or https; received ${shown}`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new IpurlError(
      'ERR_USAGE',
      `--upstream takes the service's base URL without query or fragment; received ${shown}`,
    );
  }
  if ((url.username !== '' || url.password !== '') && url.protocol !== 'https:') {
    if (!LOOPBACK_HOST.test(url.hostname))
      throw new IpurlError(
        'ERR_USAGE',
        `--upstream has credentials but uses plain http, which would send them in clear text; use https (received ${shown})`,
      );
  }
  url.username = '';
  url.password = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** The `Authorization` header for credentials in an upstream URL, or undefined. */
export function upstreamAuthorization(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.username === '' && url.password === '') return undefined;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
