/**
 * Publishing a version (issue 3; docs/publishing.md, "Decisions"): the one use case behind
 * `ipurl publish` and `POST /admin/instances/{instance}/versions`.
 *
 * planPublish: validate the publisher document (every problem at once), pick the next version id
 * (`YYYYMMDDNN`, always after the latest), diff against the latest version (a new instance against
 * nothing) and date the additions (publication date + notice days, or an explicit date). Nothing
 * is written.
 *
 * publish: the plan, then one `Store#appendVersion` transaction with optimistic concurrency on the
 * latest version the plan was computed from. A publish that lost a race gets ERR_CONFLICT (HTTP
 * 409, exit 4) and must be re-planned; nothing is lost silently, nothing is half written.
 *
 * Decisions:
 * - Identical data (every set equal to the latest version's, field for field; urls and ips as sets) is
 *   "unchanged": nothing is stored, the caller is told so, and it is not an error (exit 0, HTTP
 *   200 with `"status": "unchanged"`). A document that differs only where no change record can say
 *   so (a display name) is a new version with zero change records: the published data did change.
 * - Set ids are never reused (change-record ids follow the same rule): an id that was published
 *   before, then removed, cannot come back, and an id keeps its service area for ever.
 * - An instance name is matched case-insensitively against existing instances; a new one is
 *   created by its first version, with the name as given (it must be a valid name).
 */
import type { ChangeDraft, ChangeRecord } from '../core/change-record.js';
import { diffVersions } from '../core/diff.js';
import type { EndpointSet } from '../core/endpoint-set.js';
import { IpurlError, ValidationError, describeValue } from '../core/errors.js';
import { canonicalInstance, isValidInstanceName } from '../core/instance.js';
import type { Store, VersionRecord } from '../core/store.js';
import { DEFAULT_POLICY, versionIssues, type SanityPolicy } from '../core/sanity-policy.js';
import { validateIncoming } from '../core/validate-version.js';
import {
  VERSION_ZERO,
  addDays,
  formatYmd,
  isVersionId,
  nextVersionId,
  parseYmd,
  versionDate,
  type VersionId,
} from '../core/version-id.js';
import { countChanges, type ChangeCounts } from '../core/change-counts.js';
import {
  inPublisherOrder,
  parseJsonDocument,
  reusedIdIssues,
  setsEqual,
} from './publish-document.js';

export const DEFAULT_NOTICE_DAYS = 30;
export const MAX_NOTICE_DAYS = 366;

export interface PublishOptions {
  /** Publication time; its UTC date names the version (default: now). */
  readonly now?: Date;
  /** Days from publication to the additions' effective date (default 30, Microsoft's notice). */
  readonly noticeDays?: number;
  /** Explicit `YYYYMMDD` effective date of the additions (instead of noticeDays). */
  readonly effectiveDate?: string;
  /**
   * Explicit version id instead of the next one of `now`'s date: for importing a history whose ids
   * are already known (USGovGCCHigh's `2019011701` has no stored `2019011700`). Must be after the
   * latest version.
   */
  readonly version?: VersionId;
  /**
   * The sanity policy the document must pass (core/sanity-policy.ts); its relaxed rules are
   * recorded with the version. Default: every rule, default limits.
   */
  readonly policy?: SanityPolicy;
}

export interface PublishPlan {
  /** Canonical instance name. */
  readonly instance: string;
  /** True when the instance has no version yet: this publish creates it. */
  readonly newInstance: boolean;
  /** The latest version the plan was computed against (null for a new instance). */
  readonly previousVersion: VersionId | null;
  /** The id the new version gets. */
  readonly version: VersionId;
  /** `YYYYMMDD` of the additions. */
  readonly effectiveDate: string;
  /** True when the document equals the latest version: publishing it is a no-op. */
  readonly unchanged: boolean;
  readonly setCount: number;
  readonly previousSetCount: number;
  readonly sets: readonly EndpointSet[];
  readonly changes: readonly ChangeDraft[];
  readonly counts: ChangeCounts;
  /** ISO timestamp used as the version's publishedAt. */
  readonly publishedAt: string;
  /** Sanity-policy rules relaxed for this version (recorded with it); [] for none. */
  readonly relaxedRules: readonly string[];
}

export type PublishResult =
  | {
      readonly status: 'published';
      readonly plan: PublishPlan;
      readonly version: VersionRecord;
      readonly changes: readonly ChangeRecord[];
      /** Webhook deliveries queued in the same transaction. */
      readonly deliveries: readonly string[];
    }
  | { readonly status: 'unchanged'; readonly plan: PublishPlan };

function resolveEffectiveDate(today: string, options: PublishOptions): string {
  if (options.effectiveDate !== undefined && options.noticeDays !== undefined) {
    throw new IpurlError(
      'ERR_USAGE',
      'give either noticeDays or effectiveDate, not both: noticeDays counts from the publication date, effectiveDate names the date itself',
    );
  }
  if (options.effectiveDate !== undefined) {
    if (parseYmd(options.effectiveDate) === undefined) {
      throw new IpurlError(
        'ERR_INVALID_PARAMETER',
        `effectiveDate must be a calendar date YYYYMMDD such as ${addDays(today, DEFAULT_NOTICE_DAYS)}; received ${describeValue(options.effectiveDate)}`,
      );
    }
    return options.effectiveDate;
  }
  const days = options.noticeDays ?? DEFAULT_NOTICE_DAYS;
  if (!Number.isInteger(days) || days < 0 || days > MAX_NOTICE_DAYS) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `noticeDays must be a whole number of days from 0 to ${MAX_NOTICE_DAYS}; received ${describeValue(days)}`,
    );
  }
  return addDays(today, days);
}

/** The instance name to store under: an existing instance's canonical spelling, or a valid new name. */
async function resolveInstance(store: Store, requested: string): Promise<string> {
  if (!isValidInstanceName(requested)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `instance name must be a letter followed by up to 63 letters or digits (e.g. Worldwide, Contoso); received ${describeValue(requested)}`,
    );
  }
  const existing = (await store.listInstances()).map((summary) => summary.instance);
  return canonicalInstance(existing, requested) ?? requested;
}

function explicitVersion(version: string, instance: string, latest: VersionId | null): VersionId {
  if (
    !isVersionId(version) ||
    version === VERSION_ZERO ||
    parseYmd(versionDate(version)) === undefined
  ) {
    throw new IpurlError(
      'ERR_INVALID_VERSION',
      `version must be ten digits YYYYMMDDNN with a calendar date, e.g. 2026112800; received ${describeValue(version)}`,
    );
  }
  if (latest !== null && version <= latest) {
    throw new IpurlError(
      'ERR_CONFLICT',
      `version ${version} is not after ${instance}'s latest version ${latest}: version ids only increase (docs/publishing.md); nothing was written`,
    );
  }
  return version;
}

/**
 * Validate and diff a publisher document against the instance's latest version; writes nothing.
 * `document` is the parsed JSON value, or its text (parsed here, with a clear error when it is
 * not JSON).
 */
export async function planPublish(
  store: Store,
  instanceName: string,
  document: unknown,
  options: PublishOptions = {},
): Promise<PublishPlan> {
  const now = options.now ?? new Date();
  if (Number.isNaN(now.getTime()))
    throw new IpurlError('ERR_INVALID_PARAMETER', 'the publication time is not a valid date');
  const today = formatYmd(now);
  const effectiveDate = resolveEffectiveDate(today, options);
  const instance = await resolveInstance(store, instanceName);
  const input: unknown = typeof document === 'string' ? parseJsonDocument(document) : document;

  const [versions, knownSetIds] = await Promise.all([
    store.listVersions(instance),
    store.knownSetIds(instance),
  ]);
  const latest = versions[0]?.version ?? null;
  const latestSets = latest === null ? [] : ((await store.getEndpointSets(instance, latest)) ?? []);

  const policy = options.policy ?? DEFAULT_POLICY;
  const { sets, issues } = validateIncoming({ sets: input, knownSetIds, now, policy });
  const reported = new Set(issues.map((issue) => `${issue.setId ?? ''}:${issue.path}`));
  const allIssues = [
    ...issues,
    ...reusedIdIssues(sets, knownSetIds, new Set(latestSets.map((set) => set.id)), reported, input),
  ];
  if (allIssues.length > 0) {
    throw new ValidationError(
      allIssues,
      `the document for ${instance} has ${allIssues.length} problem${allIssues.length === 1 ? '' : 's'}; nothing was stored`,
    );
  }

  const sorted = inPublisherOrder(sets, input);
  const version =
    options.version === undefined
      ? nextVersionId(now, latest ?? undefined)
      : explicitVersion(options.version, instance, latest);
  if (version === undefined) {
    throw new IpurlError(
      'ERR_VERSION_EXHAUSTED',
      `${instance} already has version ${latest ?? ''}: the 100 version ids of ${latest?.slice(0, 8) ?? today} are used up (YYYYMMDD00–99); publish again tomorrow (UTC)`,
    );
  }
  const versionProblems = versionIssues(version, latest, now, policy);
  if (versionProblems.length > 0) {
    throw new ValidationError(
      versionProblems,
      `the version id for ${instance} is refused: ${versionProblems.map((issue) => issue.reason).join('; ')}; nothing was stored`,
    );
  }
  const changes = diffVersions(latestSets, sorted, { version, effectiveDate });
  // Only a version without change records can be identical; the full comparison runs only then.
  const unchanged = latest !== null && changes.length === 0 && setsEqual(sorted, latestSets);
  return {
    instance,
    newInstance: latest === null,
    previousVersion: latest,
    version,
    effectiveDate,
    unchanged,
    setCount: sorted.length,
    previousSetCount: latestSets.length,
    sets: sorted,
    changes,
    counts: countChanges(changes),
    publishedAt: now.toISOString(),
    relaxedRules: policy.allow,
  };
}

/** Plan, then store the version, its sets, its records and its webhook deliveries atomically. */
export async function publish(
  store: Store,
  instanceName: string,
  document: unknown,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const plan = await planPublish(store, instanceName, document, options);
  if (plan.unchanged) return { status: 'unchanged', plan };
  try {
    const result = await store.appendVersion({
      instance: plan.instance,
      version: plan.version,
      sets: plan.sets,
      changes: plan.changes,
      expectedLatest: plan.previousVersion,
      publishedAt: plan.publishedAt,
      relaxedRules: plan.relaxedRules,
    });
    return {
      status: 'published',
      plan,
      version: result.version,
      changes: result.changes,
      deliveries: result.deliveries,
    };
  } catch (error) {
    if (error instanceof IpurlError && error.code === 'ERR_CONFLICT') {
      throw new IpurlError(
        'ERR_CONFLICT',
        `another publish of ${plan.instance} landed while this one was being prepared (this one was based on ${plan.previousVersion ?? 'no version'}): nothing was written. Publish again to diff against the new latest version.`,
        {
          cause: error,
          details: {
            ...error.details,
            instance: plan.instance,
            basedOn: plan.previousVersion,
            retry: true,
          },
        },
      );
    }
    throw error;
  }
}

/** A one-line summary for people and logs. */
export function describeResult(result: PublishResult): string {
  const { plan } = result;
  if (result.status === 'unchanged') {
    return `${plan.instance} is already at ${plan.previousVersion ?? ''} with identical data: nothing published`;
  }
  const c = plan.counts;
  return (
    `published ${plan.instance} ${result.version.version}${plan.newInstance ? ' (new instance)' : ` after ${plan.previousVersion ?? ''}`}: ` +
    `${result.version.setCount} endpoint sets, ${c.records} change record${c.records === 1 ? '' : 's'} ` +
    `(${c.add} add, ${c.change} change, ${c.remove} remove; IPs +${c.ipsAdded} −${c.ipsRemoved}, URLs +${c.urlsAdded} −${c.urlsRemoved}), ` +
    `additions effective ${plan.effectiveDate}` +
    (result.deliveries.length > 0
      ? `, ${result.deliveries.length} webhook deliver${result.deliveries.length === 1 ? 'y' : 'ies'} queued`
      : '')
  );
}
