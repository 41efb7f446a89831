/**
 * The device view of a version under a local overlay: Microsoft's sets with the exclusions
 * applied, and the additions beside them, each marked as local with the overlay revision. Pure;
 * device outputs (exports, PAC, lookup, classify, watch/sync --output) render from it, the wire
 * routes and the docs table never do.
 *
 * Exclusion semantics (docs/operations.md "Local overlay"):
 * - a set id or a service area drops those sets whole;
 * - a host pattern drops every published pattern it matches as text, with the wildcard rules of
 *   the data (`*.yammer.com` drops `*.yammer.com` and `www.yammer.com`, not `yammer.com`);
 * - an address prefix drops the addresses inside it: a published prefix inside it goes, one that
 *   contains it is split into the prefixes around it (so `52.112.0.0/14` out of `52.112.0.0/12`
 *   leaves `52.116.0.0/14` and `52.120.0.0/13`);
 * - a set left with neither urls nor ips is dropped.
 */
import { cidrContains, cidrRange, compareCidrs, safeParseCidr, type Cidr } from './cidr.js';
import { rangeToCidrs } from './cidr-complement.js';
import type { LabelledSet } from './device-entry.js';
import type { EndpointSet } from './endpoint-set.js';
import {
  LOCAL_DISPLAY_NAME,
  type ActiveOverlay,
  type OverlayAddition,
  type OverlayExclusion,
} from './overlay.js';
import { compileHostPattern } from './url-pattern.js';

/** Where a local entry came from: the change that added it and the overlay revision. */
export interface LocalOrigin {
  readonly kind: 'local';
  /** The overlay change id (`ipurl overlay list`). */
  readonly change: number;
  /** The overlay revision of the view it is part of. */
  readonly revision: number;
  readonly by: string;
  readonly at: string;
}

/** A local addition in endpoint-set shape (`id` is the change id: never read it without origin). */
export interface LocalSet extends EndpointSet {
  readonly origin: LocalOrigin;
}

export interface OverlayCounts {
  /** Published sets dropped whole. */
  readonly sets: number;
  /** Published host patterns dropped. */
  readonly urls: number;
  /** Published prefixes dropped or split. */
  readonly ips: number;
}

export interface OverlayView {
  /** Microsoft's sets with the exclusions applied, in published order. */
  readonly sets: EndpointSet[];
  /** The additions, by change id. */
  readonly local: LocalSet[];
  /** The overlay revision (0: no overlay). */
  readonly revision: number;
  readonly excluded: OverlayCounts;
}

interface CompiledExclusion {
  readonly setIds: ReadonlySet<number>;
  readonly areas: ReadonlySet<string>;
  readonly urls: ReadonlyArray<(text: string) => boolean>;
  readonly ips: readonly Cidr[];
}

function compile(exclusions: readonly OverlayExclusion[]): CompiledExclusion {
  const ips: Cidr[] = [];
  for (const text of exclusions.flatMap((e) => e.ips ?? [])) {
    const parsed = safeParseCidr(text);
    if (parsed.ok) ips.push(parsed.value);
  }
  return {
    setIds: new Set(exclusions.flatMap((e) => e.setIds ?? [])),
    areas: new Set(exclusions.flatMap((e) => e.serviceAreas ?? [])),
    urls: exclusions.flatMap((e) => e.urls ?? []).map(compileHostPattern),
    ips,
  };
}

/** The prefixes of `cidr` left once every excluded prefix is taken out (`[cidr]` when none touches it). */
function subtract(cidr: Cidr, excluded: readonly Cidr[]): Cidr[] {
  let pieces: Cidr[] = [cidr];
  for (const cut of excluded) {
    if (cut.family !== cidr.family) continue;
    const next: Cidr[] = [];
    for (const piece of pieces) {
      if (cidrContains(cut, piece)) continue;
      if (!cidrContains(piece, cut)) {
        next.push(piece);
        continue;
      }
      const outer = cidrRange(piece);
      const inner = cidrRange(cut);
      if (inner.first > outer.first)
        next.push(...rangeToCidrs(piece.family, outer.first, inner.first - 1n));
      if (inner.last < outer.last)
        next.push(...rangeToCidrs(piece.family, inner.last + 1n, outer.last));
    }
    pieces = next;
  }
  return pieces;
}

/** Apply exclusions to sets; returns the kept sets and what was dropped. */
function exclude(
  sets: readonly EndpointSet[],
  exclusions: readonly OverlayExclusion[],
): { sets: EndpointSet[]; counts: OverlayCounts } {
  if (exclusions.length === 0) return { sets: [...sets], counts: { sets: 0, urls: 0, ips: 0 } };
  return excludeBy(sets, compile(exclusions));
}

function excludeBy(
  sets: readonly EndpointSet[],
  rules: CompiledExclusion,
): { sets: EndpointSet[]; counts: OverlayCounts } {
  const out: EndpointSet[] = [];
  let droppedSets = 0;
  let droppedUrls = 0;
  let droppedIps = 0;
  for (const set of sets) {
    if (rules.setIds.has(set.id) || rules.areas.has(set.serviceArea)) {
      droppedSets += 1;
      continue;
    }
    const urls = (set.urls ?? []).filter((url) => !rules.urls.some((match) => match(url)));
    droppedUrls += (set.urls ?? []).length - urls.length;
    let ips = set.ips ?? [];
    if (rules.ips.length > 0) {
      const kept: Cidr[] = [];
      for (const text of ips) {
        const parsed = safeParseCidr(text);
        if (!parsed.ok) continue;
        const rest = subtract(parsed.value, rules.ips);
        if (rest.length !== 1 || rest[0]!.text !== text) droppedIps += 1;
        kept.push(...rest);
      }
      ips = kept.sort(compareCidrs).map((cidr) => cidr.text);
    }
    const hadEntries = (set.urls ?? []).length + (set.ips ?? []).length > 0;
    if (hadEntries && urls.length === 0 && ips.length === 0) {
      droppedSets += 1;
      continue;
    }
    const { urls: _urls, ips: _ips, ...rest } = set;
    out.push({
      ...rest,
      ...(urls.length > 0 ? { urls } : {}),
      ...(ips.length > 0 ? { ips } : {}),
    });
  }
  return { sets: out, counts: { sets: droppedSets, urls: droppedUrls, ips: droppedIps } };
}

/**
 * The labelled entries (observed, in grace) that the exclusions leave. What an exclusion takes out
 * of the published sets stays out when it comes back as a labelled entry: by set id, service area,
 * host pattern or prefix, and an observed address also by the name it answered for.
 */
export function excludeLabelled(
  entries: readonly LabelledSet[],
  exclusions: readonly OverlayExclusion[],
): LabelledSet[] {
  if (exclusions.length === 0) return [...entries];
  const rules = compile(exclusions);
  const out: LabelledSet[] = [];
  for (const entry of entries) {
    const { origin } = entry;
    if (origin.kind === 'observed' && rules.urls.some((match) => match(origin.name))) continue;
    const [kept] = excludeBy([entry.set], rules).sets;
    if (kept !== undefined) out.push({ ...entry, set: kept });
  }
  return out;
}

/** What the exclusions take out of `sets` (the validator warns when an exclusion takes nothing). */
export function excludedBy(
  sets: readonly EndpointSet[],
  exclusions: readonly OverlayExclusion[],
): OverlayCounts {
  return exclude(sets, exclusions).counts;
}

function localSet(addition: OverlayAddition, origin: LocalOrigin): LocalSet {
  return {
    id: origin.change,
    serviceArea: addition.serviceArea,
    serviceAreaDisplayName: LOCAL_DISPLAY_NAME,
    ...(addition.urls === undefined ? {} : { urls: addition.urls }),
    ...(addition.ips === undefined ? {} : { ips: addition.ips }),
    ...(addition.tcpPorts === undefined ? {} : { tcpPorts: addition.tcpPorts }),
    ...(addition.udpPorts === undefined ? {} : { udpPorts: addition.udpPorts }),
    expressRoute: false,
    category: addition.category,
    required: false,
    origin,
  };
}

/** The device view (see the module comment). Without an overlay, the sets pass unchanged. */
export function applyOverlay(
  sets: readonly EndpointSet[],
  overlay: ActiveOverlay | undefined,
): OverlayView {
  if (overlay === undefined)
    return { sets: [...sets], local: [], revision: 0, excluded: { sets: 0, urls: 0, ips: 0 } };
  const { sets: kept, counts } = exclude(
    sets,
    overlay.exclusions.map((change) => change.entry),
  );
  const local = overlay.additions.map((change) =>
    localSet(change.entry, {
      kind: 'local',
      change: change.id,
      revision: overlay.revision,
      by: change.by,
      at: change.at,
    }),
  );
  return { sets: kept, local, revision: overlay.revision, excluded: counts };
}

/** True when a set of a view is a local addition. */
export function isLocalSet(set: EndpointSet): set is LocalSet {
  return (set as Partial<LocalSet>).origin?.kind === 'local';
}

/** One warning per part of an exclusion that matches nothing in the latest published sets. */
export function unmatchedWarnings(entry: OverlayExclusion, sets: readonly EndpointSet[]): string[] {
  const out: string[] = [];
  const parts: Array<[string, OverlayExclusion]> = [
    ...(entry.setIds ?? []).map((id): [string, OverlayExclusion] => [
      `setIds: set ${id}`,
      { action: 'exclude', setIds: [id] },
    ]),
    ...(entry.urls ?? []).map((url): [string, OverlayExclusion] => [
      `urls: ${url}`,
      { action: 'exclude', urls: [url] },
    ]),
    ...(entry.ips ?? []).map((ip): [string, OverlayExclusion] => [
      `ips: ${ip}`,
      { action: 'exclude', ips: [ip] },
    ]),
    ...(entry.serviceAreas ?? []).map((a): [string, OverlayExclusion] => [
      `serviceAreas: ${a}`,
      { action: 'exclude', serviceAreas: [a] },
    ]),
  ];
  for (const [what, part] of parts) {
    const hit = excludedBy(sets, [part]);
    if (hit.sets + hit.urls + hit.ips === 0) {
      out.push(
        `${what} excludes nothing in the latest published version; stored anyway (it applies when such an entry is published)`,
      );
    }
  }
  return out;
}
