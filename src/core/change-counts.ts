/**
 * Totals of a list of change records: how many of each disposition, and how many IPs and URLs
 * they add and remove. One count for every place that states them: the webhook payload, the
 * publish plan, `ipurl versions`, `ipurl diff`, the plan text and the RSS description.
 */
import type { ChangeRecord } from './change-record.js';

export interface ChangeCounts {
  readonly records: number;
  readonly add: number;
  readonly change: number;
  readonly remove: number;
  readonly ipsAdded: number;
  readonly ipsRemoved: number;
  readonly urlsAdded: number;
  readonly urlsRemoved: number;
}

/** What a record must carry to be counted (a stored record or a draft of the plan). */
export type CountedRecord = Pick<ChangeRecord, 'disposition' | 'add' | 'remove'>;

export function countChanges(records: readonly CountedRecord[]): ChangeCounts {
  let add = 0;
  let change = 0;
  let remove = 0;
  let ipsAdded = 0;
  let ipsRemoved = 0;
  let urlsAdded = 0;
  let urlsRemoved = 0;
  for (const record of records) {
    if (record.disposition === 'Add') add++;
    else if (record.disposition === 'Change') change++;
    else remove++;
    ipsAdded += record.add?.ips?.length ?? 0;
    urlsAdded += record.add?.urls?.length ?? 0;
    ipsRemoved += record.remove?.ips?.length ?? 0;
    urlsRemoved += record.remove?.urls?.length ?? 0;
  }
  return {
    records: records.length,
    add,
    change,
    remove,
    ipsAdded,
    ipsRemoved,
    urlsAdded,
    urlsRemoved,
  };
}

/** A record that moves no IP or URL: only attributes changed. */
export function isAttributeOnly(record: CountedRecord): boolean {
  return (
    (record.add?.ips?.length ?? 0) +
      (record.add?.urls?.length ?? 0) +
      (record.remove?.ips?.length ?? 0) +
      (record.remove?.urls?.length ?? 0) ===
    0
  );
}
