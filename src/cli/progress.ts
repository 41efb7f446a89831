/**
 * The one progress line of long commands (copy, classify): drawn over itself on stderr when
 * stderr is a terminal, and nothing at all otherwise — a cron job's mail or a pipe gets no
 * carriage returns — nor in --json mode, where a script reads the output.
 */

export interface Progress {
  /** False when nothing will be drawn: callers may skip gathering progress at all. */
  readonly active: boolean;
  /** Show `text` (redrawn at most every `intervalMs`, the first time at once). */
  update(text: string): void;
  /** Finish: `keep` leaves `text` (or the last line) on screen, otherwise the line is cleared. */
  done(options?: { readonly keep?: boolean; readonly text?: string }): void;
}

export interface ProgressOptions {
  /** --json: print no progress. */
  readonly json?: boolean;
  /** Where to draw (default process.stderr). */
  readonly stream?: Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };
  /** Least time between two redraws (default 100 ms). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

const CLEAR_LINE = '\r\x1b[K';

const SILENT: Progress = { active: false, update: () => undefined, done: () => undefined };

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.json === true || stream.isTTY !== true) return SILENT;
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let last = '';
  let drawnAt: number | undefined;
  return {
    active: true,
    update(text) {
      last = text;
      const t = now();
      if (drawnAt !== undefined && t - drawnAt < intervalMs) return;
      drawnAt = t;
      stream.write(`${CLEAR_LINE}${text}`);
    },
    done({ keep = false, text } = {}) {
      if (keep) stream.write(`${CLEAR_LINE}${text ?? last}\n`);
      else if (drawnAt !== undefined) stream.write(CLEAR_LINE);
    },
  };
}

/** `[#########.....]  64%`: a bar of `width` cells for a fraction from 0 to 1. */
export function progressBar(fraction: number, width = 30): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(clamped * 100).toFixed(0).padStart(3)}%`;
}
