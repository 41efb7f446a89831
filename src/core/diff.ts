/**
 * The diff that turns two consecutive versions of one instance into change records (docs/api.md,
 * "GET /changes/{instance}/{version}"). Pure and deterministic: the same two versions always give
 * the same records in the same order (by endpointSetId ascending); the store assigns ids in array
 * order (unique and increasing per instance, never reused).
 *
 * Decisions:
 * - urls and ips are compared as sets of exact strings: a reordering alone is no change.
 * - `serviceAreaDisplayName` is not a change-record member (docs/api.md), so a display-name-only
 *   change (Skype → "Microsoft Teams") produces no record.
 * - An optional member that is absent compares equal to `""` (the wire cannot tell a consumer
 *   more); when one side lacks it, that side shows `""` in `previous`/`current`.
 */
import {
  CHANGE_ATTRIBUTES,
  FIRST_VERSION_WITH_IMPACT,
  type ChangeAdd,
  type ChangeAttributes,
  type ChangeDraft,
  type ChangeRemove,
  type Disposition,
  type Impact,
} from './change-record.js';
import type { EndpointSet } from './endpoint-set.js';
import { compileHostPattern, isWildcardPattern } from './url-pattern.js';
import type { VersionId } from './version-id.js';

export interface DiffOptions {
  /** The id of `next`. */
  readonly version: VersionId;
  /** `YYYYMMDD` given to every `add` (publication date + notice days, docs/publishing.md). */
  readonly effectiveDate: string;
}

/** What one set gained and lost, before impacts are decided. */
interface SetDelta {
  readonly id: number;
  readonly disposition: Disposition;
  readonly previous: ChangeAttributes | undefined;
  readonly current: ChangeAttributes | undefined;
  readonly addedIps: readonly string[];
  readonly addedUrls: readonly string[];
  readonly removedIps: readonly string[];
  readonly removedUrls: readonly string[];
}

/** Diff two versions of one instance. `previous` is `[]` for a new instance. */
export function diffVersions(
  previous: readonly EndpointSet[],
  next: readonly EndpointSet[],
  options: DiffOptions,
): ChangeDraft[] {
  const before = byId(previous);
  const after = byId(next);
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b);
  const deltas: SetDelta[] = [];
  for (const id of ids) {
    const delta = diffSet(id, before.get(id), after.get(id));
    if (delta !== undefined) deltas.push(delta);
  }
  const withImpact = options.version >= FIRST_VERSION_WITH_IMPACT;
  const context = withImpact ? buildImpactContext(deltas, next) : undefined;
  return deltas.map((delta) => toDraft(delta, options, context));
}

function byId(sets: readonly EndpointSet[]): Map<number, EndpointSet> {
  const map = new Map<number, EndpointSet>();
  for (const set of sets) map.set(set.id, set);
  return map;
}

/** One set's delta, or undefined when nothing a change record can express changed. */
function diffSet(
  id: number,
  old: EndpointSet | undefined,
  now: EndpointSet | undefined,
): SetDelta | undefined {
  if (old === undefined && now !== undefined) {
    return {
      id,
      disposition: 'Add',
      previous: undefined,
      current: attributesOf(now),
      addedIps: [...(now.ips ?? [])],
      addedUrls: [...(now.urls ?? [])],
      removedIps: [],
      removedUrls: [],
    };
  }
  if (old !== undefined && now === undefined) {
    // Our decision (docs/api.md): a Remove carries the removed set's attributes and all its ips
    // and urls.
    return {
      id,
      disposition: 'Remove',
      previous: attributesOf(old),
      current: undefined,
      addedIps: [],
      addedUrls: [],
      removedIps: [...(old.ips ?? [])],
      removedUrls: [...(old.urls ?? [])],
    };
  }
  if (old === undefined || now === undefined || old === now) return undefined;
  const [previousAttrs, currentAttrs] = changedAttributes(old, now);
  const delta: SetDelta = {
    id,
    disposition: 'Change',
    previous: previousAttrs,
    current: currentAttrs,
    addedIps: minus(now.ips, old.ips),
    addedUrls: minus(now.urls, old.urls),
    removedIps: minus(old.ips, now.ips),
    removedUrls: minus(old.urls, now.urls),
  };
  const changed =
    previousAttrs !== undefined ||
    delta.addedIps.length +
      delta.addedUrls.length +
      delta.removedIps.length +
      delta.removedUrls.length >
      0;
  return changed ? delta : undefined;
}

/** Items of `a` not in `b`, in `a`'s order. */
function minus(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  if (a === undefined || a.length === 0) return [];
  if (b !== undefined && sameList(a, b)) return []; // the common case: an unchanged list
  const exclude = new Set(b ?? []);
  return a.filter((item) => !exclude.has(item));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

type AttributeKey = keyof ChangeAttributes;

/** A set's scalar attributes as change-record strings; undefined for an absent optional member. */
function attributeValue(set: EndpointSet, key: AttributeKey): string | undefined {
  switch (key) {
    case 'expressRoute':
      return set.expressRoute ? 'true' : 'false';
    case 'required':
      return set.required ? 'true' : 'false';
    case 'serviceArea':
    case 'category':
    case 'tcpPorts':
    case 'udpPorts':
    case 'notes':
      return set[key];
  }
}

/** Every present attribute, in wire order (the `current` of an Add, the `previous` of a Remove). */
function attributesOf(set: EndpointSet): ChangeAttributes {
  const out: Record<string, string> = {};
  for (const key of CHANGE_ATTRIBUTES) {
    const value = attributeValue(set, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The changed attributes, old and new values, in wire order; undefined when none changed. */
function changedAttributes(
  old: EndpointSet,
  now: EndpointSet,
): [ChangeAttributes, ChangeAttributes] | [undefined, undefined] {
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  let any = false;
  for (const key of CHANGE_ATTRIBUTES) {
    const a = attributeValue(old, key) ?? '';
    const b = attributeValue(now, key) ?? '';
    if (a === b) continue;
    before[key] = a;
    after[key] = b;
    any = true;
  }
  return any ? [before, after] : [undefined, undefined];
}

/** Version-wide facts about one kind of item (ips or urls) that impacts depend on. */
interface ItemFacts {
  /** Per item: the set ids that gained it in this version. */
  readonly gainedBy: ReadonlyMap<string, readonly number[]>;
  /** Per item: the set ids that lost it in this version. */
  readonly lostBy: ReadonlyMap<string, readonly number[]>;
  /** The removed items that some set of `next` still publishes. */
  readonly stillPublished: ReadonlySet<string>;
}

/** Version-wide facts the impact of one record depends on. */
interface ImpactContext {
  readonly ips: ItemFacts;
  readonly urls: ItemFacts;
  /** Matchers of wildcard urls removed from any set in this version. */
  readonly removedWildcards: readonly ((host: string) => boolean)[];
}

/**
 * Built from the deltas (small) plus one scan of `next` that only looks up removed items, so a
 * version with half a million prefixes costs one Set lookup per prefix.
 */
function buildImpactContext(
  deltas: readonly SetDelta[],
  next: readonly EndpointSet[],
): ImpactContext {
  const ips = itemFacts(deltas, next, 'ips');
  const urls = itemFacts(deltas, next, 'urls');
  const removedWildcards = [...urls.lostBy.keys()]
    .filter(isWildcardPattern)
    .map((url) => compileHostPattern(url));
  return { ips, urls, removedWildcards };
}

/** The members of a SetDelta that list what a set gained and lost of one kind of entry. */
const DELTA_LISTS = {
  ips: ['addedIps', 'removedIps'],
  urls: ['addedUrls', 'removedUrls'],
} as const;

function itemFacts(
  deltas: readonly SetDelta[],
  next: readonly EndpointSet[],
  kind: keyof typeof DELTA_LISTS,
): ItemFacts {
  const [added, removed] = DELTA_LISTS[kind];
  const gainedBy = new Map<string, number[]>();
  const lostBy = new Map<string, number[]>();
  for (const delta of deltas) {
    for (const item of delta[added]) note(gainedBy, item, delta.id);
    for (const item of delta[removed]) note(lostBy, item, delta.id);
  }
  const stillPublished = new Set<string>();
  if (lostBy.size > 0) {
    for (const set of next) {
      for (const item of set[kind] ?? []) if (lostBy.has(item)) stillPublished.add(item);
    }
  }
  return { gainedBy, lostBy, stillPublished };
}

function note(map: Map<string, number[]>, key: string, id: number): void {
  const ids = map.get(key);
  if (ids === undefined) map.set(key, [id]);
  else ids.push(id);
}

/** True when some set other than `id` is listed for `key` in `map`. */
function inOtherSet(map: ReadonlyMap<string, readonly number[]>, key: string, id: number): boolean {
  return (map.get(key) ?? []).some((other) => other !== id);
}

/**
 * The impact of one record (the enum Microsoft's service publishes). Precedence, highest first,
 * because the reader acts on the first that applies and additions need firewall/proxy action
 * before their effective date:
 *
 * 1. genuinely new additions (not merely moved in from another set of this version):
 *    AddedIpAndUrl (both kinds) > AddedIp > AddedUrl; an urls-only addition whose every new url is
 *    an FQDN covered by a wildcard url removed in this version (from any set) is AddedSubstituteUrl;
 * 2. RemovedIpOrUrl: something removed that is no longer published anywhere in the new version;
 * 3. ChangedIsExpressRoute: the expressRoute flag changed (it outranks the lesser attributes it
 *    may change together with: routing over ExpressRoute is the one attribute the enum singles out);
 * 4. MovedIpOrUrl: what the set lost was gained by another set of this version, or everything the
 *    set gained was lost by another set (the record adds nothing else);
 * 5. RemovedDuplicateIpOrUrl: what was removed is still published by another set;
 * 6. OtherNonPriorityChanges: anything else (notes, ports, category, required, service area, a new
 *    or removed set without addresses).
 */
function decideImpact(delta: SetDelta, context: ImpactContext): Impact {
  const { ips, urls } = context;
  const newIps = delta.addedIps.filter((ip) => !inOtherSet(ips.lostBy, ip, delta.id));
  const newUrls = delta.addedUrls.filter((url) => !inOtherSet(urls.lostBy, url, delta.id));
  if (newIps.length > 0 && newUrls.length > 0) return 'AddedIpAndUrl';
  if (newIps.length > 0) return 'AddedIp';
  if (newUrls.length > 0) {
    return isSubstitution(newUrls, context) ? 'AddedSubstituteUrl' : 'AddedUrl';
  }
  const gone = (facts: ItemFacts, items: readonly string[]): boolean =>
    items.some((item) => !facts.stillPublished.has(item));
  if (gone(ips, delta.removedIps) || gone(urls, delta.removedUrls)) return 'RemovedIpOrUrl';
  if (delta.previous?.expressRoute !== undefined && delta.current?.expressRoute !== undefined) {
    return 'ChangedIsExpressRoute';
  }
  const gained = delta.addedIps.length + delta.addedUrls.length > 0;
  const movedOut = (facts: ItemFacts, items: readonly string[]): boolean =>
    items.some((item) => inOtherSet(facts.gainedBy, item, delta.id));
  if (gained || movedOut(ips, delta.removedIps) || movedOut(urls, delta.removedUrls)) {
    return 'MovedIpOrUrl';
  }
  if (delta.removedIps.length + delta.removedUrls.length > 0) return 'RemovedDuplicateIpOrUrl';
  return 'OtherNonPriorityChanges';
}

/**
 * AddedSubstituteUrl: every new url is a plain FQDN that was hidden behind a wildcard this version
 * removed.
 * An added wildcard is never a substitute: it widens what is published (Worldwide 2023073100 set
 * 31 replaced `<tenant>.sharepoint.com` by `*.sharepoint.com`, which is AddedUrl).
 */
function isSubstitution(urls: readonly string[], context: ImpactContext): boolean {
  if (context.removedWildcards.length === 0) return false;
  return urls.every((url) => {
    if (isWildcardPattern(url)) return false;
    const host = url.toLowerCase();
    return context.removedWildcards.some((matches) => matches(host));
  });
}

/** Assemble the record in wire member order (docs/api.md), omitting what does not apply. */
function toDraft(
  delta: SetDelta,
  options: DiffOptions,
  context: ImpactContext | undefined,
): ChangeDraft {
  const add: ChangeAdd | undefined =
    delta.addedIps.length + delta.addedUrls.length > 0
      ? {
          effectiveDate: options.effectiveDate,
          ...(delta.addedIps.length > 0 ? { ips: delta.addedIps } : {}),
          ...(delta.addedUrls.length > 0 ? { urls: delta.addedUrls } : {}),
        }
      : undefined;
  const remove: ChangeRemove | undefined =
    delta.removedIps.length + delta.removedUrls.length > 0
      ? {
          ...(delta.removedIps.length > 0 ? { ips: delta.removedIps } : {}),
          ...(delta.removedUrls.length > 0 ? { urls: delta.removedUrls } : {}),
        }
      : undefined;
  return {
    endpointSetId: delta.id,
    disposition: delta.disposition,
    version: options.version,
    ...(context !== undefined ? { impact: decideImpact(delta, context) } : {}),
    ...(delta.previous !== undefined ? { previous: delta.previous } : {}),
    ...(delta.current !== undefined ? { current: delta.current } : {}),
    ...(add !== undefined ? { add } : {}),
    ...(remove !== undefined ? { remove } : {}),
  };
}
