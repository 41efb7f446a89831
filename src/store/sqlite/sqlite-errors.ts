/** How SQLite driver errors leave the adapter: as IpurlErrors that name the file and what failed. */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { IpurlError, isIpurlError } from '../../core/errors.js';

/** Runs synchronous driver work; every driver error leaves as an IpurlError (sqlite-store.ts). */
export type SqliteGuard = <T>(what: string, work: () => T) => T;

export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error to throw for a failed `what` on `filename`: busy → conflict, read-only, cannot open. */
export function sqliteFailure(filename: string): {
  readonly fail: (what: string, error: unknown) => IpurlError;
  readonly guard: SqliteGuard;
} {
  const fail = (what: string, error: unknown): IpurlError => {
    if (isIpurlError(error)) return error;
    const code = sqliteCode(error);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT') {
      return new IpurlError(
        'ERR_CONFLICT',
        `${filename} is locked by another writer (${what}); nothing was written. Retry in a moment.`,
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    if (code?.startsWith('SQLITE_READONLY') === true) {
      return new IpurlError(
        'ERR_STORAGE',
        `cannot write ${filename} (${what}): ${code === 'SQLITE_READONLY_DIRECTORY' ? `its folder ${dirname(filename)} is read-only` : 'the file is read-only'}; nothing was written`,
        { cause: error },
      );
    }
    if (code === 'SQLITE_CANTOPEN') {
      return new IpurlError(
        'ERR_STORAGE',
        `cannot open ${filename} (${what}): ${existsSync(dirname(filename)) ? `the folder ${dirname(filename)} does not let ipurl create or open the file (read-only or no permission)` : `the folder ${dirname(filename)} does not exist`}`,
        { cause: error },
      );
    }
    return new IpurlError('ERR_STORAGE', `SQLite ${what} failed on ${filename}: ${message}`, {
      cause: error,
    });
  };
  /** Run synchronous driver work; every driver error leaves as an IpurlError. */
  const guard = <T>(what: string, work: () => T): T => {
    try {
      return work();
    } catch (error) {
      throw fail(what, error);
    }
  };
  return { fail, guard };
}
