/**
 * `ipurl copy`: move everything one Store holds into another, through the Store interface only,
 * so any adapter pair works (SQLite ↔ PostgreSQL). Versions are appended oldest first per
 * instance with their original sets, change records (ids intact) and publishedAt; then webhooks
 * (ids and createdAt intact), the delivery outbox (in its original order) and the key-value state.
 *
 * The target must be empty: merging two histories could collide on version and change ids, and a
 * half-merged store is worse than a clear refusal.
 *
 * Every version passes the one validator and the sanity policy (core/validate-version.ts) before
 * anything is written, with the rules its publisher relaxed (recorded with it) plus the copy's own
 * `--allow` rules; a version that needed one of those is recorded with it too. One refusal stops
 * the copy before the first write: the target stays empty.
 */
import { IpurlError, ValidationError, type Issue } from '../core/errors.js';
import { DEFAULT_POLICY, makePolicy, type SanityPolicy } from '../core/sanity-policy.js';
import type { Observation } from '../core/observation.js';
import type { Store, VersionRecord } from '../core/store.js';
import { validateIncoming } from '../core/validate-version.js';

export interface CopyProgress {
  readonly phase: 'versions' | 'webhooks' | 'deliveries' | 'overlay' | 'state';
  readonly instance?: string;
  readonly done: number;
  readonly total: number;
}

export interface CopySummary {
  readonly instances: ReadonlyArray<{
    instance: string;
    versions: number;
    sets: number;
    changes: number;
  }>;
  readonly versions: number;
  readonly sets: number;
  readonly changes: number;
  /** Versions still held by the change guard. */
  readonly held: number;
  readonly webhooks: number;
  readonly deliveries: number;
  /** Local overlay changes (ids, who, when, why intact). */
  readonly overlay: number;
  readonly state: number;
  /** Observed addresses (`ipurl observe`), first and last seen and TTL kept. */
  readonly observations: number;
}

/** What a store holds besides versions, to decide whether it is empty enough to copy into. */
async function contents(store: Store): Promise<string[]> {
  const held: string[] = [];
  const instances = await store.listInstances();
  if (instances.length > 0) {
    held.push(
      `${instances.reduce((n, i) => n + i.versions.length, 0)} version(s) of ${instances.map((i) => i.instance).join(', ')}`,
    );
  }
  const webhooks = await store.listWebhooks();
  if (webhooks.length > 0) held.push(`${webhooks.length} webhook(s)`);
  const deliveries = await store.listDeliveries({ limit: 1 });
  if (deliveries.length > 0) held.push('webhook deliveries');
  const overlay = await store.listOverlayChanges();
  if (overlay.length > 0) held.push(`${overlay.length} overlay change(s)`);
  const state = await store.listState();
  if (state.length > 0) held.push(`${state.length} state key(s)`);
  let observed = 0;
  for (const { instance } of await store.listInstances())
    observed += (await store.listObservations(instance)).length;
  if (observed > 0) held.push(`${observed} observed address(es)`);
  const guarded = await store.listHeldVersions();
  if (guarded.length > 0) held.push(`${guarded.length} held version(s)`);
  return held;
}

/** The rules one version is checked under and recorded with (see the module comment). */
async function checkVersion(
  from: Store,
  instance: string,
  record: VersionRecord,
  latest: string | null,
  policy: SanityPolicy,
  now: Date,
): Promise<{ issues: Issue[]; relaxedRules: readonly string[] }> {
  const sets = await from.getEndpointSets(instance, record.version);
  const changes = await from.getChanges(instance, { version: record.version });
  const recorded = record.relaxedRules ?? [];
  const run = (allow: readonly string[]) =>
    validateIncoming({
      sets: sets ?? [],
      changes,
      version: record.version,
      latest,
      now,
      policy: makePolicy(allow, policy.limits),
      path: `${instance} ${record.version} `,
    }).issues;
  const first = run(recorded);
  if (first.length === 0) return { issues: [], relaxedRules: recorded };
  const extra = policy.allow.filter((rule) => first.some((issue) => issue.rule === rule));
  if (extra.length === 0) return { issues: first, relaxedRules: recorded };
  const relaxedRules = makePolicy([...recorded, ...extra]).allow;
  return { issues: run(relaxedRules), relaxedRules };
}

export async function copyStore(
  from: Store,
  to: Store,
  options: {
    onProgress?: (progress: CopyProgress) => void;
    targetName?: string;
    /** The copy's own relaxations and limits (default: every rule, default limits). */
    policy?: SanityPolicy;
    now?: Date;
  } = {},
): Promise<CopySummary> {
  const held = await contents(to);
  if (held.length > 0) {
    throw new IpurlError(
      'ERR_CONFLICT',
      `the target ${options.targetName ?? 'store'} is not empty (it holds ${held.join(', ')}); copy only fills an empty store. Point --to at a new file or an empty database.`,
    );
  }
  // Pass 1: every version of every instance through the validator and the policy, nothing written.
  const policy = options.policy ?? DEFAULT_POLICY;
  const now = options.now ?? new Date();
  const relaxedByVersion = new Map<string, readonly string[]>();
  const issues: Issue[] = [];
  for (const { instance } of await from.listInstances()) {
    let latest: string | null = null;
    for (const record of [...(await from.listVersions(instance))].reverse()) {
      const checked = await checkVersion(from, instance, record, latest, policy, now);
      issues.push(...checked.issues);
      relaxedByVersion.set(`${instance}/${record.version}`, checked.relaxedRules);
      latest = record.version;
    }
  }
  if (issues.length > 0) {
    throw new ValidationError(
      issues,
      `the source holds data the validator or the sanity policy refuses (${issues.length} problem${issues.length === 1 ? '' : 's'}; first: ${issues[0]?.path ?? ''}: ${issues[0]?.reason ?? ''}); nothing was copied`,
    );
  }
  const progress = options.onProgress ?? (() => undefined);
  const instances: Array<{ instance: string; versions: number; sets: number; changes: number }> =
    [];
  for (const { instance } of await from.listInstances()) {
    const versions = [...(await from.listVersions(instance))].reverse();
    let expectedLatest: string | null = null;
    let sets = 0;
    let changes = 0;
    for (const [index, record] of versions.entries()) {
      const endpointSets = await from.getEndpointSets(instance, record.version);
      if (endpointSets === undefined) {
        throw new IpurlError(
          'ERR_STORAGE',
          `version ${record.version} of ${instance} vanished from the source during the copy`,
        );
      }
      const records = await from.getChanges(instance, { version: record.version });
      await to.appendVersion({
        instance,
        version: record.version,
        sets: endpointSets,
        changes: records,
        expectedLatest,
        publishedAt: record.publishedAt,
        notify: false,
        relaxedRules: relaxedByVersion.get(`${instance}/${record.version}`) ?? [],
      });
      expectedLatest = record.version;
      sets += endpointSets.length;
      changes += records.length;
      progress({ phase: 'versions', instance, done: index + 1, total: versions.length });
    }
    instances.push({ instance, versions: versions.length, sets, changes });
  }

  // Versions the change guard holds stay held (decisions already taken are not copied: a
  // rejected version that the upstream still serves would be held again by the next sync).
  let heldCopied = 0;
  for (const held of await from.listHeldVersions({ status: 'held' })) {
    const steps = await from.getHeldSteps(held.instance, held.version);
    const latest = (await to.listVersions(held.instance))[0]?.version ?? null;
    if (steps === undefined || latest !== held.basedOn) continue; // stale: compared with an older version
    await to.holdVersion({
      instance: held.instance,
      version: held.version,
      basedOn: held.basedOn,
      steps,
      report: held.report,
      heldAt: held.heldAt,
      notify: false,
    });
    heldCopied += 1;
  }

  const webhooks = await from.listWebhooks();
  for (const [index, webhook] of webhooks.entries()) {
    await to.addWebhook({ ...webhook });
    progress({ phase: 'webhooks', done: index + 1, total: webhooks.length });
  }
  // listDeliveries is newest first; import oldest first so the outbox keeps its order.
  const deliveries = [...(await from.listDeliveries())].reverse();
  for (const [index, delivery] of deliveries.entries()) {
    await to.importDelivery(delivery);
    progress({ phase: 'deliveries', done: index + 1, total: deliveries.length });
  }
  // The overlay after the versions and webhooks: ids, who, when, why and queued deliveries as
  // they are, nothing queued anew (the deliveries were copied above).
  const overlay = await from.listOverlayChanges();
  for (const [index, change] of overlay.entries()) {
    await to.recordOverlayChange({ ...change, notify: false });
    progress({ phase: 'overlay', done: index + 1, total: overlay.length });
  }
  const state = await from.listState();
  for (const [index, { key, value }] of state.entries()) {
    await to.setState(key, value);
    progress({ phase: 'state', done: index + 1, total: state.length });
  }
  const observations = await copyObservations(from, to);
  return {
    observations,
    instances,
    versions: instances.reduce((n, i) => n + i.versions, 0),
    sets: instances.reduce((n, i) => n + i.sets, 0),
    changes: instances.reduce((n, i) => n + i.changes, 0),
    held: heldCopied,
    webhooks: webhooks.length,
    deliveries: deliveries.length,
    overlay: overlay.length,
    state: state.length,
  };
}

/**
 * Observed addresses through the Store's own merge (recordObservations): each is recorded at its
 * first-seen time, then again at its last-seen time, which leaves first seen, last seen and the
 * TTL exactly as in the source.
 */
async function copyObservations(from: Store, to: Store): Promise<number> {
  let copied = 0;
  for (const { instance } of await from.listInstances()) {
    const rows = await from.listObservations(instance);
    const byTime = (pick: (o: Observation) => string): Map<string, Observation[]> => {
      const out = new Map<string, Observation[]>();
      for (const row of rows) {
        const list = out.get(pick(row));
        if (list === undefined) out.set(pick(row), [row]);
        else list.push(row);
      }
      return out;
    };
    const answers = (list: readonly Observation[]) =>
      list.map(({ setId, name, address, family, ttl }) => ({ setId, name, address, family, ttl }));
    for (const [at, list] of byTime((o) => o.firstSeen))
      await to.recordObservations(instance, at, answers(list));
    for (const [at, list] of byTime((o) => o.lastSeen)) {
      const later = list.filter((o) => o.lastSeen !== o.firstSeen);
      if (later.length > 0) await to.recordObservations(instance, at, answers(later));
    }
    copied += rows.length;
  }
  return copied;
}
