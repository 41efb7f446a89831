/**
 * Turning what an upstream serves back into what a publisher stores (SPEC §11.9), and checking it
 * before anything is written: a mirror must never store data it could not serve again.
 *
 * - `restoreTenantPlaceholders`: the upstream renders `<tenant>` as `*` (no TenantName) or as the
 *   TenantName (SPEC §4.4). Fetching `/endpoints` once more with a marker TenantName that cannot
 *   occur in real data shows exactly where the placeholders are; putting `<tenant>` back there
 *   gives the publisher form, so the mirror answers every TenantName request as the upstream would
 *   (SPEC §11.7: substitute, then drop exact duplicates keeping the first; the marker answer has
 *   no such duplicates, so it is the stored order).
 * - `reconstructHistory`: the upstream serves the sets of its latest version only, and the change
 *   records of every version. Versions in between are rebuilt by undoing the records newest first
 *   (Add ⇒ the set did not exist; Remove ⇒ it existed with `previous` and the removed addresses;
 *   Change ⇒ take back `add`, put back `remove`, restore `previous`). Exact for an ipurl upstream
 *   (its records are a diff, SPEC §11.8); Microsoft's early records are not always complete, so
 *   rebuilt old versions are best effort there, while the latest version is always exact.
 */
import type { ChangeDraft, ChangeRecord } from '../core/change-record.js';
import {
  CATEGORIES,
  SERVICE_AREAS,
  TENANT_PLACEHOLDER,
  type EndpointSet,
} from '../core/endpoint-set.js';
import { describeValue, type Issue } from '../core/errors.js';
import { isVersionId, type VersionId } from '../core/version-id.js';

export interface UpstreamCheck<T> {
  readonly value: T;
  readonly issues: readonly Issue[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Shape of `/endpoints` JSON (SPEC §4.2); every problem is reported, not the first. */
export function checkUpstreamSets(body: unknown): UpstreamCheck<EndpointSet[]> {
  const issues: Issue[] = [];
  if (!Array.isArray(body)) {
    return {
      value: [],
      issues: [
        { path: '', value: describeValue(body), reason: 'expected a JSON array of endpoint sets' },
      ],
    };
  }
  const seen = new Set<number>();
  const sets: EndpointSet[] = [];
  body.forEach((item: unknown, index) => {
    const at = (field: string) => `[${index}]${field === '' ? '' : `.${field}`}`;
    if (!isObject(item)) {
      issues.push({
        path: at(''),
        value: describeValue(item),
        reason: 'expected an endpoint set object',
      });
      return;
    }
    const before = issues.length;
    const id = item.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      issues.push({
        path: at('id'),
        value: describeValue(id),
        reason: 'expected a non-negative integer id',
      });
    } else if (seen.has(id)) {
      issues.push({
        path: at('id'),
        value: String(id),
        reason: 'duplicate endpoint set id',
        setId: id,
      });
    } else seen.add(id);
    if (
      typeof item.serviceArea !== 'string' ||
      !(SERVICE_AREAS as readonly string[]).includes(item.serviceArea)
    ) {
      issues.push({
        path: at('serviceArea'),
        value: describeValue(item.serviceArea),
        reason: `expected one of ${SERVICE_AREAS.join(', ')}`,
      });
    }
    if (typeof item.serviceAreaDisplayName !== 'string') {
      issues.push({
        path: at('serviceAreaDisplayName'),
        value: describeValue(item.serviceAreaDisplayName),
        reason: 'expected a string',
      });
    }
    if (
      typeof item.category !== 'string' ||
      !(CATEGORIES as readonly string[]).includes(item.category)
    ) {
      issues.push({
        path: at('category'),
        value: describeValue(item.category),
        reason: `expected one of ${CATEGORIES.join(', ')}`,
      });
    }
    for (const flag of ['expressRoute', 'required'] as const) {
      if (typeof item[flag] !== 'boolean')
        issues.push({
          path: at(flag),
          value: describeValue(item[flag]),
          reason: 'expected true or false',
        });
    }
    for (const list of ['urls', 'ips'] as const) {
      if (item[list] !== undefined && !isStringArray(item[list])) {
        issues.push({
          path: at(list),
          value: describeValue(item[list]),
          reason: 'expected an array of strings',
        });
      }
    }
    for (const text of ['tcpPorts', 'udpPorts', 'notes'] as const) {
      if (item[text] !== undefined && typeof item[text] !== 'string') {
        issues.push({
          path: at(text),
          value: describeValue(item[text]),
          reason: 'expected a string',
        });
      }
    }
    if (isStringArray(item.ips)) {
      item.ips.forEach((ip, i) => {
        if (!looksLikeCidr(ip))
          issues.push({
            path: at(`ips[${i}]`),
            value: describeValue(ip),
            reason: 'expected an IPv4 or IPv6 prefix such as 13.107.6.152/31',
          });
      });
    }
    if (isStringArray(item.urls)) {
      item.urls.forEach((url, i) => {
        if (!/^[A-Za-z0-9*<>._-]+$/.test(url) || url.includes('..')) {
          issues.push({
            path: at(`urls[${i}]`),
            value: describeValue(url),
            reason: 'expected a host name or host pattern',
          });
        }
      });
    }
    if (issues.length === before) sets.push(item as unknown as EndpointSet);
  });
  return { value: sets, issues };
}

/** A syntactic CIDR check (the lookup index parses them for real). */
function looksLikeCidr(text: string): boolean {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const length = slash === -1 ? undefined : text.slice(slash + 1);
  if (length !== undefined && !/^\d{1,3}$/.test(length)) return false;
  if (address.includes(':'))
    return /^[0-9a-fA-F:.]+$/.test(address) && Number(length ?? 128) <= 128;
  const parts = address.split('.');
  return (
    parts.length === 4 &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255) &&
    Number(length ?? 32) <= 32
  );
}

/** Shape of `/changes` JSON (SPEC §5.2): the fields the mirror relies on; others kept as they are. */
export function checkUpstreamChanges(body: unknown): UpstreamCheck<ChangeRecord[]> {
  if (!Array.isArray(body)) {
    return {
      value: [],
      issues: [
        { path: '', value: describeValue(body), reason: 'expected a JSON array of change records' },
      ],
    };
  }
  const issues: Issue[] = [];
  const records: ChangeRecord[] = [];
  const ids = new Set<number>();
  body.forEach((item: unknown, index) => {
    const at = (field: string) => `[${index}]${field === '' ? '' : `.${field}`}`;
    if (!isObject(item)) {
      issues.push({
        path: at(''),
        value: describeValue(item),
        reason: 'expected a change record object',
      });
      return;
    }
    const before = issues.length;
    if (typeof item.id !== 'number' || !Number.isSafeInteger(item.id) || item.id < 1) {
      issues.push({
        path: at('id'),
        value: describeValue(item.id),
        reason: 'expected a positive integer id',
      });
    } else if (ids.has(item.id)) {
      issues.push({ path: at('id'), value: String(item.id), reason: 'duplicate change record id' });
    } else ids.add(item.id);
    if (typeof item.endpointSetId !== 'number' || !Number.isSafeInteger(item.endpointSetId)) {
      issues.push({
        path: at('endpointSetId'),
        value: describeValue(item.endpointSetId),
        reason: 'expected an integer',
      });
    }
    if (
      item.disposition !== 'Add' &&
      item.disposition !== 'Change' &&
      item.disposition !== 'Remove'
    ) {
      issues.push({
        path: at('disposition'),
        value: describeValue(item.disposition),
        reason: 'expected Add, Change or Remove',
      });
    }
    if (typeof item.version !== 'string' || !isVersionId(item.version)) {
      issues.push({
        path: at('version'),
        value: describeValue(item.version),
        reason: 'expected a ten-digit version',
      });
    }
    for (const part of ['previous', 'current', 'add', 'remove'] as const) {
      if (item[part] !== undefined && !isObject(item[part])) {
        issues.push({
          path: at(part),
          value: describeValue(item[part]),
          reason: 'expected an object',
        });
      }
    }
    if (issues.length === before) records.push(item as unknown as ChangeRecord);
  });
  return { value: records, issues };
}

/** Put `<tenant>` back where the marker TenantName appears, set by set (ids align both answers). */
export function restoreTenantPlaceholders(
  plain: readonly EndpointSet[],
  marked: readonly EndpointSet[],
  marker: string,
): UpstreamCheck<EndpointSet[]> {
  const issues: Issue[] = [];
  const markedById = new Map(marked.map((set) => [set.id, set]));
  if (marked.length !== plain.length) {
    issues.push({
      path: '',
      value: `${plain.length} and ${marked.length} sets`,
      reason:
        'the answers with and without TenantName list different sets (the upstream changed between the two requests?)',
    });
  }
  const lowerMarker = marker.toLowerCase();
  const out = plain.map((set) => {
    const other = markedById.get(set.id);
    if (other === undefined) {
      issues.push({
        path: `id ${set.id}`,
        value: String(set.id),
        reason: 'missing from the answer with TenantName',
        setId: set.id,
      });
      return set;
    }
    if (other.urls === undefined) return set;
    const urls = other.urls.map((url) =>
      url.toLowerCase().split(lowerMarker).join(TENANT_PLACEHOLDER),
    );
    // Rendering the restored list without TenantName must give the plain answer again.
    const rendered = [...new Set(urls.map((url) => url.split(TENANT_PLACEHOLDER).join('*')))];
    const plainUrls = (set.urls ?? []).map((url) => url.toLowerCase());
    if (rendered.join('\n') !== plainUrls.join('\n')) {
      issues.push({
        path: `id ${set.id}.urls`,
        value: describeValue(other.urls.join(',')),
        reason: 'the URLs with TenantName do not line up with the URLs without it',
        setId: set.id,
      });
      return set;
    }
    const restored = other.urls.map((url, i) =>
      url.toLowerCase().includes(lowerMarker) ? (urls[i] ?? url) : url,
    );
    return { ...set, urls: restored };
  });
  return { value: out, issues };
}

export interface RebuiltVersion {
  readonly version: VersionId;
  readonly sets: EndpointSet[];
  readonly changes: ChangeDraft[];
}

/**
 * The versions after `after` up to `latest`, oldest first, each with its sets (rebuilt for all
 * but the latest) and its records as the upstream sent them.
 */
export function reconstructHistory(input: {
  readonly latest: VersionId;
  readonly latestSets: readonly EndpointSet[];
  readonly after: VersionId | null;
  /** Versions the upstream lists (AllVersions), any order; those in range are kept. */
  readonly listed: readonly VersionId[];
  readonly records: readonly ChangeRecord[];
}): RebuiltVersion[] {
  const inRange = (v: VersionId) => (input.after === null || v > input.after) && v <= input.latest;
  const versions = [
    ...new Set([
      ...input.listed.filter(inRange),
      ...input.records.map((r) => r.version).filter(inRange),
      input.latest,
    ]),
  ].sort();
  const byVersion = new Map<VersionId, ChangeRecord[]>();
  for (const record of input.records) {
    if (!inRange(record.version)) continue;
    const list = byVersion.get(record.version) ?? [];
    list.push(record);
    byVersion.set(record.version, list);
  }
  const result: RebuiltVersion[] = [];
  let sets: EndpointSet[] = [...input.latestSets];
  for (let i = versions.length - 1; i >= 0; i -= 1) {
    const version = versions[i]!;
    const records = [...(byVersion.get(version) ?? [])].sort((a, b) => a.id - b.id);
    result.push({ version, sets, changes: records.map((record) => ({ ...record })) });
    sets = undo(sets, records);
  }
  return result.reverse();
}

function undo(sets: readonly EndpointSet[], records: readonly ChangeRecord[]): EndpointSet[] {
  const byId = new Map(sets.map((set) => [set.id, set]));
  const displayNames = new Map(
    sets.map((set) => [set.serviceArea as string, set.serviceAreaDisplayName]),
  );
  for (const record of [...records].reverse()) {
    const id = record.endpointSetId;
    const now = byId.get(id);
    if (record.disposition === 'Add') {
      byId.delete(id);
      continue;
    }
    const base: EndpointSet =
      now ??
      ({
        id,
        serviceArea: (record.previous?.serviceArea ?? 'Common') as EndpointSet['serviceArea'],
        serviceAreaDisplayName:
          displayNames.get(record.previous?.serviceArea ?? 'Common') ??
          record.previous?.serviceArea ??
          'Common',
        expressRoute: false,
        category: 'Default',
        required: false,
      } satisfies EndpointSet);
    const addedUrls = new Set(record.add?.urls ?? []);
    const addedIps = new Set(record.add?.ips ?? []);
    // Kept addresses keep their order; the ones put back go where the order says (SPEC §4.2).
    const urls = putBack(
      (base.urls ?? []).filter((url) => !addedUrls.has(url)),
      record.remove?.urls ?? [],
      (x) => x,
    );
    const ips = putBack(
      (base.ips ?? []).filter((ip) => !addedIps.has(ip)),
      record.remove?.ips ?? [],
      ipKey,
    );
    const previous = record.previous ?? {};
    const rebuilt: Record<string, unknown> = { ...base };
    if (previous.serviceArea !== undefined) rebuilt.serviceArea = previous.serviceArea;
    if (previous.category !== undefined) rebuilt.category = previous.category;
    if (previous.expressRoute !== undefined)
      rebuilt.expressRoute = String(previous.expressRoute) === 'true';
    if (previous.required !== undefined) rebuilt.required = String(previous.required) === 'true';
    for (const text of ['tcpPorts', 'udpPorts', 'notes'] as const) {
      const value = previous[text];
      if (value === undefined) continue;
      // The diff writes "" for a member one side lacks (src/core/diff.ts: absent equals "").
      if (value === '') delete rebuilt[text];
      else rebuilt[text] = value;
    }
    const ordered = { urls, ips };
    byId.set(id, {
      id,
      serviceArea: rebuilt.serviceArea as EndpointSet['serviceArea'],
      serviceAreaDisplayName: rebuilt.serviceAreaDisplayName as string,
      ...(ordered.urls.length > 0 ? { urls: ordered.urls } : {}),
      ...(ordered.ips.length > 0 ? { ips: ordered.ips } : {}),
      ...(typeof rebuilt.tcpPorts === 'string' ? { tcpPorts: rebuilt.tcpPorts } : {}),
      ...(typeof rebuilt.udpPorts === 'string' ? { udpPorts: rebuilt.udpPorts } : {}),
      expressRoute: rebuilt.expressRoute as boolean,
      category: rebuilt.category as EndpointSet['category'],
      required: rebuilt.required as boolean,
      ...(typeof rebuilt.notes === 'string' ? { notes: rebuilt.notes } : {}),
    });
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Insert `extra` (absent from `list`) before the first element ordering after it. */
function putBack(
  list: readonly string[],
  extra: readonly string[],
  key: (value: string) => string,
): string[] {
  const out = [...list];
  for (const value of extra) {
    if (out.includes(value)) continue;
    const k = key(value);
    const at = out.findIndex((item) => key(item) > k);
    if (at === -1) out.push(value);
    else out.splice(at, 0, value);
  }
  return out;
}

/** SPEC §4.2 order of ips: IPv4 then IPv6, numerically (a padded text key compares the same). */
function ipKey(cidr: string): string {
  const address = cidr.split('/')[0] ?? cidr;
  if (!address.includes(':'))
    return `4${address
      .split('.')
      .map((p) => p.padStart(3, '0'))
      .join('.')}`;
  const [head = '', tail = ''] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t]
    : h;
  return `6${groups.map((g) => g.padStart(4, '0')).join(':')}`;
}
