/**
 * The human pages (issue 4, "The endpoint page"; SPEC §7.1): `GET /` lists the instances,
 * `GET /{instance}` (any case, `?version=` for any stored version, `?lang=en|nl`) shows the
 * endpoint tables. Rendering is done by src/formats/docs-page; this file only gathers the data,
 * negotiates the language and sends the page with its caching and security headers.
 *
 * Errors are pages too: an unknown instance or version is a 404 page, a malformed version a 400
 * page (or the JSON error of SPEC §11.1 when the client asks for JSON). Never a 5xx for anything
 * a client sends.
 *
 * Headers: `Content-Type: text/html; charset=utf-8`; `Cache-Control` like the API (SPEC §11.3)
 * with a strong ETag and 304; `Vary: Accept-Language` (the language follows it); a
 * Content-Security-Policy that allows only the page's own inline style and script, by hash
 * (CSP Level 3 §6.7.2.5), so injected markup could neither run nor load anything.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IpurlError, describeValue, type ErrorCode } from '../../core/errors.js';
import type { InstanceSummary } from '../../core/store.js';
import { RETIRED_INSTANCES } from '../../core/instance.js';
import { PAGE_CSS, PAGE_SCRIPT } from '../../formats/docs-page/assets.js';
import { renderErrorPage } from '../../formats/docs-page/error-page.js';
import { chooseLanguage, MESSAGES, type LanguageChoice } from '../../formats/docs-page/i18n.js';
import { renderIndexPage } from '../../formats/docs-page/index-page.js';
import { renderInstancePage } from '../../formats/docs-page/instance-page.js';
import type { LinkContext } from '../../formats/docs-page/links.js';
import type { ServerDeps } from '../deps.js';
import { getValue, parseRawQuery, splitUrl, type RawQuery } from '../query.js';

const HTML_TYPE = 'text/html; charset=utf-8';

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

/** Rendered pages kept per store revision (the page of a version never changes within one). */
const PAGE_CACHE_ENTRIES = 128;

interface Rendered {
  readonly body: string;
  readonly etag: string;
}

/** The client asked for JSON rather than HTML (an API client hitting an unknown path). */
export function prefersJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let html = -1;
  let json = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([\d.]+)\s*$/.exec(param);
      if (m?.[1] !== undefined) q = Number(m[1]);
    }
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    if (type === 'application/json' || type.endsWith('+json')) json = Math.max(json, q);
  }
  return json > 0 && json > html;
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function register(app: FastifyInstance, deps: ServerDeps): void {
  const { webService, store, config } = deps;
  const cacheControl = `public, max-age=${config.cacheMaxAgeSeconds}`;
  const cache = new Map<string, Rendered>();

  function remember(key: string, render: () => string): Rendered {
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const body = render();
    const rendered = {
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`,
    };
    cache.set(key, rendered);
    if (cache.size > PAGE_CACHE_ENTRIES) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return rendered;
  }

  function navInstances(summaries: readonly InstanceSummary[]) {
    return summaries.map(({ instance }) => ({
      instance,
      retired: RETIRED_INSTANCES.has(instance),
    }));
  }

  function queryOf(request: FastifyRequest): RawQuery {
    return parseRawQuery(splitUrl(request.raw.url ?? '').query);
  }

  /** Language from `?lang=` (a malformed query falls back to the headers, errors come later). */
  function languageOf(request: FastifyRequest): LanguageChoice {
    let lang: string | undefined;
    try {
      lang = getValue(queryOf(request), 'lang');
    } catch {
      lang = undefined;
    }
    return chooseLanguage(lang, header(request, 'accept-language'));
  }

  function sendPage(request: FastifyRequest, reply: FastifyReply, page: Rendered): FastifyReply {
    void reply
      .header('content-type', HTML_TYPE)
      .header('cache-control', cacheControl)
      .header('vary', 'Accept-Language')
      .header('etag', page.etag)
      .header('content-security-policy', PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer');
    if (etagMatches(header(request, 'if-none-match'), page.etag)) return reply.code(304).send();
    return reply.send(page.body);
  }

  /** A 4xx as an HTML page, or as the JSON error (SPEC §11.1) when the client prefers JSON. */
  function sendError(
    request: FastifyRequest,
    reply: FastifyReply,
    choice: LanguageChoice,
    status: 400 | 404,
    code: ErrorCode,
    technical: string,
    message: string,
  ): FastifyReply {
    if (prefersJson(header(request, 'accept'))) throw new IpurlError(code, technical);
    const ctx: LinkContext = { lang: choice.lang, explicitLang: choice.explicit };
    const body = renderErrorPage({
      ctx,
      status,
      message,
      instances: navInstances(webService.instances()),
    });
    return reply
      .code(status)
      .header('content-type', HTML_TYPE)
      .header('cache-control', 'no-store')
      .header('vary', 'Accept-Language')
      .header('content-security-policy', PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      .send(body);
  }

  app.get('/', async (request, reply) => {
    const choice = languageOf(request);
    const ctx: LinkContext = { lang: choice.lang, explicitLang: choice.explicit };
    const summaries = webService.instances();
    const revision = webService.stats().revision ?? '';
    const page = remember(`index|${revision}|${ctx.lang}|${ctx.explicitLang}`, () =>
      renderIndexPage({
        ctx,
        instances: summaries.map((s) => ({
          instance: s.instance,
          latest: s.latest,
          versionCount: s.versions.length,
          retired: RETIRED_INSTANCES.has(s.instance),
        })),
      }),
    );
    return sendPage(request, reply, page);
  });

  app.get<{ Params: { instance: string } }>('/:instance', async (request, reply) => {
    const choice = languageOf(request);
    const m = MESSAGES[choice.lang];
    const ctx: LinkContext = { lang: choice.lang, explicitLang: choice.explicit };
    const requested = request.params.instance;
    const canonical = webService.resolveInstance(requested);
    if (canonical === undefined) {
      const known = webService.instances().map((s) => s.instance);
      return sendError(
        request,
        reply,
        choice,
        404,
        'ERR_NOT_FOUND',
        `no page for instance ${describeValue(requested)}; instances: ${known.join(', ') || '(none yet)'}`,
        m.unknownInstance(requested),
      );
    }
    const summary = webService.instance(canonical);

    let versionParam: string | undefined;
    try {
      versionParam = getValue(queryOf(request), 'version');
    } catch (error) {
      const technical = error instanceof Error ? error.message : String(error);
      return sendError(
        request,
        reply,
        choice,
        400,
        'ERR_INVALID_PARAMETER',
        technical,
        m.badRequest,
      );
    }
    if (versionParam !== undefined && !/^\d{10}$/.test(versionParam)) {
      return sendError(
        request,
        reply,
        choice,
        400,
        'ERR_INVALID_VERSION',
        `version must be ten digits YYYYMMDDNN; received ${describeValue(versionParam)}`,
        m.badVersion(versionParam.slice(0, 40)),
      );
    }
    const version = versionParam ?? summary.latest;
    if (!summary.versions.includes(version)) {
      return sendError(
        request,
        reply,
        choice,
        404,
        'ERR_VERSION_NOT_FOUND',
        `version ${version} of ${canonical} is not stored; latest is ${summary.latest}`,
        m.unknownVersion(version, canonical),
      );
    }

    const revision = webService.stats().revision ?? '';
    const key = `instance|${revision}|${canonical}|${version}|${ctx.lang}|${ctx.explicitLang}`;
    let page = cache.get(key);
    if (page === undefined) {
      const [sets, changes] = await Promise.all([
        store.getEndpointSets(canonical, version),
        store.getChanges(canonical, { version }),
      ]);
      if (sets === undefined) {
        // The catalog listed it but the store no longer has it: treat as not stored.
        return sendError(
          request,
          reply,
          choice,
          404,
          'ERR_VERSION_NOT_FOUND',
          `version ${version} of ${canonical} is not stored`,
          m.unknownVersion(version, canonical),
        );
      }
      page = remember(key, () =>
        renderInstancePage({
          ctx,
          instance: canonical,
          retired: RETIRED_INSTANCES.has(canonical),
          version,
          versions: summary.versions,
          sets,
          changes,
          instances: navInstances(webService.instances()),
        }),
      );
    }
    return sendPage(request, reply, page);
  });
}
