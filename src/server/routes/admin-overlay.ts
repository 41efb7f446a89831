/**
 * The local overlay over the admin API (docs/api.md "Local overlay"), registered by admin.ts inside
 * its authenticated scope (same bearer token, `cache-control: no-store`):
 *
 *   GET    /admin/instances/{instance}/overlay          history (id, who, when, why, what) and revision
 *   POST   /admin/instances/{instance}/overlay          body = one entry, JSON:
 *          {"action":"add","ips":["10.20.0.0/16"],"category":"Optimize","tcpPorts":"443",
 *           "allow":["private"],"by":"alice","note":"internal proxy"}
 *          {"action":"exclude","setIds":[56],"urls":["*.yammer.com"],"by":"alice"}
 *          → 201 with the change (and its warnings); 422 ERR_VALIDATION with every issue
 *   DELETE /admin/instances/{instance}/overlay/{id}?by=alice&note=…   retire a change (201: the
 *          removal is itself a change); 404 unknown id, 409 already removed
 *
 * Wire routes never change: the overlay reaches device outputs only.
 */
import type { FastifyInstance } from 'fastify';
import { IpurlError, describeValue } from '../../core/errors.js';
import { parseJsonInput } from '../../core/json-depth.js';
import { changeOverlay, listOverlay } from '../../service/overlay.js';
import type { ServerDeps } from '../deps.js';
import { getValue, parseRawQuery, splitUrl } from '../query.js';

function parseEntry(text: string): unknown {
  return parseJsonInput(
    text,
    'body',
    'one overlay entry as a JSON object',
    ' such as {"action":"exclude","setIds":[56],"by":"alice"}',
  );
}

export function registerOverlayRoutes(
  scope: FastifyInstance,
  deps: ServerDeps,
  clock: () => number,
): void {
  const { store, webService } = deps;

  scope.get<{ Params: { instance: string } }>(
    '/admin/instances/:instance/overlay',
    async (request) => {
      const listing = await listOverlay(store, request.params.instance);
      return {
        instance: listing.instance,
        revision: listing.active.revision,
        history: listing.history,
      };
    },
  );

  scope.post<{ Params: { instance: string } }>(
    '/admin/instances/:instance/overlay',
    async (request, reply) => {
      const raw = parseEntry(typeof request.body === 'string' ? request.body : '');
      const result = await changeOverlay(store, request.params.instance, raw, new Date(clock()));
      // Device outputs read the overlay through the store revision; refresh now, not at the next poll.
      await webService.refresh();
      request.log.info(
        { instance: result.change.instance, overlayChange: result.change.id },
        'overlay changed',
      );
      return reply
        .code(201)
        .header('location', `/admin/instances/${result.change.instance}/overlay`)
        .send({
          status: 'recorded',
          revision: result.change.id,
          change: result.change,
          warnings: result.warnings,
        });
    },
  );

  scope.delete<{ Params: { instance: string; id: string } }>(
    '/admin/instances/:instance/overlay/:id',
    async (request, reply) => {
      const { id } = request.params;
      if (!/^\d{1,15}$/.test(id) || Number(id) < 1) {
        throw new IpurlError(
          'ERR_INVALID_PARAMETER',
          `the overlay change id must be a positive whole number; received ${JSON.stringify(describeValue(id))}`,
        );
      }
      const query = parseRawQuery(splitUrl(request.raw.url ?? '').query);
      const raw = {
        action: 'remove',
        target: Number(id),
        by: getValue(query, 'by') ?? '',
        note: getValue(query, 'note') ?? '',
      };
      const result = await changeOverlay(store, request.params.instance, raw, new Date(clock()));
      await webService.refresh();
      request.log.info(
        { instance: result.change.instance, overlayChange: result.change.id },
        'overlay change removed',
      );
      return reply.code(201).send({
        status: 'recorded',
        revision: result.change.id,
        change: result.change,
        warnings: result.warnings,
      });
    },
  );
}
