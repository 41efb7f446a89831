/**
 * How a test gets at a failure: a real error object thrown by a library or by Node (its class,
 * code and message, not one built by hand), or the reason a safe parser gives for refusing its
 * input. Test-only: tsconfig.build.json leaves `*.fixture.ts` out.
 */
import { expect } from 'vitest';
import type { ParseResult } from './cidr.js';

/** What `action` throws, or undefined when it returns. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The reason of a refused parse; the test fails when the input was accepted. */
export function refusalOf(result: ParseResult<unknown>): string {
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.reason;
}
