/**
 * HTML building with escaping by default: every value interpolated into the `markup` tag is
 * escaped unless it is already `SafeHtml` (made by `markup` itself or by `trusted` for constants).
 * Endpoint data (notes, URLs, display names, ports) therefore cannot break out of text or of a
 * quoted attribute: `& < > " '` are all replaced, which covers both contexts (HTML Living
 * Standard §13.1.2.3 / §13.2.5.36: a quoted attribute value ends only at its quote).
 *
 * The tag is called `markup`, not `html`: Prettier would reformat `html` templates as HTML.
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** A value allowed inside `markup`: text (escaped), numbers, nothing, nested fragments or lists. */
export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: literal parts are markup, interpolations are escaped (see the file comment). */
export function markup(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Markup written in this code base (CSS, script, translations with tags): never data. */
export function trusted(text: string): SafeHtml {
  return new SafeHtml(text);
}

/** Join fragments with a separator (escaped like any other value). */
export function join(items: readonly HtmlValue[], separator: HtmlValue): SafeHtml {
  return new SafeHtml(items.map(render).join(render(separator)));
}

/**
 * An href for a link taken from data: only absolute http(s) URLs pass (no `javascript:`,
 * `data:`, `vbscript:`, protocol-relative or relative ones), re-serialised by the URL parser so
 * control characters and spaces are percent-encoded. Undefined when the URL is not allowed.
 */
export function safeHttpUrl(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.hostname === '') return undefined;
  return url.href;
}
