/**
 * What sync knows of the web-service wire protocol (endpoints.office.com or another ipurl),
 * kept beside the upstream client: which paths a sync asks for, with which parameters, and the
 * checks of an answer's shape before anything reads it.
 * - `/version` lists every instance's latest version; `/version/{instance}?AllVersions`
 *   its version list, and is not rate limited.
 * - `/endpoints/{instance}` with every service area, MEM included (`ServiceAreas=Exchange,
 *   SharePoint,Skype,MEM,Common`): the live service leaves MEM out of an answer that does not
 *   name it; a second time with a marker TenantName, to find the tenant placeholders.
 * - `/changes/{instance}/{version}` every record after a version (`0000000000`: all of them).
 * - Sync sends no If-None-Match, so a 304 is an upstream fault, never "not modified".
 */
import { SERVICE_AREAS } from '../core/endpoint-set.js';
import { describeValue, type Issue } from '../core/errors.js';
import { VERSION_ZERO, isVersionId, type VersionId } from '../core/version-id.js';
import type { IpurlError } from '../core/errors.js';
import { upstreamError, type JsonResponse, type UpstreamClient } from './upstream-client.js';

/** An upstream answer failed validation: an upstream fault naming the first problems. */
export function invalidData(url: string, what: string, issues: readonly Issue[]): IpurlError {
  const shown = issues
    .slice(0, 5)
    .map((issue) => `${issue.path} ${issue.reason} (received ${JSON.stringify(issue.value)})`)
    .join('; ');
  return upstreamError(
    `${url} sent ${what} that fail validation (${issues.length} problem${issues.length === 1 ? '' : 's'}): ${shown}${issues.length > 5 ? '; …' : ''}`,
    { kind: 'invalid-data', url },
  );
}

/** One instance as `/version` lists it. */
export interface VersionInfo {
  readonly instance: string;
  readonly latest: VersionId;
  readonly versions?: readonly VersionId[];
}

function checkVersionBody(body: unknown, url: string): VersionInfo[] {
  const items = Array.isArray(body) ? body : [body];
  const issues: Issue[] = [];
  const out: VersionInfo[] = [];
  items.forEach((item: unknown, index) => {
    const record = item as { instance?: unknown; latest?: unknown; versions?: unknown } | null;
    if (
      typeof record !== 'object' ||
      record === null ||
      typeof record.instance !== 'string' ||
      typeof record.latest !== 'string' ||
      !isVersionId(record.latest)
    ) {
      issues.push({
        path: `[${index}]`,
        value: describeValue(item),
        reason: 'expected {"instance": name, "latest": ten digits}',
      });
      return;
    }
    const versions = Array.isArray(record.versions)
      ? record.versions.filter((v): v is string => typeof v === 'string' && isVersionId(v))
      : undefined;
    out.push({
      instance: record.instance,
      latest: record.latest,
      ...(versions === undefined ? {} : { versions }),
    });
  });
  if (issues.length > 0 || out.length === 0) {
    throw invalidData(
      url,
      'version information',
      issues.length > 0
        ? issues
        : [{ path: '', value: describeValue(body), reason: 'no instance listed' }],
    );
  }
  return out;
}

/** The JSON body of a GET, refusing a 304 (sync never sends If-None-Match). */
async function getBody(
  client: UpstreamClient,
  path: string,
  query?: Readonly<Record<string, string>>,
): Promise<JsonResponse> {
  const response = await client.getJson(path, query === undefined ? {} : { query });
  if (response.notModified) {
    throw upstreamError(`${client.baseUrl} answered 304 to a request without If-None-Match`, {
      kind: 'http-status',
      url: response.url,
      status: 304,
    });
  }
  return response;
}

/** `/version`: every instance the upstream serves with its latest version, checked. */
export async function fetchVersionList(client: UpstreamClient): Promise<VersionInfo[]> {
  const response = await getBody(client, 'version');
  return checkVersionBody(response.body, response.url);
}

/** The four answers a sync of one instance needs, fetched in this order. */
export interface InstanceAnswers {
  /** `/endpoints` with every service area. */
  readonly plain: JsonResponse;
  /** The same with the marker TenantName. */
  readonly marked: JsonResponse;
  /** `/changes` after the local version (all of them for a new instance). */
  readonly changes: JsonResponse;
  /** The version list, proof the upstream did not move meanwhile. */
  readonly listed: VersionInfo | undefined;
  readonly listUrl: string;
}

/**
 * Fetch one instance's answers. `checkPlain` runs on the first answer before the others are
 * asked for, so a hostile answer costs no further request; its result comes back as `checkedPlain`.
 */
export async function fetchInstanceAnswers<T>(
  client: UpstreamClient,
  instance: string,
  after: VersionId | null,
  marker: string,
  checkPlain: (plain: JsonResponse) => T,
): Promise<InstanceAnswers & { readonly checkedPlain: T }> {
  const segment = encodeURIComponent(instance);
  const areas = { ServiceAreas: SERVICE_AREAS.join(',') };
  const plain = await getBody(client, `endpoints/${segment}`, areas);
  const checkedPlain = checkPlain(plain);
  const marked = await getBody(client, `endpoints/${segment}`, { ...areas, TenantName: marker });
  const changes = await getBody(client, `changes/${segment}/${after ?? VERSION_ZERO}`);
  const list = await getBody(client, `version/${segment}`, { AllVersions: 'true' });
  const [listed] = checkVersionBody(list.body, list.url);
  return { plain, marked, changes, listed, listUrl: list.url, checkedPlain };
}
