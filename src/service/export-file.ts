/**
 * One export file as prepared bytes (`GET /export/{instance}/{target}`): the export use case
 * (export.ts) rendered once per content identity and store revision, with the headers that
 * report what was aggregated or left out (the list formats have no comment syntax to carry it).
 *
 * Content identity: the resolved instance and version, the target, every normalised option, and
 * today's date (UTC): additions not yet effective are left out until their date, and the
 * selection header names the cut-off. An option added to ExportRequest is one more key here.
 * Labelled entries (`device`) key by what they depend on instead of by the store object:
 * the grace period with today's date and a fingerprint of the stored observations
 * (device-view.ts deviceViewKey), since observations do not move the store revision.
 */
import { contentDisposition } from '../core/content-disposition.js';
import { formatYmd } from '../core/version-id.js';
import type { Catalog } from './catalog.js';
import { deviceViewKey } from './device-view.js';
import { exportEndpoints, selectFile, type ExportRequest } from './export.js';
import { prepare, type PreparedResponse } from './prepared.js';

/** The key of what an export request contains (see above). */
function exportKey(
  catalog: Catalog,
  request: ExportRequest,
  today: string,
  device: string,
): string {
  const { instance, version } = catalog.resolve(request.instance, request.version);
  const { now: _now, instance: _i, version: _v, device: _d, ...options } = request;
  const normalised = Object.fromEntries(
    Object.entries({ ...options, target: request.target.toLowerCase() }).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    ),
  );
  return `export|${instance}|${version}|${today}|${JSON.stringify(normalised)}|${device}`;
}

/** The one file an HTTP export answers (a multi-file target needs `file`: 400 names them). */
export function exportFile(
  catalog: Catalog,
  request: ExportRequest,
): PreparedResponse | Promise<PreparedResponse> {
  const today = formatYmd(request.now ?? new Date());
  if (request.device !== undefined) {
    const { instance } = catalog.resolve(request.instance, request.version);
    const now = request.now ?? new Date();
    return deviceViewKey(instance, { ...request.device, now }).then((device) =>
      prepareExport(catalog, request, exportKey(catalog, request, today, device)),
    );
  }
  return prepareExport(catalog, request, exportKey(catalog, request, today, ''));
}

function prepareExport(
  catalog: Catalog,
  request: ExportRequest,
  key: string,
): PreparedResponse | Promise<PreparedResponse> {
  return catalog.prepared(key, async () => {
    const outcome = await exportEndpoints(catalog, { ...request, singleFile: true });
    const chosen = selectFile(outcome.files, undefined, outcome.target.name);
    const s = outcome.summary;
    const capacity =
      s.capacity === undefined
        ? {}
        : {
            'x-ipurl-capacity-widened-buckets': String(s.capacity.buckets.length),
            'x-ipurl-capacity-added-addresses': s.capacity.buckets
              .reduce((n, b) => n + BigInt(b.addedSpace), 0n)
              .toString(),
          };
    return prepare(chosen.content, chosen.mediaType, {
      headers: {
        ...capacity,
        'content-disposition': contentDisposition(chosen.name),
        'x-ipurl-instance': outcome.instance,
        'x-ipurl-version': outcome.version,
        'x-ipurl-merged': String(s.merges.length),
        'x-ipurl-left-out': String(s.unsupported.length),
        'x-ipurl-pending-excluded': String(outcome.pendingExcluded.length),
        'x-ipurl-observed': String(s.labelled.observed),
        'x-ipurl-grace': String(s.labelled.grace),
      },
    });
  });
}
