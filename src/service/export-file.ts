/**
 * One export file as prepared bytes (`GET /export/{instance}/{target}`): the export use case
 * (export.ts) rendered once per content identity and store revision, with the headers that
 * report what was aggregated or left out (the list formats have no comment syntax to carry it).
 *
 * Content identity: the resolved instance and version, the target, every normalised option, and
 * today's date (UTC): additions not yet effective are left out until their date, and the
 * selection header names the cut-off. An option added to ExportRequest is one more key here.
 */
import { contentDisposition } from '../core/content-disposition.js';
import { formatYmd } from '../core/version-id.js';
import type { Catalog } from './catalog.js';
import { exportEndpoints, selectFile, type ExportRequest } from './export.js';
import { prepare, type PreparedResponse } from './prepared.js';

/** The key of what an export request contains (see above). */
function exportKey(catalog: Catalog, request: ExportRequest, today: string): string {
  const { instance, version } = catalog.resolve(request.instance, request.version);
  const { now: _now, instance: _i, version: _v, ...options } = request;
  const normalised = Object.fromEntries(
    Object.entries({ ...options, target: request.target.toLowerCase() }).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    ),
  );
  return `export|${instance}|${version}|${today}|${JSON.stringify(normalised)}`;
}

/** The one file an HTTP export answers (a multi-file target needs `file`: 400 names them). */
export function exportFile(
  catalog: Catalog,
  request: ExportRequest,
): PreparedResponse | Promise<PreparedResponse> {
  const today = formatYmd(request.now ?? new Date());
  return catalog.prepared(exportKey(catalog, request, today), async () => {
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
      },
    });
  });
}
