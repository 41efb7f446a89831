/**
 * Seeding: fill a store from the bundled dataset, per instance oldest to newest, each version
 * with the change records the diff computes from its predecessor (the records of docs/api.md,
 * "GET /changes/{instance}/{version}"), effective dates = version date + 30 days (the notice
 * Microsoft gives additions), publishedAt = the version's date at 00:00Z, and no webhook
 * notifications (this is history, not news).
 *
 * Every bundled version passes the one validator and the sanity policy (core/validate-version.ts),
 * all of them before the first write, like any other data that enters a store.
 *
 * Idempotent and safe to race: only bundled versions after an instance's stored latest are
 * appended, and a conflict (another replica seeding the same empty database at the same moment)
 * re-reads and continues, so two replicas starting together both come up.
 *
 * A store seeded by an older release picks up the versions bundled since on its next start: an
 * instance whose stored latest is a bundled version holding exactly the bundled sets gets the
 * later bundled versions appended. A stored version is never rewritten, and an instance whose
 * history is the publisher's own (latest not bundled, or different data) is left alone, as is an
 * instance missing from a store that is not empty.
 *
 * A first seed that stops half-way (disk full, killed) is finished on the next start: before the
 * first version goes into an empty store a record (state key `seed`) says when it started, and
 * it is marked completed only once every bundled version of every instance is in. Until then the
 * store counts as being seeded: instances still missing are filled too, `/ready` answers 503 and
 * `/health` names the incomplete seed, and the default store of every command is seeded again.
 * Each version is one transaction, so the store never holds half a version.
 */
import { historyAppend } from '../core/history-append.js';
import type { EndpointSet } from '../core/endpoint-set.js';
import { ValidationError, isIpurlError, type Issue } from '../core/errors.js';
import { DEFAULT_POLICY } from '../core/sanity-policy.js';
import { validateIncoming } from '../core/validate-version.js';
import type { Store } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import type { BundledDataset, BundledInstance } from './bundle.js';

export interface SeedInstanceResult {
  readonly instance: string;
  /** Versions appended now. */
  readonly appended: number;
  /** Bundled versions the store already had. */
  readonly skipped: number;
  /** Change records created now. */
  readonly changes: number;
}

export interface SeedResult {
  readonly instances: readonly SeedInstanceResult[];
  readonly appended: number;
  readonly changes: number;
}

export interface SeedOptions {
  /** Called after each appended version. */
  readonly onVersion?: (instance: string, version: VersionId) => void;
}

/** Same data: the bundled files are stored as read, so a canonical JSON comparison suffices. */
function sameSets(a: readonly EndpointSet[], b: readonly EndpointSet[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((set, i) => canonicalJson(set) === canonicalJson(b[i]!));
}

function canonicalJson(set: EndpointSet): string {
  return JSON.stringify(set, Object.keys(set).sort());
}

async function seedInstance(
  store: Store,
  bundled: BundledInstance,
  firstSeed: boolean,
  options: SeedOptions,
): Promise<SeedInstanceResult> {
  let appended = 0;
  let changes = 0;
  for (let attempt = 0; ; attempt++) {
    const latest = (await store.listVersions(bundled.instance))[0]?.version ?? null;
    let pending = bundled.versions.filter((v) => latest === null || v.version > latest);
    if (latest === null && !firstSeed) pending = [];
    let previous: readonly EndpointSet[] = [];
    if (latest !== null && pending.length > 0) {
      const base = bundled.versions.find((v) => v.version === latest);
      const stored = await store.getEndpointSets(bundled.instance, latest);
      if (base === undefined || !sameSets(base.sets, stored ?? [])) pending = [];
      else previous = base.sets;
    }
    let expectedLatest = latest;
    try {
      for (const { version, sets } of pending) {
        const result = await store.appendVersion(
          historyAppend(bundled.instance, version, sets, {
            version: expectedLatest,
            sets: previous,
          }),
        );
        appended++;
        changes += result.changes.length;
        options.onVersion?.(bundled.instance, version);
        previous = sets;
        expectedLatest = version;
      }
      return {
        instance: bundled.instance,
        appended,
        skipped: bundled.versions.length - appended,
        changes,
      };
    } catch (error) {
      // Someone else is seeding the same store: start over from what is stored now. Each conflict
      // means the other seeder appended a version, so this ends within the bundled count.
      if (
        isIpurlError(error) &&
        error.code === 'ERR_CONFLICT' &&
        attempt <= bundled.versions.length
      )
        continue;
      throw error;
    }
  }
}

/**
 * State key of the first seed's record: when it started, how many versions it brings, and when
 * it completed (null until then). A store seeded by an older release has none.
 */
export const SEED_STATE_KEY = 'seed';

export interface SeedRecord {
  readonly startedAt: string;
  readonly bundledVersions: number;
  readonly completedAt: string | null;
}

/** The record of the store's first seed, or undefined when it has none. */
export async function readSeedRecord(store: Store): Promise<SeedRecord | undefined> {
  const text = await store.getState(SEED_STATE_KEY);
  if (text === undefined || text === '') return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<SeedRecord>;
    return {
      startedAt: typeof parsed.startedAt === 'string' ? parsed.startedAt : '?',
      bundledVersions: typeof parsed.bundledVersions === 'number' ? parsed.bundledVersions : 0,
      completedAt: typeof parsed.completedAt === 'string' ? parsed.completedAt : null,
    };
  } catch {
    // A record that cannot be read does not say the seed completed.
    return { startedAt: '?', bundledVersions: 0, completedAt: null };
  }
}

/** The record of a first seed that started and has not completed, or undefined. */
export async function readIncompleteSeed(store: Store): Promise<SeedRecord | undefined> {
  const record = await readSeedRecord(store);
  return record !== undefined && record.completedAt === null ? record : undefined;
}

/** Does this store need (the rest of) its first seed: empty, or a first seed left unfinished? */
export async function needsFirstSeed(store: Store): Promise<boolean> {
  return (await store.isEmpty()) || (await readIncompleteSeed(store)) !== undefined;
}

/** Why a store is not ready because of its seed (for `/ready` and `/health`), or undefined. */
export async function incompleteSeedReason(store: Store): Promise<string | undefined> {
  const record = await readIncompleteSeed(store);
  if (record === undefined) return undefined;
  const stored = (await store.listInstances()).reduce((n, s) => n + s.versions.length, 0);
  const of = record.bundledVersions > 0 ? ` of ${record.bundledVersions}` : '';
  return `the first seed from the bundled data is incomplete (started ${record.startedAt}; ${stored}${of} versions stored): restart ipurl serve or run ipurl seed to finish it`;
}

/** Every issue of the bundled dataset under the validator and the default sanity policy. */
export function checkBundledDataset(
  dataset: BundledDataset,
  now: Date = new Date(),
  /** Per instance, the stored latest: only later versions are checked (they are the ones appended). */
  stored: ReadonlyMap<string, VersionId> = new Map(),
): Issue[] {
  const issues: Issue[] = [];
  for (const bundled of dataset.instances) {
    const after = stored.get(bundled.instance);
    let latest: VersionId | null = after ?? null;
    for (const { version, sets } of bundled.versions) {
      if (after !== undefined && version <= after) continue;
      const result = validateIncoming({
        sets,
        version,
        latest,
        now,
        policy: DEFAULT_POLICY,
        path: `${bundled.instance}/${version}.json `,
      });
      issues.push(...result.issues);
      latest = version;
    }
  }
  return issues;
}

/** Append the bundled versions the store lacks (all of them for an empty store; see above). */
export async function seedStore(
  store: Store,
  dataset: BundledDataset,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const stored = new Map(
    (await store.listInstances()).map((summary) => [summary.instance, summary.latest]),
  );
  const issues = checkBundledDataset(dataset, new Date(), stored);
  if (issues.length > 0) {
    throw new ValidationError(
      issues,
      `the bundled data in ${dataset.dir} fails validation (${issues.length} problem${issues.length === 1 ? '' : 's'}; first: ${issues[0]?.path ?? ''}: ${issues[0]?.reason ?? ''}); nothing was seeded`,
    );
  }
  const instances: SeedInstanceResult[] = [];
  // A first seed (empty store) or the rest of one that stopped half-way (its record not completed).
  const first = await needsFirstSeed(store);
  let record = first ? await readIncompleteSeed(store) : undefined;
  if (first && record === undefined) {
    record = {
      startedAt: new Date().toISOString(),
      bundledVersions: dataset.instances.reduce((n, i) => n + i.versions.length, 0),
      completedAt: null,
    };
    await store.setState(SEED_STATE_KEY, JSON.stringify(record));
  }
  for (const bundled of dataset.instances)
    instances.push(await seedInstance(store, bundled, first, options));
  if (record !== undefined) {
    const done: SeedRecord = { ...record, completedAt: new Date().toISOString() };
    await store.setState(SEED_STATE_KEY, JSON.stringify(done));
  }
  return {
    instances,
    appended: instances.reduce((n, i) => n + i.appended, 0),
    changes: instances.reduce((n, i) => n + i.changes, 0),
  };
}
