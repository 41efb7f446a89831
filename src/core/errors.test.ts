import { describe, expect, it } from 'vitest';
import { IpurlError, ValidationError, isIpurlError } from './errors.js';

/** What Node throws for `new URL('not a url')`: an Error with its own ERR_* code. */
function nodeError(): Error {
  try {
    new URL('not a url');
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected new URL to throw');
}

describe('isIpurlError accepts only ipurl’s own errors', () => {
  it('an IpurlError and a ValidationError are ipurl errors', () => {
    expect(isIpurlError(new IpurlError('ERR_UNKNOWN_INSTANCE', 'unknown instance "x"'))).toBe(true);
    expect(isIpurlError(new ValidationError([]))).toBe(true);
  });

  it('a Node error with an ERR_* code of its own is not', () => {
    const error = nodeError();
    expect((error as { code?: string }).code).toBe('ERR_INVALID_URL');
    expect(isIpurlError(error)).toBe(false);
    expect(isIpurlError({ code: 'ERR_USAGE', message: 'a plain object' })).toBe(false);
  });
});
