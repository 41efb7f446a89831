/**
 * The publisher admin API (issue 3), present only when the server is given an admin token
 * (`IPURL_ADMIN_TOKEN`): without one these routes do not exist and answer 404 like any unknown path.
 *
 *   POST   /admin/instances/{instance}/versions   body = publisher JSON document
 *          ?dryRun[=true]  → 200 with the plan, nothing stored
 *          ?noticeDays=N | ?effectiveDate=YYYYMMDD
 *          ?allow=RULE[,RULE…] relaxes sanity-policy rules (recorded with the version);
 *          ?ipv4MinPrefix=N, ?ipv6MinPrefix=N, ?maxPrefixes=N, ?maxUrls=N set its limits
 *          → 422 ERR_VALIDATION with every issue (path, value, reason, rule) when refused
 *          → 201 with the stored version and its change records; 200 `unchanged` for identical data
 *   GET    /admin/instances/{instance}/versions   every version, newest first
 *   GET    /admin/deliveries                       the webhook outbox (?status=pending|delivered|failed)
 *   GET    /admin/held                             versions the change guard held (?status=, default held)
 *   POST   /admin/instances/{instance}/versions/{version}/accept   release a held version (201)
 *   POST   /admin/instances/{instance}/versions/{version}/reject   drop a held version (200)
 *   GET|POST /admin/instances/{instance}/overlay, DELETE …/overlay/{id}   the local overlay
 *                                                  (admin-overlay.ts)
 *   PUT/PATCH/DELETE on a version                  405: published versions are immutable
 *
 * Auth: `Authorization: Bearer <token>`; none → 401 (with WWW-Authenticate), a wrong one → 403.
 * Tokens are compared as SHA-256 digests with timingSafeEqual, so neither the comparison time nor
 * a length difference tells an attacker anything. The check runs in `onRequest`, before a large
 * body is read.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IpurlError, describeValue } from '../../core/errors.js';
import { makePolicy, type SanityLimits } from '../../core/sanity-policy.js';
import { planJson } from '../../formats/plan-json.js';
import type { DeliveryStatus } from '../../core/store.js';
import {
  publish,
  planPublish,
  type PublishOptions,
  type PublishPlan,
} from '../../service/publish.js';
import { acceptHeld, heldSummary, rejectHeld } from '../../service/held.js';
import type { HeldStatus } from '../../core/store.js';
import type { ServerDeps } from '../deps.js';
import { registerOverlayRoutes } from './admin-overlay.js';
import { getBoolean, getValue, parseRawQuery, splitUrl, type RawQuery } from '../query.js';

/** Generous: a 20,000-set document with 500,000 prefixes is about 15 MB of JSON. */
export const ADMIN_BODY_LIMIT = 64 * 1024 * 1024;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

function planSummary(plan: PublishPlan): Record<string, unknown> {
  return planJson(plan, 'summary');
}

function publishOptions(query: RawQuery, now: Date): PublishOptions {
  const noticeDays = getValue(query, 'noticeDays');
  const effectiveDate = getValue(query, 'effectiveDate');
  if (noticeDays !== undefined && !/^\d{1,3}$/.test(noticeDays)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `noticeDays must be a whole number of days from 0 to 366; received ${JSON.stringify(describeValue(noticeDays))}`,
    );
  }
  const limits: Partial<Record<keyof SanityLimits, number>> = {};
  const limitParams = [
    ['ipv4MinPrefix', 'minPrefixV4'],
    ['ipv6MinPrefix', 'minPrefixV6'],
    ['maxPrefixes', 'maxPrefixes'],
    ['maxUrls', 'maxUrls'],
  ] as const;
  for (const [param, key] of limitParams) {
    const value = getValue(query, param);
    if (value === undefined) continue;
    if (!/^\d{1,8}$/.test(value)) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `${param} must be a whole number; received ${JSON.stringify(describeValue(value))}`,
      );
    }
    limits[key] = Number(value);
  }
  const allow = getValue(query, 'allow');
  return {
    now,
    ...(noticeDays === undefined ? {} : { noticeDays: Number(noticeDays) }),
    ...(effectiveDate === undefined ? {} : { effectiveDate }),
    policy: makePolicy(allow === undefined ? [] : [allow], limits),
  };
}

const IMMUTABLE_MESSAGE =
  'published versions are immutable: nothing can change or delete one; publish a new version instead (POST /admin/instances/{instance}/versions)';

export async function register(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const token = deps.config.adminToken;
  if (token === undefined || token === '') return;
  const expected = digest(token);
  const { store, webService } = deps;
  const clock = deps.now ?? Date.now;

  /**
   * A version was appended (published, or a held one accepted): serve it at once (/version, RSS,
   * /changes), not at the next poll, log it, and answer 201 with where its change records are.
   */
  async function appended(
    request: FastifyRequest,
    reply: FastifyReply,
    version: { readonly instance: string; readonly version: string },
    log: { readonly fields: Record<string, unknown>; readonly message: string },
    body: Record<string, unknown>,
  ): Promise<FastifyReply> {
    await webService.refresh();
    request.log.info(
      { instance: version.instance, version: version.version, ...log.fields },
      log.message,
    );
    return reply
      .code(201)
      .header('location', `/changes/${version.instance}/${version.version}?singleVersion`)
      .send(body);
  }

  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply: FastifyReply) => {
      const given = bearerToken(request);
      if (given === undefined) {
        void reply.header('www-authenticate', 'Bearer realm="ipurl-admin"');
        throw new IpurlError(
          'ERR_UNAUTHORIZED',
          "the admin API needs an Authorization: Bearer <token> header (the server's IPURL_ADMIN_TOKEN)",
        );
      }
      if (!timingSafeEqual(digest(given), expected)) {
        throw new IpurlError(
          'ERR_FORBIDDEN',
          'the bearer token is not the admin token of this server',
        );
      }
    });

    // Admin answers describe one moment of the store: never cache them.
    scope.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('cache-control', 'no-store');
      return payload;
    });

    // The document is read as text and parsed by the publish service, so a body that is not JSON
    // gets the same clear error as on the command line; any content type is accepted.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: ADMIN_BODY_LIMIT },
      (_request, body, done) => {
        done(null, body);
      },
    );

    scope.post<{ Params: { instance: string } }>(
      '/admin/instances/:instance/versions',
      { bodyLimit: ADMIN_BODY_LIMIT },
      async (request, reply) => {
        const query = parseRawQuery(splitUrl(request.raw.url ?? '').query);
        const dryRun = getBoolean(query, 'dryRun');
        const options = publishOptions(query, new Date(clock()));
        const text = typeof request.body === 'string' ? request.body : '';
        if (dryRun) {
          const plan = await planPublish(store, request.params.instance, text, options);
          return reply.code(200).send({
            status: plan.unchanged ? 'unchanged' : 'planned',
            dryRun: true,
            ...planSummary(plan),
            changes: plan.changes,
          });
        }
        const result = await publish(store, request.params.instance, text, options);
        if (result.status === 'unchanged') {
          return reply
            .code(200)
            .send({ status: 'unchanged', ...planSummary(result.plan), changes: [] });
        }
        return appended(
          request,
          reply,
          result.version,
          { fields: { records: result.changes.length }, message: 'version published' },
          {
            status: 'published',
            ...planSummary(result.plan),
            publishedAt: result.version.publishedAt,
            changes: result.changes,
            deliveries: result.deliveries,
          },
        );
      },
    );

    scope.get<{ Params: { instance: string } }>(
      '/admin/instances/:instance/versions',
      async (request) => {
        await webService.catalog.refresh();
        const { instance } = webService.catalog.resolve(request.params.instance);
        return { instance, versions: await store.listVersions(instance) };
      },
    );

    scope.get('/admin/deliveries', async (request) => {
      const query = parseRawQuery(splitUrl(request.raw.url ?? '').query);
      const status = getValue(query, 'status');
      if (status !== undefined && !['pending', 'delivered', 'failed'].includes(status)) {
        throw new IpurlError(
          'ERR_INVALID_PARAMETER',
          `status must be pending, delivered or failed; received ${JSON.stringify(describeValue(status))}`,
        );
      }
      return {
        deliveries: await store.listDeliveries(
          status === undefined
            ? { limit: 1000 }
            : { status: status as DeliveryStatus, limit: 1000 },
        ),
      };
    });

    scope.get<{ Params: { instance: string; version: string } }>(
      '/admin/instances/:instance/versions/:version',
      async (request) => {
        await webService.catalog.refresh();
        const { instance, version } = webService.catalog.resolve(
          request.params.instance,
          request.params.version,
        );
        const record = (await store.listVersions(instance)).find((v) => v.version === version)!;
        return {
          ...record,
          changes: await store.getChanges(instance, { version: record.version }),
        };
      },
    );

    scope.get('/admin/held', async (request) => {
      const query = parseRawQuery(splitUrl(request.raw.url ?? '').query);
      const status = getValue(query, 'status') ?? 'held';
      const held = await store.listHeldVersions({ status: status as HeldStatus });
      return {
        held: held.map((h) => ({ ...heldSummary(h), status: h.status, decidedAt: h.decidedAt })),
      };
    });

    scope.post<{ Params: { instance: string; version: string } }>(
      '/admin/instances/:instance/versions/:version/accept',
      async (request, reply) => {
        const result = await acceptHeld(
          store,
          request.params.instance,
          request.params.version,
          new Date(clock()),
        );
        return appended(
          request,
          reply,
          result.held,
          {
            fields: { appended: result.appended.map((a) => a.version.version) },
            message: 'held version accepted',
          },
          {
            status: 'accepted',
            held: result.held,
            appended: result.appended.map((a) => ({
              ...a.version,
              changes: a.changes.length,
              deliveries: a.deliveries,
            })),
          },
        );
      },
    );

    scope.post<{ Params: { instance: string; version: string } }>(
      '/admin/instances/:instance/versions/:version/reject',
      async (request) => {
        const held = await rejectHeld(
          store,
          request.params.instance,
          request.params.version,
          new Date(clock()),
        );
        request.log.info(
          { instance: held.instance, version: held.version },
          'held version rejected',
        );
        return { status: 'rejected', held };
      },
    );

    registerOverlayRoutes(scope, deps, clock);

    const immutable =
      (allow: string) =>
      async (_request: FastifyRequest, reply: FastifyReply): Promise<never> => {
        void reply.header('allow', allow);
        throw new IpurlError('ERR_METHOD_NOT_ALLOWED', IMMUTABLE_MESSAGE);
      };
    scope.route({
      method: ['PUT', 'PATCH', 'DELETE'],
      url: '/admin/instances/:instance/versions',
      handler: immutable('GET, HEAD, POST'),
    });
    scope.route({
      method: ['PUT', 'PATCH', 'DELETE', 'POST'],
      url: '/admin/instances/:instance/versions/:version',
      handler: immutable('GET, HEAD'),
    });
  });
}
