/**
 * Classify proxy or firewall traffic against one version's endpoint data (issue 5): how many
 * requests (and bytes, where the log has them) go to each category and service area, which
 * destinations are not Microsoft 365 at all, and how much could leave directly under Microsoft's
 * two PAC policies (Get-PacFile's type 1 = Optimize direct, type 2 = Optimize + Allow direct).
 *
 * Input formats, detected from the first lines unless given:
 * - `squid`: Squid's native access.log (`time elapsed client code/status bytes method URL ident
 *   hierarchy/peer type`; Squid wiki "SquidFaq/SquidLogs"); CONNECT lines carry `host:port`.
 * - `csv`: a header row naming a destination column (host, url, domain, dst, destination, …) and
 *   optionally a bytes column; RFC 4180 quoting.
 * - `text`: anything else: every IPv4 address and host name on the line is a candidate; the line
 *   counts for the best category among them (Optimize > Allow > Default), or as unmatched with
 *   its first public destination.
 *
 * Memory is constant: lookups go through a bounded cache, and the unmatched destinations are
 * counted in a capped table pruned to its heaviest entries (a lossy-counting variant): counts of
 * the reported top N are exact unless `approximate` is set.
 */
import type { OriginKind } from '../core/device-entry.js';
import type { Category, ServiceArea } from '../core/endpoint-set.js';
import { bestCategory, parseIpv4, type LookupIndex } from '../core/lookup-index.js';

import {
  BYTE_COLUMNS,
  DEST_COLUMNS,
  TEXT_BYTES,
  TEXT_CANDIDATES,
  destinationOf,
  detectFormat,
  isPrivateIpv4,
  splitCsv,
  type LogFormat,
} from './classify-log-format.js';

export {
  LOG_FORMATS,
  destinationOf,
  detectFormat,
  splitCsv,
  type LogFormat,
} from './classify-log-format.js';

import type { ClassifyReport, PolicyShare, Tally } from './classify-report.js';

export type { ClassifyReport, PolicyShare, Tally } from './classify-report.js';

interface Outcome {
  readonly category: Category | null;
  readonly serviceArea: ServiceArea | null;
  /** Matched a labelled entry only (observed, grace, local). */
  readonly origin?: OriginKind;
}

const UNMATCHED: Outcome = { category: null, serviceArea: null };
const CACHE_LIMIT = 65_536;

function newTally(): Tally {
  return { requests: 0, bytes: 0 };
}

export interface ClassifierOptions {
  readonly index: LookupIndex;
  /** How many unmatched destinations to report (default 20). */
  readonly top?: number;
  readonly format?: LogFormat | 'auto';
  /**
   * The labelled entries of a device view (service/lookup.ts builds it): a destination no
   * published set matches counts for the category of the labelled entry it matches.
   */
  readonly labelled?: LookupIndex;
}

export class Classifier {
  private readonly index: LookupIndex;
  private readonly labelledIndex: LookupIndex | undefined;
  private readonly labelled: Record<OriginKind, Tally> = {
    observed: newTally(),
    grace: newTally(),
    local: newTally(),
  };
  private readonly top: number;
  private readonly capacity: number;
  private format: LogFormat | undefined;
  private readonly pending: string[] = [];
  private csvDest: number[] = [];
  private csvBytes = -1;
  private csvHeaderSeen = false;
  private readonly cache = new Map<string, Outcome>();
  private readonly unmatched = new Map<string, Tally>();
  private pruned = false;
  private readonly fieldStarts = new Int32Array(9);
  private readonly fieldEnds = new Int32Array(9);
  private lines = 0;
  private requests = 0;
  private skipped = 0;
  private bytes = 0;
  private bytesSeen = false;
  private readonly categories: Record<Category | 'unmatched', Tally> = {
    Optimize: newTally(),
    Allow: newTally(),
    Default: newTally(),
    unmatched: newTally(),
  };
  private readonly areas: Record<ServiceArea, Tally> = {
    Exchange: newTally(),
    SharePoint: newTally(),
    Skype: newTally(),
    MEM: newTally(),
    Common: newTally(),
  };

  constructor(options: ClassifierOptions) {
    this.index = options.index;
    this.labelledIndex = options.labelled;
    this.top = options.top ?? 20;
    this.capacity = Math.max(1000, this.top * 20);
    if (options.format !== undefined && options.format !== 'auto') this.format = options.format;
  }

  /** Feed one line (without its newline). */
  add(line: string): void {
    if (this.format === undefined) {
      this.pending.push(line);
      if (this.pending.length < 5) return;
      this.flushPending();
      return;
    }
    this.process(line);
  }

  private flushPending(): void {
    this.format ??= detectFormat(this.pending);
    const lines = this.pending.splice(0);
    for (const line of lines) this.process(line);
  }

  private outcome(destination: string): Outcome {
    const cached = this.cache.get(destination);
    if (cached !== undefined) return cached;
    const result = this.index.lookup(destination);
    let outcome = UNMATCHED;
    if (!('ok' in result) && result.matches.length > 0) {
      outcome = {
        category: bestCategory(result.matches),
        serviceArea: result.matches[0]!.set.serviceArea,
      };
    } else if (this.labelledIndex !== undefined) {
      const extra = this.labelledIndex.lookup(destination);
      const first = 'ok' in extra ? undefined : extra.matches[0];
      if (first?.origin !== undefined && !('ok' in extra)) {
        outcome = {
          category: bestCategory(extra.matches),
          serviceArea: first.set.serviceArea,
          origin: first.origin.kind,
        };
      }
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(destination, outcome);
    return outcome;
  }

  private count(destination: string, outcome: Outcome, bytes: number): void {
    this.requests += 1;
    this.bytes += bytes;
    if (outcome.category === null) {
      this.categories.unmatched.requests += 1;
      this.categories.unmatched.bytes += bytes;
      const entry = this.unmatched.get(destination);
      if (entry !== undefined) {
        entry.requests += 1;
        entry.bytes += bytes;
      } else {
        this.unmatched.set(destination, { requests: 1, bytes });
        if (this.unmatched.size > this.capacity * 2) this.prune();
      }
      return;
    }
    const tally = this.categories[outcome.category];
    tally.requests += 1;
    tally.bytes += bytes;
    if (outcome.origin !== undefined) {
      this.labelled[outcome.origin].requests += 1;
      this.labelled[outcome.origin].bytes += bytes;
    }
    const area = this.areas[outcome.serviceArea!];
    area.requests += 1;
    area.bytes += bytes;
  }

  /** Keep the `capacity` heaviest unmatched destinations (bounded memory). */
  private prune(): void {
    const kept = [...this.unmatched.entries()]
      .sort((a, b) => b[1].requests - a[1].requests)
      .slice(0, this.capacity);
    this.unmatched.clear();
    for (const [key, value] of kept) this.unmatched.set(key, value);
    this.pruned = true;
  }

  private parseBytes(text: string | undefined): number {
    if (text === undefined) return 0;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) return 0;
    this.bytesSeen = true;
    return n;
  }

  private process(line: string): void {
    this.lines += 1;
    if (line.length === 0 || line.charCodeAt(0) === 35 /* # */) {
      this.skipped += 1;
      return;
    }
    if (this.format === 'squid') this.processSquid(line);
    else if (this.format === 'csv') this.processCsv(line);
    else this.processText(line);
  }

  private processSquid(line: string): void {
    // time elapsed client code/status bytes method URL ident hierarchy/peer type: fields are
    // separated by runs of spaces (Squid pads the elapsed column). Scanned by hand, no regex.
    const starts = this.fieldStarts;
    const ends = this.fieldEnds;
    let field = -1;
    let inField = false;
    const length = line.length;
    for (let i = 0; i < length && field < 9; i += 1) {
      const c = line.charCodeAt(i);
      const space = c === 32 || c === 9;
      if (space) {
        if (inField) {
          ends[field] = i;
          inField = false;
        }
      } else if (!inField) {
        field += 1;
        if (field > 8) break;
        starts[field] = i;
        ends[field] = length;
        inField = true;
      }
    }
    if (field < 6) {
      this.skipped += 1;
      return;
    }
    let destination = destinationOf(line.slice(starts[6], ends[6]));
    if (destination === '' || destination === '-') {
      const peer = field >= 8 ? line.slice(starts[8], ends[8]).split('/')[1] : undefined;
      if (peer === undefined || peer === '-' || peer === '') {
        this.skipped += 1;
        return;
      }
      destination = peer;
    }
    this.count(
      destination,
      this.outcome(destination),
      this.parseBytes(line.slice(starts[4], ends[4])),
    );
  }

  private processCsv(line: string): void {
    const fields = splitCsv(line);
    if (!this.csvHeaderSeen) {
      this.csvHeaderSeen = true;
      const header = fields.map((h) => h.trim().toLowerCase());
      this.csvDest = DEST_COLUMNS.map((name) => header.indexOf(name)).filter((i) => i !== -1);
      this.csvBytes = header.findIndex((h) => BYTE_COLUMNS.includes(h));
      this.skipped += 1;
      return;
    }
    let chosen: { destination: string; outcome: Outcome } | undefined;
    for (const column of this.csvDest) {
      const value = fields[column];
      if (value === undefined || value.trim() === '' || value.trim() === '-') continue;
      const destination = destinationOf(value);
      const outcome = this.outcome(destination);
      if (
        chosen === undefined ||
        (outcome.category !== null &&
          (chosen.outcome.category === null ||
            rank(outcome.category) < rank(chosen.outcome.category)))
      ) {
        chosen = { destination, outcome };
      }
    }
    if (chosen === undefined) {
      this.skipped += 1;
      return;
    }
    this.count(
      chosen.destination,
      chosen.outcome,
      this.csvBytes === -1 ? 0 : this.parseBytes(fields[this.csvBytes]),
    );
  }

  private processText(line: string): void {
    let best: { destination: string; outcome: Outcome } | undefined;
    let firstPublic: string | undefined;
    TEXT_CANDIDATES.lastIndex = 0;
    for (let m = TEXT_CANDIDATES.exec(line); m !== null; m = TEXT_CANDIDATES.exec(line)) {
      const raw = m[0];
      let destination = raw.toLowerCase();
      if (destination.endsWith('.')) destination = destination.slice(0, -1);
      const v4 = parseIpv4(destination);
      if (/^[\d.]+$/.test(destination)) {
        if (v4 < 0) continue;
        if (isPrivateIpv4(v4)) continue;
      }
      firstPublic ??= destination;
      const outcome = this.outcome(destination);
      if (
        outcome.category !== null &&
        (best === undefined || rank(outcome.category) < rank(best.outcome.category!))
      ) {
        best = { destination, outcome };
      }
    }
    const bytesMatch = TEXT_BYTES.exec(line);
    const bytes = bytesMatch === null ? 0 : this.parseBytes(bytesMatch[1]);
    if (best !== undefined) this.count(best.destination, best.outcome, bytes);
    else if (firstPublic !== undefined) this.count(firstPublic, UNMATCHED, bytes);
    else this.skipped += 1;
  }

  report(): ClassifyReport {
    if (this.format === undefined || this.pending.length > 0) this.flushPending();
    const bytes = this.bytesSeen ? this.bytes : null;
    const share = (requests: number, b: number): PolicyShare => ({
      requests,
      requestShare: this.requests === 0 ? 0 : requests / this.requests,
      bytes: bytes === null ? null : b,
      byteShare: bytes === null || bytes === 0 ? null : b / bytes,
    });
    const c = this.categories;
    const top = [...this.unmatched.entries()]
      .sort((a, b) => b[1].requests - a[1].requests || (a[0] < b[0] ? -1 : 1))
      .slice(0, this.top)
      .map(([destination, tally]) => ({
        destination,
        requests: tally.requests,
        bytes: bytes === null ? null : tally.bytes,
      }));
    return {
      format: this.format ?? 'text',
      lines: this.lines,
      requests: this.requests,
      skippedLines: this.skipped,
      bytes,
      categories: structuredClone(c),
      serviceAreas: structuredClone(this.areas),
      policies: {
        type1: share(c.Optimize.requests, c.Optimize.bytes),
        type2: share(c.Optimize.requests + c.Allow.requests, c.Optimize.bytes + c.Allow.bytes),
      },
      topUnmatched: top,
      approximate: this.pruned,
      ...(this.labelledIndex === undefined ? {} : { labelled: structuredClone(this.labelled) }),
    };
  }
}

const RANKS: Readonly<Record<Category, number>> = { Optimize: 0, Allow: 1, Default: 2 };
function rank(category: Category): number {
  return RANKS[category];
}

export { classifyLines, classifyStream } from './classify-stream.js';
