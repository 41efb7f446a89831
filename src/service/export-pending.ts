/**
 * Pending additions of an export (service/export.ts): entries added by a change record (version ≤
 * the exported one) whose `add.effectiveDate` is after today (UTC) are not live yet. Excluded by
 * default, because a firewall that opens them early trusts addresses Microsoft does not use yet;
 * `includePending` includes them so a device can be prepared before the date.
 */
import type { ChangeRecord } from '../core/change-record.js';
import type { EndpointSet } from '../core/endpoint-set.js';
import type { VersionId } from '../core/version-id.js';

export interface PendingEntry {
  readonly setId: number;
  readonly value: string;
  readonly effectiveDate: string;
}

/** Entries of `sets` added by a record of version ≤ `version` that takes effect after `today`. */
export function findPending(
  records: readonly ChangeRecord[],
  version: VersionId,
  today: string,
): PendingEntry[] {
  const out: PendingEntry[] = [];
  for (const record of records) {
    if (record.version > version || record.add === undefined) continue;
    const date = record.add.effectiveDate;
    if (!(date > today)) continue;
    for (const value of [...(record.add.ips ?? []), ...(record.add.urls ?? [])]) {
      out.push({ setId: record.endpointSetId, value, effectiveDate: date });
    }
  }
  return out;
}

export function withoutPending(
  sets: readonly EndpointSet[],
  pending: readonly PendingEntry[],
): EndpointSet[] {
  if (pending.length === 0) return [...sets];
  const bySet = new Map<number, Set<string>>();
  for (const entry of pending) {
    let values = bySet.get(entry.setId);
    if (values === undefined) bySet.set(entry.setId, (values = new Set()));
    values.add(entry.value.toLowerCase());
  }
  const out: EndpointSet[] = [];
  for (const set of sets) {
    const drop = bySet.get(set.id);
    if (drop === undefined) {
      out.push(set);
      continue;
    }
    const urls = (set.urls ?? []).filter((url) => !drop.has(url.toLowerCase()));
    const ips = (set.ips ?? []).filter((ip) => !drop.has(ip.toLowerCase()));
    if (urls.length === 0 && ips.length === 0) continue;
    const { urls: _u, ips: _i, ...rest } = set;
    out.push({ ...rest, ...(urls.length > 0 ? { urls } : {}), ...(ips.length > 0 ? { ips } : {}) });
  }
  return out;
}
