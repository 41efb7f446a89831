/**
 * Act on new versions (issue 5, "Act on changes"): when an instance's latest version differs
 * from the last one acted on, regenerate the chosen outputs (written atomically: temp file in the
 * same directory, fsync, rename, so a device or proxy never reads half a file), then run a
 * command with the instance, the old and new versions and the output paths in its environment
 * and the change summary on its stdin.
 *
 * Progress is kept in the store (`watch:<fingerprint>:<instance>`) per configuration (outputs +
 * command), and advances only when every output was written and the command exited 0: a failure
 * is retried on the next run, never forgotten.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ChangeRecord } from '../core/change-record.js';
import { IpurlError, describeValue } from '../core/errors.js';
import type { Store } from '../core/store.js';
import type { VersionId } from '../core/version-id.js';
import { loadOverlay } from './overlay.js';
import { writeFileAtomic } from './write-file-atomic.js';

export interface OutputSpec {
  /** A target name the renderer knows (`pac`, `nftables`, …). */
  readonly target: string;
  /** File path; `{instance}` is replaced by the instance name. */
  readonly path: string;
}

/** Render one output for one version; the CLI wires the export registry and the PAC renderer. */
export type RenderOutput = (
  target: string,
  instance: string,
  version: VersionId,
) => Promise<string | Buffer>;

export interface WatchOptions {
  readonly instances: readonly string[];
  readonly outputs: readonly OutputSpec[];
  /** Shell command run after the outputs are written. */
  readonly command?: string;
  readonly render: RenderOutput;
  /** Where the command's stdout goes (default: inherit). */
  readonly commandStdout?: 'inherit' | 'stderr' | 'ignore';
  /** Kill the command after this many ms (default: no limit). */
  readonly commandTimeoutMs?: number;
  readonly now?: () => Date;
}

export interface WatchProgress {
  /** Last version fully acted on. */
  readonly version: VersionId | null;
  /** Last held version the command was told about (the `held` event). */
  readonly heldNotified?: VersionId;
  /** Local overlay revision of the last run that acted (absent: 0, no overlay). */
  readonly overlayRevision?: number;
  readonly lastAttemptAt?: string;
  readonly lastError?: string;
  readonly lastExitCode?: number | null;
}

export interface WatchResult {
  readonly instance: string;
  readonly oldVersion: VersionId | null;
  readonly newVersion: VersionId;
  /** `acted` = outputs written and command succeeded; `unchanged` = nothing new; `failed`. */
  readonly outcome: 'acted' | 'unchanged' | 'failed';
  /** `changed` (a new served version) or `held` (the change guard held one; outputs untouched). */
  readonly event?: 'changed' | 'held';
  readonly outputs: readonly string[];
  readonly exitCode?: number | null;
  readonly error?: string;
  /** True when this run retried a failure of an earlier run. */
  readonly retry: boolean;
}

/** `target:path`, the path may itself contain ':' (only the first separates). */
export function parseOutputSpec(text: string, knownTargets: readonly string[]): OutputSpec {
  const colon = text.indexOf(':');
  const target = colon === -1 ? '' : text.slice(0, colon).trim().toLowerCase();
  const path = colon === -1 ? '' : text.slice(colon + 1);
  if (target === '' || path === '') {
    throw new IpurlError(
      'ERR_USAGE',
      `--output must be TARGET:PATH such as nftables:/etc/nft/m365.nft; received ${JSON.stringify(describeValue(text))}`,
    );
  }
  if (!knownTargets.includes(target.split('/')[0]!)) {
    throw new IpurlError(
      'ERR_USAGE',
      `--output target ${JSON.stringify(target)} is unknown; targets: ${knownTargets.join(', ')}`,
    );
  }
  return { target, path };
}

export function outputPath(spec: OutputSpec, instance: string): string {
  return spec.path.split('{instance}').join(instance);
}

/** Data text on one line: control characters, newlines and backslashes escaped (\n, \x1b, \\). */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\\\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code > 0xff
      ? `\\u${code.toString(16).padStart(4, '0')}`
      : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

function fingerprint(options: WatchOptions): string {
  const key = JSON.stringify({ outputs: options.outputs, command: options.command ?? null });
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export function watchStateKey(
  options: Pick<WatchOptions, 'outputs' | 'command'>,
  instance: string,
): string {
  return `watch:${fingerprint(options as WatchOptions)}:${instance}`;
}

/** A person-readable summary of the records between two versions (fed to the command's stdin). */
export function summarizeChanges(
  instance: string,
  oldVersion: VersionId | null,
  newVersion: VersionId,
  records: readonly ChangeRecord[],
): string {
  const lines = [
    `${escapeControl(instance)} ${oldVersion ?? '(none)'} -> ${newVersion}: ${records.length} change record${records.length === 1 ? '' : 's'}`,
  ];
  for (const r of records) {
    const parts = [
      `version ${r.version}`,
      `record ${r.id}`,
      `set ${r.endpointSetId}`,
      r.disposition,
    ];
    if (r.impact !== undefined) parts.push(r.impact);
    const add = [...(r.add?.ips ?? []), ...(r.add?.urls ?? [])];
    const remove = [...(r.remove?.ips ?? []), ...(r.remove?.urls ?? [])];
    if (add.length > 0)
      parts.push(
        `add ${add.join(' ')}${r.add?.effectiveDate === undefined ? '' : ` (effective ${r.add.effectiveDate})`}`,
      );
    if (remove.length > 0) parts.push(`remove ${remove.join(' ')}`);
    if (r.current !== undefined && r.disposition === 'Change') {
      parts.push(
        `now ${Object.entries(r.current)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ')}`,
      );
    }
    // Everything here comes from the data: one line per record, whatever the data holds.
    lines.push(`  ${escapeControl(parts.join('; '))}`);
  }
  return `${lines.join('\n')}\n`;
}

function runCommand(
  command: string,
  env: NodeJS.ProcessEnv,
  stdin: string,
  stdout: 'inherit' | 'stderr' | 'ignore',
  timeoutMs: number | undefined,
): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      env,
      stdio: [
        'pipe',
        stdout === 'inherit' ? 'inherit' : stdout === 'stderr' ? process.stderr : 'ignore',
        'inherit',
      ],
      ...(timeoutMs === undefined ? {} : { timeout: timeoutMs, killSignal: 'SIGTERM' as const }),
    });
    child.on('error', (error) => resolve({ exitCode: null, signal: null, error: error.message }));
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal }));
    child.stdin.on('error', () => undefined); // the command may not read its stdin
    child.stdin.end(stdin);
  });
}

async function readProgress(store: Store, key: string): Promise<WatchProgress> {
  const text = await store.getState(key);
  if (text === undefined) return { version: null };
  try {
    return JSON.parse(text) as WatchProgress;
  } catch {
    return { version: null };
  }
}

export async function runWatch(
  store: Store,
  options: WatchOptions,
): Promise<{ results: WatchResult[]; failed: boolean }> {
  const results: WatchResult[] = [];
  const summaries = await store.listInstances();
  for (const instance of options.instances) {
    const summary = summaries.find((s) => s.instance === instance);
    if (summary === undefined) continue;
    const key = watchStateKey(options, instance);
    const progress = await readProgress(store, key);
    const newVersion = summary.latest;
    const retry = progress.lastError !== undefined;
    // A change of the local overlay acts like a new version (outputs rewritten, command run).
    const overlayRevision = (await loadOverlay(store, instance)).revision;
    const overlayChanged = (progress.overlayRevision ?? 0) !== overlayRevision;
    if (progress.version === newVersion && !overlayChanged && !retry) {
      results.push({
        instance,
        oldVersion: progress.version,
        newVersion,
        outcome: 'unchanged',
        outputs: [],
        retry: false,
      });
      continue;
    }
    const now = (options.now?.() ?? new Date()).toISOString();
    const paths: string[] = [];
    /** What this run did for the instance (acted or failed), with the command's exit code if it ran. */
    const attempted = (
      outcome: 'acted' | 'failed',
      exitCode: number | null | undefined,
      error?: string,
    ): WatchResult => ({
      instance,
      oldVersion: progress.version,
      newVersion,
      outcome,
      outputs: paths,
      ...(exitCode === undefined ? {} : { exitCode }),
      ...(error === undefined ? {} : { error }),
      retry,
    });
    try {
      for (const spec of options.outputs) {
        const path = outputPath(spec, instance);
        await writeFileAtomic(path, await options.render(spec.target, instance, newVersion));
        paths.push(path);
      }
      let exitCode: number | null | undefined;
      if (options.command !== undefined) {
        // First run: the new version's own records (not the whole history since 0000000000).
        const records =
          progress.version === null
            ? await store.getChanges(instance, { version: newVersion })
            : (await store.getChanges(instance, { after: progress.version })).filter(
                (r) => r.version <= newVersion,
              );
        const env: NodeJS.ProcessEnv = {
          ...process.env,
          IPURL_EVENT:
            progress.version === newVersion && overlayChanged ? 'overlay.changed' : 'changed',
          IPURL_OVERLAY_REVISION: String(overlayRevision),
          IPURL_INSTANCE: instance,
          IPURL_OLD_VERSION: progress.version ?? '',
          IPURL_NEW_VERSION: newVersion,
          IPURL_OUTPUTS: paths.join(' '),
          IPURL_CHANGE_COUNT: String(records.length),
        };
        const run = await runCommand(
          options.command,
          env,
          summarizeChanges(instance, progress.version, newVersion, records),
          options.commandStdout ?? 'inherit',
          options.commandTimeoutMs,
        );
        exitCode = run.exitCode;
        if (run.error !== undefined || run.exitCode !== 0) {
          const why =
            run.error ??
            (run.signal !== null
              ? `was killed by ${run.signal}`
              : `exited with code ${run.exitCode}`);
          throw Object.assign(new Error(`the on-change command ${why}`), {
            exitCode: run.exitCode,
          });
        }
      }
      await store.setState(
        key,
        JSON.stringify({
          version: newVersion,
          ...(progress.heldNotified === undefined ? {} : { heldNotified: progress.heldNotified }),
          ...(overlayRevision === 0 ? {} : { overlayRevision }),
          lastAttemptAt: now,
          lastExitCode: exitCode ?? null,
        } satisfies WatchProgress),
      );
      results.push(attempted('acted', exitCode));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const exitCode = (error as { exitCode?: number | null }).exitCode;
      await store.setState(
        key,
        JSON.stringify({
          version: progress.version,
          ...(progress.heldNotified === undefined ? {} : { heldNotified: progress.heldNotified }),
          ...(progress.overlayRevision === undefined
            ? {}
            : { overlayRevision: progress.overlayRevision }),
          lastAttemptAt: now,
          lastError: message,
          lastExitCode: exitCode ?? null,
        } satisfies WatchProgress),
      );
      results.push(attempted('failed', exitCode, message));
    }
  }
  if (options.command !== undefined) {
    for (const instance of options.instances) {
      const result = await notifyHeld(store, options, instance);
      if (result !== undefined) results.push(result);
    }
  }
  return { results, failed: results.some((r) => r.outcome === 'failed') };
}

/**
 * The `held` event: the command runs once per held version with IPURL_EVENT=held and the guard's
 * figures on stdin; no output is written (devices keep the last accepted version). A failure is
 * retried on the next run, like any action.
 */
async function notifyHeld(
  store: Store,
  options: WatchOptions,
  instance: string,
): Promise<WatchResult | undefined> {
  const [held] = await store.listHeldVersions({ instance, status: 'held' });
  if (held === undefined || options.command === undefined) return undefined;
  const key = watchStateKey(options, instance);
  const progress = await readProgress(store, key);
  if (progress.heldNotified === held.version) return undefined;
  const reasons = held.report.trips.map((trip) => trip.message);
  const stdin = [
    `${instance} ${held.version} held by the change guard; still serving ${held.basedOn}`,
    ...reasons.map((reason) => `  ${reason}`),
    `  release: ipurl accept ${instance} ${held.version}`,
    `  drop:    ipurl reject ${instance} ${held.version}`,
  ].join('\n');
  const run = await runCommand(
    options.command,
    {
      ...process.env,
      IPURL_EVENT: 'held',
      IPURL_INSTANCE: instance,
      IPURL_OLD_VERSION: held.basedOn,
      IPURL_NEW_VERSION: held.version,
      IPURL_HELD_VERSION: held.version,
      IPURL_OUTPUTS: '',
      IPURL_CHANGE_COUNT: '0',
      IPURL_GUARD_REASONS: reasons.join('; '),
    },
    `${stdin}\n`,
    options.commandStdout ?? 'inherit',
    options.commandTimeoutMs,
  );
  const ok = run.error === undefined && run.exitCode === 0;
  const error = ok
    ? undefined
    : `the on-change command (held event) ${run.error ?? (run.signal !== null ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`)}`;
  const now = (options.now?.() ?? new Date()).toISOString();
  const latest = await readProgress(store, key);
  await store.setState(
    key,
    JSON.stringify({
      ...latest,
      ...(ok ? { heldNotified: held.version } : {}),
      lastAttemptAt: now,
    } satisfies WatchProgress),
  );
  return {
    instance,
    oldVersion: held.basedOn,
    newVersion: held.version,
    outcome: ok ? 'acted' : 'failed',
    event: 'held',
    outputs: [],
    exitCode: run.exitCode,
    ...(error === undefined ? {} : { error }),
    retry: false,
  };
}
