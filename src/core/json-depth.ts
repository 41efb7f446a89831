/**
 * Bounded JSON parsing. `JSON.parse` accepts any nesting depth (two million nested brackets parse
 * in seconds), but every recursive step after it — validation, `JSON.stringify`, error messages —
 * then overflows the stack. Documents of this service nest at most five levels (a change record's
 * `add.ips` list inside the record inside the array), so anything deeper than MAX_JSON_DEPTH is
 * refused by one linear scan of the text before it is parsed.
 */
import { IpurlError } from './errors.js';

/** Deepest nesting of arrays and objects accepted in any JSON document ipurl reads. */
export const MAX_JSON_DEPTH = 64;

/**
 * The character offset where the nesting of `text` first exceeds `maxDepth`, or -1 when it never
 * does. Brackets inside strings do not count. O(n), no recursion.
 */
export function jsonDepthExceededAt(text: string, maxDepth = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i += 1; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth += 1;
      if (depth > maxDepth) return i;
    } else if (c === 93 || c === 125) depth -= 1;
  }
  return -1;
}

/**
 * `JSON.parse` with a depth limit. Throws ERR_INVALID_DOCUMENT (HTTP 400, exit 2) naming what
 * was received and what is accepted; `what` names the document ("the document", "the answer").
 */
export function parseJsonBounded(
  text: string,
  what = 'the document',
  maxDepth = MAX_JSON_DEPTH,
): unknown {
  const at = jsonDepthExceededAt(text, maxDepth);
  if (at !== -1) {
    throw new IpurlError(
      'ERR_INVALID_DOCUMENT',
      `${what} nests arrays or objects more than ${maxDepth} levels deep (at character ${at} of ${text.length}); this service's documents nest at most 5 levels`,
    );
  }
  return JSON.parse(text) as unknown;
}

/**
 * Parse a JSON input a person sent (a publisher document, an admin request body): empty or not
 * JSON at all is ERR_INVALID_DOCUMENT naming `subject` and what is `expected`, before any
 * validation; too deep is the depth refusal of parseJsonBounded.
 */
export function parseJsonInput(
  text: string,
  subject: string,
  expected: string,
  example = '',
): unknown {
  if (text.trim() === '') {
    throw new IpurlError(
      'ERR_INVALID_DOCUMENT',
      `the ${subject} is empty; expected ${expected}${example}`,
    );
  }
  try {
    return parseJsonBounded(text);
  } catch (error) {
    if (error instanceof IpurlError) throw error;
    throw new IpurlError(
      'ERR_INVALID_DOCUMENT',
      `the ${subject} is not valid JSON (${(error as Error).message}); expected ${expected}`,
      { cause: error },
    );
  }
}
