/** What `ipurl classify` reports (classify.ts): tallies per category, area, policy and origin. */
import type { OriginKind } from '../core/device-entry.js';
import type { Category, ServiceArea } from '../core/endpoint-set.js';
import type { LogFormat } from './classify-log-format.js';

export interface Tally {
  requests: number;
  bytes: number;
}

export interface PolicyShare {
  readonly requests: number;
  readonly requestShare: number;
  readonly bytes: number | null;
  readonly byteShare: number | null;
}

export interface ClassifyReport {
  readonly format: LogFormat;
  readonly lines: number;
  /** Lines with a destination (counted as requests). */
  readonly requests: number;
  /** Lines without any destination (headers, comments, blank). */
  readonly skippedLines: number;
  /** Total bytes, or null when the log has none. */
  readonly bytes: number | null;
  readonly categories: Readonly<Record<Category | 'unmatched', Tally>>;
  readonly serviceAreas: Readonly<Record<ServiceArea, Tally>>;
  readonly policies: { readonly type1: PolicyShare; readonly type2: PolicyShare };
  readonly topUnmatched: ReadonlyArray<{
    destination: string;
    requests: number;
    bytes: number | null;
  }>;
  /** True when the unmatched table was pruned: top counts are lower bounds. */
  readonly approximate: boolean;
  /**
   * With labelled entries (`--include-observed`, `--grace`): the requests (also counted in
   * `categories`) that matched only a labelled entry, per origin.
   */
  readonly labelled?: Readonly<Record<OriginKind, Tally>>;
}
