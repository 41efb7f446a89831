/**
 * The human pages as prepared bytes (issue 4, "The endpoint page"; modelled on Microsoft's
 * per-instance endpoint pages): the index of instances and the endpoint tables of one version,
 * in one language. The data comes from the Catalog (sets of the version, its change records from
 * the instance's history); rendering is src/formats/docs-page. Each page is rendered once per
 * (version, language, explicit choice) and store revision.
 *
 * Headers: `Content-Type: text/html; charset=utf-8`; `Vary: Accept-Language` (the language
 * follows it); a Content-Security-Policy that allows only the page's own inline style and
 * script, by hash (CSP Level 3 §6.7.2.5), so injected markup could neither run nor load
 * anything; no sniffing, no referrer.
 */
import { createHash } from 'node:crypto';
import { RETIRED_INSTANCES } from '../core/instance.js';
import type { ActiveOverlay } from '../core/overlay.js';
import { PAGE_CSS, PAGE_SCRIPT } from '../formats/docs-page/assets.js';
import { renderIndexPage } from '../formats/docs-page/index-page.js';
import { renderInstancePage } from '../formats/docs-page/instance-page.js';
import type { LinkContext } from '../formats/docs-page/links.js';
import type { Catalog, Resolved } from './catalog.js';
import { prepare, type PreparedResponse } from './prepared.js';

export const HTML_TYPE = 'text/html; charset=utf-8';

function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${sha256Base64(PAGE_CSS)}'`,
  `script-src 'sha256-${sha256Base64(PAGE_SCRIPT)}'`,
  'img-src data:',
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every page, error pages included. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The instances for the navigation, with the retired flag. */
export function navInstances(catalog: Catalog): Array<{ instance: string; retired: boolean }> {
  return catalog.instances().map(({ instance }) => ({
    instance,
    retired: RETIRED_INSTANCES.has(instance),
  }));
}

function preparePage(html: string): PreparedResponse {
  return prepare(html, HTML_TYPE, { vary: 'Accept-Language', headers: PAGE_HEADERS });
}

/** `GET /`: every instance with its latest version. */
export function indexPage(
  catalog: Catalog,
  ctx: LinkContext,
): PreparedResponse | Promise<PreparedResponse> {
  return catalog.prepared(`page|index|${ctx.lang}|${ctx.explicitLang}`, () =>
    preparePage(
      renderIndexPage({
        ctx,
        instances: catalog.instances().map((s) => ({
          instance: s.instance,
          latest: s.latest,
          versionCount: s.versions.length,
          retired: RETIRED_INSTANCES.has(s.instance),
        })),
      }),
    ),
  );
}

/** `GET /{instance}[?version=]`: the endpoint tables and change records of one version. */
export function instancePage(
  catalog: Catalog,
  resolved: Resolved,
  ctx: LinkContext,
  /** The instance's local overlay, read inside the render (once per store revision). */
  overlay?: () => Promise<ActiveOverlay>,
): PreparedResponse | Promise<PreparedResponse> {
  const { instance, version, summary } = resolved;
  // Today is part of the key: an addition's "not effective yet" marker ends at its date.
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const key = `page|${instance}|${version}|${ctx.lang}|${ctx.explicitLang}|${today}`;
  return catalog.prepared(key, async () => {
    const [sets, history, local] = await Promise.all([
      catalog.sets(resolved),
      catalog.history(instance),
      overlay?.(),
    ]);
    return preparePage(
      renderInstancePage({
        ctx,
        instance,
        retired: RETIRED_INSTANCES.has(instance),
        version,
        versions: summary.versions,
        sets,
        changes: history.filter((record) => record.version === version),
        instances: navInstances(catalog),
        today,
        pending: history.filter((record) => record.version <= version),
        ...(local === undefined ? {} : { overlay: local }),
      }),
    );
  });
}
