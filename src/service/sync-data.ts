/**
 * Turning what an upstream serves back into what a publisher stores (the publisher form with
 * `<tenant>` placeholders, docs/publishing.md "The document"), and checking it before anything
 * is written: a mirror must never store data it could not serve again, nor data a publisher
 * could not publish (the one validator and sanity policy, core/validate-version.ts).
 *
 * - `restoreTenantPlaceholders`: the upstream renders `<tenant>` as `*` (no TenantName) or as the
 *   TenantName (docs/api.md, "GET /endpoints/{instance}"). Fetching `/endpoints` once more with
 *   a marker TenantName that cannot occur in real data shows exactly where the placeholders are;
 *   putting `<tenant>` back there gives the publisher form, so the mirror answers every TenantName
 *   request as the upstream would (substitute, then drop exact duplicates keeping the first; the
 *   marker answer has no such duplicates, so it is the stored order).
 * - `reconstructHistory`: the upstream serves the sets of its latest version only, and the change
 *   records of every version. Versions in between are rebuilt by undoing the records newest first
 *   (Add ⇒ the set did not exist; Remove ⇒ it existed with `previous` and the removed addresses;
 *   Change ⇒ take back `add`, put back `remove`, restore `previous`). Exact for an ipurl upstream
 *   (its records are a diff of consecutive versions); Microsoft's early records are not always
 *   complete, so rebuilt old versions are best effort there, while the latest version is always
 *   exact.
 */
import type { ChangeDraft, ChangeRecord } from '../core/change-record.js';
import { TENANT_PLACEHOLDER, type EndpointSet } from '../core/endpoint-set.js';
import { describeValue, type Issue } from '../core/errors.js';
import type { SanityPolicy } from '../core/sanity-policy.js';
import { validateIncoming } from '../core/validate-version.js';
import type { VersionId } from '../core/version-id.js';

export interface UpstreamCheck<T> {
  readonly value: T;
  readonly issues: readonly Issue[];
}

/** What every upstream answer is checked against (core/validate-version.ts). */
export interface UpstreamCheckContext {
  readonly policy: SanityPolicy;
  readonly now: Date;
}

/**
 * An `/endpoints` answer through the one validator and the sanity policy (sizes first, so a huge
 * answer is refused before its prefixes are parsed). `version`/`latest` check the version id it
 * would be stored under. The value is the sets as the upstream sent them (order and spelling).
 */
export function checkUpstreamSets(
  body: unknown,
  context: UpstreamCheckContext & {
    readonly version?: VersionId;
    readonly latest?: VersionId | null;
  },
): UpstreamCheck<EndpointSet[]> {
  const result = validateIncoming({
    sets: body,
    now: context.now,
    policy: context.policy,
    ...(context.version === undefined ? {} : { version: context.version }),
    ...(context.latest === undefined ? {} : { latest: context.latest }),
  });
  return { value: result.asGiven, issues: result.issues };
}

/** A `/changes` answer: every record of the allowed shape, its addresses and text sane. */
export function checkUpstreamChanges(
  body: unknown,
  context: UpstreamCheckContext,
): UpstreamCheck<ChangeRecord[]> {
  const result = validateIncoming({
    sets: [],
    changes: body,
    now: context.now,
    policy: context.policy,
  });
  return { value: result.changes, issues: result.issues };
}

/**
 * Every version a sync is about to append (rebuilt from the change records for all but the
 * latest): its sets through the validator and the policy, its id after the one before it. Paths
 * name the version (`version 2025013000 [3].ips[0]`).
 */
export function checkRebuiltVersions(
  steps: readonly RebuiltVersion[],
  local: VersionId | null,
  context: UpstreamCheckContext,
): Issue[] {
  const issues: Issue[] = [];
  let latest = local;
  for (const step of steps) {
    const result = validateIncoming({
      sets: step.sets,
      version: step.version,
      latest,
      now: context.now,
      policy: context.policy,
      path: `version ${step.version} `,
    });
    issues.push(...result.issues);
    latest = step.version;
  }
  return issues;
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
    // Kept addresses keep their order; the ones put back go where Microsoft's order puts them.
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

/**
 * Microsoft's order of ips: IPv4 then IPv6, numerically (a padded text key compares the same).
 */
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
