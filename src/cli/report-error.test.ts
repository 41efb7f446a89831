import { afterEach, describe, expect, it, vi } from 'vitest';
import { IpurlError } from '../core/errors.js';
import { thrownBy } from '../core/failure.fixture.js';
import { reportError } from './main.js';

function stderrOf(run: () => number): { code: number; text: string } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    return { code: run(), text: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('reportError: the CLI’s exit code and message for a thrown error', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an ipurl error prints its message and code, with its exit code', () => {
    const { code, text } = stderrOf(() =>
      reportError(new IpurlError('ERR_UNKNOWN_SERVICE_AREA', '--service-areas contains "Teams"')),
    );
    expect(code).toBe(2);
    expect(text).toBe('ipurl: --service-areas contains "Teams" [ERR_UNKNOWN_SERVICE_AREA]\n');
  });

  it('a Node ERR_INVALID_URL is an unexpected error, exit 1', () => {
    const thrown = thrownBy(() => new URL('not a url'));
    const { code, text } = stderrOf(() => reportError(thrown));
    expect(code).toBe(1);
    expect(text).toMatch(/^ipurl: unexpected error: /);
    expect(text).not.toMatch(/\[ERR_INVALID_URL\]/);
  });
});
