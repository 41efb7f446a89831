/** `GET /`: every instance with its latest version, date, history length and retired marker. */
import type { VersionId } from '../../core/version-id.js';
import { markup } from './html.js';
import { formatDate, isoDate, MESSAGES } from './i18n.js';
import { renderLayout } from './layout.js';
import { indexHref, instanceHref, type LinkContext } from './links.js';
import { instanceTitle } from './titles.js';

export interface IndexInstance {
  readonly instance: string;
  readonly latest: VersionId;
  readonly versionCount: number;
  readonly retired: boolean;
}

export interface IndexPageInput {
  readonly ctx: LinkContext;
  readonly instances: readonly IndexInstance[];
}

export function renderIndexPage(input: IndexPageInput): string {
  const { ctx } = input;
  const m = MESSAGES[ctx.lang];
  const c = m.indexColumns;
  const rows = input.instances.map(
    (item) => markup`<tr data-instance="${item.instance}">
<td data-label="${c.instance}"><a href="${instanceHref(ctx, item.instance)}">${item.instance}</a></td>
<td data-label="${c.page}">${instanceTitle(item.instance, ctx.lang)}</td>
<td class="version" data-label="${c.latest}">${item.latest}</td>
<td data-label="${c.date}"><time datetime="${isoDate(item.latest.slice(0, 8))}">${formatDate(item.latest.slice(0, 8), ctx.lang)}</time></td>
<td data-label="${c.versions}">${item.versionCount}</td>
<td data-label="${c.status}">${item.retired ? markup`<span class="tag">${m.retired}</span>` : m.active}</td>
</tr>`,
  );
  const table = markup`<table class="instances">
<thead><tr><th scope="col">${c.instance}</th><th scope="col">${c.page}</th><th scope="col">${c.latest}</th><th scope="col">${c.date}</th><th scope="col">${c.versions}</th><th scope="col">${c.status}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  const body = markup`<h1>${m.indexHeading}</h1>
<p class="lead">${m.indexIntro}</p>
${input.instances.length === 0 ? markup`<p>${m.noInstances}</p>` : table}`;
  return renderLayout({
    ctx,
    title: m.indexHeading,
    instances: input.instances,
    switchHref: (lang) => indexHref(ctx, lang),
    body,
  });
}
