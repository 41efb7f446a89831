/**
 * The HTML error page (404 for an unknown instance or version, 400 for a malformed version):
 * says what was asked for, what exists, and links back. Served with the error status; never
 * cached (docs/errors.md: error answers carry `Cache-Control: no-store`).
 */
import { markup, type HtmlValue } from './html.js';
import { MESSAGES, type Lang } from './i18n.js';
import { renderLayout, type NavInstance } from './layout.js';
import { indexHref, instanceHref, type LinkContext } from './links.js';

export interface ErrorPageInput {
  readonly ctx: LinkContext;
  readonly status: 400 | 404;
  /** The explanation (plain text; escaped). */
  readonly message: string;
  readonly instances: readonly NavInstance[];
  /** Where the language switch goes (defaults to the index page). */
  readonly switchHref?: (lang: Lang) => string;
}

export function renderErrorPage(input: ErrorPageInput): string {
  const { ctx } = input;
  const m = MESSAGES[ctx.lang];
  const heading = input.status === 404 ? m.notFoundTitle : m.badRequestTitle;
  const known: HtmlValue =
    input.instances.length === 0
      ? ''
      : markup`<p>${m.knownInstances}</p>
<ul>${input.instances.map(({ instance }) => markup`<li><a href="${instanceHref(ctx, instance)}">${instance}</a></li>`)}</ul>`;
  const body = markup`<h1>${heading}</h1>
<p class="banner retired" role="alert">${input.message}</p>
${known}
<p><a href="${indexHref(ctx)}">${m.allInstances}</a></p>`;
  return renderLayout({
    ctx,
    title: `${input.status} – ${heading}`,
    instances: input.instances,
    switchHref: input.switchHref ?? ((lang) => indexHref(ctx, lang)),
    body,
  });
}
