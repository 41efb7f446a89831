/**
 * Links between the pages. The language travels in the URL only when the reader chose it with
 * `?lang=` (otherwise Accept-Language keeps deciding); the version only when it is not the
 * latest, so a bookmark of `/Worldwide` always shows the newest data.
 */
import type { Lang } from './i18n.js';

export interface LinkContext {
  readonly lang: Lang;
  readonly explicitLang: boolean;
}

/** The ClientRequestId Microsoft's endpoint pages put in their own links (its example GUID). */
export const PAGE_CLIENT_REQUEST_ID = 'b10c5ed1-bad1-445f-b386-b919946339a7';

function withQuery(path: string, params: ReadonlyArray<readonly [string, string]>): string {
  if (params.length === 0) return path;
  return `${path}?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

function langParam(ctx: LinkContext, lang?: Lang): Array<readonly [string, string]> {
  if (lang !== undefined) return [['lang', lang]];
  return ctx.explicitLang ? [['lang', ctx.lang]] : [];
}

export function indexHref(ctx: LinkContext, lang?: Lang): string {
  return withQuery('/', langParam(ctx, lang));
}

export function instanceHref(
  ctx: LinkContext,
  instance: string,
  version?: string,
  lang?: Lang,
): string {
  const params: Array<readonly [string, string]> =
    version === undefined ? [] : [['version', version]];
  return withQuery(`/${encodeURIComponent(instance)}`, [...params, ...langParam(ctx, lang)]);
}

/**
 * The page's "Change Log subscription" link:
 * `/version/{instance}?allversions=true&format=rss&clientrequestid=…`.
 */
export function rssHref(instance: string): string {
  return withQuery(`/version/${encodeURIComponent(instance)}`, [
    ['allversions', 'true'],
    ['format', 'rss'],
    ['clientrequestid', PAGE_CLIENT_REQUEST_ID],
  ]);
}

/** The page's JSON "Download" link: `/endpoints/{instance}?clientrequestid=…`. */
export function jsonHref(instance: string): string {
  return withQuery(`/endpoints/${encodeURIComponent(instance)}`, [
    ['clientrequestid', PAGE_CLIENT_REQUEST_ID],
  ]);
}

export function pacHref(instance: string): string {
  return `/pac/${encodeURIComponent(instance)}`;
}

export function setAnchor(id: number): string {
  return `set-${id}`;
}
