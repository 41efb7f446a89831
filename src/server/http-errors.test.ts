import { describe, expect, it } from 'vitest';
import { IpurlError } from '../core/errors.js';
import { thrownBy } from '../core/failure.fixture.js';
import { toHttpError } from './http-errors.js';

describe('toHttpError: what a client sees of a thrown error', () => {
  it('an ipurl error keeps its code, status and message', () => {
    const { status, body } = toHttpError(
      new IpurlError('ERR_UNKNOWN_INSTANCE', 'unknown instance "Mars"; instances: Worldwide'),
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe('ERR_UNKNOWN_INSTANCE');
    expect(body.error.message).toContain('"Mars"');
  });

  it('a Node ERR_INVALID_URL is a 500 ERR_INTERNAL that hides the internal message', () => {
    const thrown = thrownBy(() => new URL('http://[internal-host-secret'));
    expect((thrown as { code?: string }).code).toBe('ERR_INVALID_URL');
    const { status, body } = toHttpError(thrown);
    expect(status).toBe(500);
    expect(body.error.code).toBe('ERR_INTERNAL');
    expect(JSON.stringify(body)).not.toContain('internal-host-secret');
    expect(JSON.stringify(body)).not.toContain('ERR_INVALID_URL');
  });
});
