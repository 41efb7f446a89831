/**
 * The human pages (issue 4, "The endpoint page"; after Microsoft's per-instance endpoint pages):
 * `GET /` lists the instances, `GET /{instance}` (any case, `?version=` for any stored version,
 * `?lang=en|nl`) shows the endpoint tables.
 *
 * Errors are pages too: an unknown instance or version is a 404 page, a malformed version a 400
 * page (or the JSON error of docs/errors.md when the client asks for JSON). Never a 5xx for
 * anything a client sends.
 *
 * Success pages are prepared bytes from service/pages.ts (headers, CSP, ETag, 304 and
 * gzip/brotli through reply.ts); this file negotiates the language, resolves the instance and
 * version, and answers errors.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IpurlError, isIpurlError, type ErrorCode } from '../../core/errors.js';
import type { Resolved } from '../../service/catalog.js';
import { renderErrorPage } from '../../formats/docs-page/error-page.js';
import { chooseLanguage, MESSAGES, type LanguageChoice } from '../../formats/docs-page/i18n.js';
import type { LinkContext } from '../../formats/docs-page/links.js';
import {
  HTML_TYPE,
  PAGE_HEADERS,
  indexPage,
  instancePage,
  navInstances,
} from '../../service/pages.js';
import type { PreparedResponse } from '../../service/prepared.js';
import type { ServerDeps } from '../deps.js';
import { loadOverlay } from '../../service/overlay.js';
import { getValue, parseRawQuery, splitUrl, type RawQuery } from '../query.js';
import { sendPrepared } from '../reply.js';

export { PAGE_CSP } from '../../service/pages.js';

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

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function register(app: FastifyInstance, deps: ServerDeps): void {
  const { webService, config } = deps;
  const catalog = webService.catalog;
  const cacheControl = `public, max-age=${config.cacheMaxAgeSeconds}`;

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

  /** Send a page; the fast path may answer the URL next time (per Accept-Language unless ?lang=). */
  function sendPage(
    request: FastifyRequest,
    reply: FastifyReply,
    choice: LanguageChoice,
    page: PreparedResponse,
  ): FastifyReply | Promise<FastifyReply> {
    deps.urlMemo?.remember(
      request.raw.url,
      { prepared: page },
      choice.explicit ? undefined : (header(request, 'accept-language') ?? null),
    );
    return sendPrepared(request, reply, page, cacheControl);
  }

  /** A 4xx as an HTML page, or as the JSON error (docs/errors.md) when the client prefers JSON. */
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
      instances: navInstances(catalog),
    });
    return reply
      .code(status)
      .header('content-type', HTML_TYPE)
      .header('cache-control', 'no-store')
      .header('vary', 'Accept-Language')
      .headers(PAGE_HEADERS)
      .send(body);
  }

  app.get('/', async (request, reply) => {
    const choice = languageOf(request);
    const ctx: LinkContext = { lang: choice.lang, explicitLang: choice.explicit };
    return sendPage(request, reply, choice, await indexPage(catalog, ctx));
  });

  app.get<{ Params: { instance: string } }>('/:instance', async (request, reply) => {
    const choice = languageOf(request);
    const m = MESSAGES[choice.lang];
    const ctx: LinkContext = { lang: choice.lang, explicitLang: choice.explicit };
    const requested = request.params.instance;
    const canonical = catalog.resolveInstance(requested);
    if (canonical === undefined) {
      // The page is a resource: an unknown instance is a 404 here (the catalog's words).
      const technical = resolveError(() => catalog.resolve(requested));
      return sendError(
        request,
        reply,
        choice,
        404,
        'ERR_NOT_FOUND',
        technical,
        m.unknownInstance(requested),
      );
    }

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
    let resolved: Resolved;
    try {
      resolved = catalog.resolve(canonical, versionParam);
    } catch (error) {
      if (!isIpurlError(error) || versionParam === undefined) throw error;
      if (error.code === 'ERR_INVALID_VERSION') {
        return sendError(
          request,
          reply,
          choice,
          400,
          error.code,
          error.message,
          m.badVersion(versionParam.slice(0, 40)),
        );
      }
      return sendError(
        request,
        reply,
        choice,
        404,
        'ERR_VERSION_NOT_FOUND',
        error.message,
        m.unknownVersion(versionParam, canonical),
      );
    }
    // The local overlay gets its own section (read once per store revision, inside the render).
    const overlay = () => loadOverlay(deps.store, resolved.instance);
    return sendPage(request, reply, choice, await instancePage(catalog, resolved, ctx, overlay));
  });
}

/** The message of the refusal `resolve` throws. */
function resolveError(resolve: () => unknown): string {
  try {
    resolve();
    return '';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
