/**
 * Notes of an endpoint set are markdown text (Microsoft's generated endpoint table emits them
 * verbatim), and some carry inline links such as
 * `[Data security and Python in Excel](https://support.microsoft.com/...)`. On the HTML page the
 * links become `<a>` elements; everything else is text. Only http(s) targets are linked (see
 * `safeHttpUrl`); any other `[text](target)` stays visible as escaped text, so nothing is lost
 * and nothing runs.
 */
import { join, markup, safeHttpUrl, type HtmlValue, type SafeHtml } from './html.js';

/** `[text](target)` with an optional quoted title; text without brackets, target without spaces. */
const LINK = /\[([^[\]\n]{1,500})\]\(\s*([^\s()]{1,2000})(?:\s+"[^"\n]{0,200}")?\s*\)/g;

export function renderNotes(notes: string): SafeHtml {
  const parts: HtmlValue[] = [];
  let last = 0;
  for (const match of notes.matchAll(LINK)) {
    const [whole, text = '', target = ''] = match;
    const at = match.index;
    const href = safeHttpUrl(target);
    if (href === undefined) continue;
    parts.push(notes.slice(last, at));
    parts.push(markup`<a href="${href}" rel="noopener noreferrer nofollow">${text}</a>`);
    last = at + whole.length;
  }
  parts.push(notes.slice(last));
  return join(parts, '');
}
