/**
 * For tests that need a real error object of a library or of Node (its class, code and message),
 * not one built by hand. Test-only: tsconfig.build.json leaves `*.fixture.ts` out.
 */

/** What `action` throws, or undefined when it returns. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
