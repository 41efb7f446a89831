/**
 * One instance's sync, in its steps: plan (what the local store has, what is held or decided),
 * fetch (client/upstream-protocol.ts), validate (sync-data.ts and the sanity policy, every answer
 * before anything is written), guard (the change guard may hold the new version) and apply
 * (append every rebuilt version in order).
 */
import { fetchInstanceAnswers, invalidData } from '../client/upstream-protocol.js';
import { upstreamError, type UpstreamClient } from '../client/upstream-client.js';
import type { ChangeRecord } from '../core/change-record.js';
import { IpurlError } from '../core/errors.js';
import { DEFAULT_POLICY, versionIssues } from '../core/sanity-policy.js';
import type { Store } from '../core/store.js';
import { VERSION_ZERO, type VersionId } from '../core/version-id.js';
import { decidedUpstreamVersion, holdIfTripped, supersedeHeld } from './held.js';
import {
  checkRebuiltVersions,
  checkUpstreamChanges,
  checkUpstreamSets,
  reconstructHistory,
  restoreTenantPlaceholders,
} from './sync-data.js';
import type { InstanceSyncResult, SyncOptions } from './sync-types.js';

/** Fetch, check and store one instance's new versions. Writes nothing unless everything checks out. */
export async function syncInstance(
  store: Store,
  client: UpstreamClient,
  instance: string,
  remote: VersionId,
  marker: string,
  options: SyncOptions,
  now: Date,
): Promise<InstanceSyncResult> {
  const local = (await store.listVersions(instance))[0]?.version ?? null;
  // The change guard: a version already held (or rejected) here is not fetched again.
  const decided =
    local === null ? undefined : await decidedUpstreamVersion(store, instance, remote);
  if (decided !== undefined) {
    return {
      instance,
      outcome: decided.status === 'held' ? 'held' : 'rejected',
      previous: local,
      current: local,
      remote,
      added: [],
      changeRecords: 0,
      held: decided,
      newlyHeld: false,
    };
  }
  if (local === remote) {
    return {
      instance,
      outcome: 'up-to-date',
      previous: local,
      current: local,
      remote,
      added: [],
      changeRecords: 0,
    };
  }
  if (local !== null && local > remote) {
    throw new IpurlError(
      'ERR_CONFLICT',
      `the local store has ${instance} ${local}, newer than the upstream's ${remote}: this store was not filled from this upstream (a mirror's store must start empty); nothing was written`,
    );
  }
  const context = { policy: options.policy ?? DEFAULT_POLICY, now };
  // The sanity policy before anything is fetched: the announced version id, then (below) each
  // answer as it arrives, sizes first, so a hostile answer costs no further request.
  const announced = versionIssues(remote, local, now, context.policy, `${instance} latest`);
  if (announced.length > 0) throw invalidData(`${client.baseUrl}version`, 'a version', announced);
  const answers = await fetchInstanceAnswers(client, instance, local, marker, (response) => {
    const checked = checkUpstreamSets(response.body, context);
    if (checked.issues.length > 0) throw invalidData(response.url, 'endpoint sets', checked.issues);
    return checked;
  });
  const { listed, marked: markedResponse, changes: changesResponse, checkedPlain: plain } = answers;
  if (listed === undefined || listed.latest !== remote) {
    throw upstreamError(
      `${instance} moved on the upstream during the sync (${remote} → ${listed?.latest ?? '?'}); nothing was written, the next run picks up the new version`,
      { kind: 'invalid-data', url: answers.listUrl },
    );
  }
  const marked = checkUpstreamSets(markedResponse.body, context);
  if (marked.issues.length > 0)
    throw invalidData(markedResponse.url, 'endpoint sets', marked.issues);
  const restored = restoreTenantPlaceholders(plain.value, marked.value, marker);
  if (restored.issues.length > 0)
    throw invalidData(markedResponse.url, 'endpoint sets', restored.issues);
  const changes = checkUpstreamChanges(changesResponse.body, context);
  if (changes.issues.length > 0)
    throw invalidData(changesResponse.url, 'change records', changes.issues);
  const beyond = changes.value.filter((record) => record.version > remote);
  if (beyond.length > 0) {
    throw upstreamError(
      `${changesResponse.url} lists change records of version ${beyond[0]!.version}, after the latest version ${remote}; nothing was written`,
      { kind: 'invalid-data', url: changesResponse.url },
    );
  }
  const known = new Set(
    (await store.getChanges(instance, { after: VERSION_ZERO })).map((record) => record.id),
  );
  const fresh: ChangeRecord[] = changes.value.filter(
    (record) => (local === null || record.version > local) && !known.has(record.id),
  );
  const history = reconstructHistory({
    latest: remote,
    latestSets: restored.value,
    after: local,
    listed: listed.versions ?? [],
    records: fresh,
  });
  const rebuilt = checkRebuiltVersions(history, local, context);
  if (rebuilt.length > 0)
    throw invalidData(changesResponse.url, 'versions (rebuilt from its change records)', rebuilt);
  const held = await holdIfTripped(store, {
    instance,
    local,
    steps: history,
    now,
    ...(options.guard === undefined ? {} : { guard: options.guard }),
  });
  if (held !== undefined) {
    return {
      instance,
      outcome: 'held',
      previous: local,
      current: local,
      remote,
      added: [],
      changeRecords: 0,
      held,
      newlyHeld: true,
    };
  }
  let expected = local;
  const added: VersionId[] = [];
  let records = 0;
  for (const step of history) {
    await store.appendVersion({
      instance,
      version: step.version,
      sets: step.sets,
      changes: step.changes,
      expectedLatest: expected,
      // The rules this mirror relaxed (sync --allow) are recorded with what entered under them.
      relaxedRules: context.policy.allow,
    });
    expected = step.version;
    added.push(step.version);
    records += step.changes.length;
  }
  await supersedeHeld(store, instance, now);
  return {
    instance,
    outcome: 'updated',
    previous: local,
    current: remote,
    remote,
    added,
    changeRecords: records,
  };
}
