/**
 * The frame every page shares: `<html lang>`, head (inline CSS, no external assets, an empty
 * icon so browsers do not ask for /favicon.ico), the instance navigation with the retired
 * marker, the language switch, and the footer.
 */
import { PAGE_CSS, PAGE_SCRIPT } from './assets.js';
import { markup, trusted, type HtmlValue, type SafeHtml } from './html.js';
import { LANGS, MESSAGES, type Lang } from './i18n.js';
import { indexHref, instanceHref, type LinkContext } from './links.js';

export interface NavInstance {
  readonly instance: string;
  readonly retired: boolean;
}

export interface LayoutInput {
  readonly ctx: LinkContext;
  readonly title: string;
  readonly instances: readonly NavInstance[];
  /** Canonical name of the instance shown, if any (marked current in the navigation). */
  readonly current?: string;
  /** Where the language switch points, given the target language. */
  readonly switchHref: (lang: Lang) => string;
  readonly head?: HtmlValue;
  readonly body: HtmlValue;
}

export function renderLayout(input: LayoutInput): string {
  const { ctx } = input;
  const m = MESSAGES[ctx.lang];
  const other = LANGS.find((lang) => lang !== ctx.lang) ?? 'en';
  const nav = input.instances.map(
    ({ instance, retired }) =>
      markup`<li><a href="${instanceHref(ctx, instance)}"${instance === input.current ? trusted(' aria-current="page"') : ''}>${instance}</a>${retired ? markup`<span class="tag">${m.retired}</span>` : ''}</li>`,
  );
  const page: SafeHtml = markup`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title}</title>
<link rel="icon" href="data:,">
${input.head}
<style>${trusted(PAGE_CSS)}</style>
</head>
<body>
<a class="skip" href="#content">${m.skipToContent}</a>
<header class="top">
<nav class="instances" aria-label="${m.instancesNav}"><ul><li><a href="${indexHref(ctx)}">${m.allInstances}</a></li>${nav}</ul></nav>
<a class="lang-switch" href="${input.switchHref(other)}" hreflang="${other}" lang="${other}">${m.switchLanguage}</a>
</header>
<main id="content">
${input.body}
</main>
<footer><p>${m.footer}</p></footer>
<script>${trusted(PAGE_SCRIPT)}</script>
</body>
</html>
`;
  return page.value;
}
