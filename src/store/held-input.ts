/**
 * What both adapters check and compute the same way around held versions (the change guard):
 * validation of a batch before touching the database, the conflict and not-found errors, the
 * values a hold writes, the checked batch an acceptance appends, and the mapping of a stored row
 * to a HeldVersion, so SQLite and PostgreSQL give identical answers.
 */
import type { GuardReport } from '../core/change-guard.js';
import { IpurlError, ValidationError, describeValue, type Issue } from '../core/errors.js';
import type {
  AppendVersionInput,
  HeldStatus,
  HeldStep,
  HeldVersion,
  HoldVersionInput,
} from '../core/store.js';
import { isVersionId, type VersionId } from '../core/version-id.js';
import { isoTimestamp, validateAppendInput } from './append-input.js';

export const HELD_STATUSES: readonly HeldStatus[] = ['held', 'accepted', 'rejected', 'superseded'];

/** The append inputs of a batch, each based on the one before (the first on `basedOn`). */
export function stepInputs(
  instance: string,
  basedOn: VersionId,
  steps: readonly HeldStep[],
  publishedAt: string,
): AppendVersionInput[] {
  let expected = basedOn;
  return steps.map((step) => {
    const input: AppendVersionInput = {
      instance,
      version: step.version,
      sets: step.sets,
      changes: step.changes,
      expectedLatest: expected,
      publishedAt,
    };
    expected = step.version;
    return input;
  });
}

/** Reject a batch that could never be accepted, before touching the database. */
export function validateHoldInput(input: HoldVersionInput): void {
  const issues: Issue[] = [];
  if (!isVersionId(input.basedOn)) {
    issues.push({
      path: 'basedOn',
      value: describeValue(input.basedOn),
      reason: 'a held version is based on a stored version: ten digits',
    });
  }
  if (input.steps.length === 0) {
    issues.push({ path: 'steps', value: '[]', reason: 'a held batch has at least one version' });
  } else if (input.steps[input.steps.length - 1]!.version !== input.version) {
    issues.push({
      path: 'steps',
      value: describeValue(input.steps[input.steps.length - 1]!.version),
      reason: `the last version of the batch is the held version ${input.version}`,
    });
  }
  if (issues.length > 0) {
    throw new ValidationError(
      issues,
      `cannot hold version ${describeValue(input.version)} of ${describeValue(input.instance)}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`,
    );
  }
  for (const step of stepInputs(
    input.instance,
    input.basedOn,
    input.steps,
    new Date().toISOString(),
  )) {
    validateAppendInput(step);
  }
  if (input.heldAt !== undefined) isoTimestamp(input.heldAt, 'heldAt');
}

/** The hold must be based on what is served now, and come after it. */
export function checkHoldLatest(input: HoldVersionInput, latest: VersionId | null): void {
  if (latest !== input.basedOn) {
    throw new IpurlError(
      'ERR_CONFLICT',
      `${input.instance} changed meanwhile: the held version ${input.version} was compared against ${input.basedOn} but the store's latest is ${latest ?? 'none'}; nothing was held. Sync again.`,
      { details: { instance: input.instance, basedOn: input.basedOn, latest } },
    );
  }
  for (const step of input.steps) {
    if (step.version <= latest) {
      throw new IpurlError(
        'ERR_CONFLICT',
        `version ${step.version} of ${input.instance} is not after the latest version ${latest}: version ids only increase; nothing was held`,
      );
    }
  }
}

export function heldNotFound(
  instance: string,
  version: string,
  statuses: readonly HeldVersion[],
): IpurlError {
  const decided = statuses.find((held) => held.version === version);
  if (decided !== undefined) {
    return new IpurlError(
      'ERR_NOT_HELD',
      `version ${version} of ${instance} is not held any more: it was ${decided.status}${decided.decidedAt === null ? '' : ` at ${decided.decidedAt}`}`,
      { details: { instance, version, status: decided.status } },
    );
  }
  const held = statuses.filter((h) => h.status === 'held').map((h) => h.version);
  return new IpurlError(
    'ERR_NOT_HELD',
    `no version ${describeValue(version)} of ${describeValue(instance)} is held; held now: ${held.length === 0 ? 'none' : held.join(', ')}`,
    { details: { instance, version } },
  );
}

/** Accepting is only sound on the version the guard compared against. */
export function checkAcceptLatest(held: HeldVersion, latest: VersionId | null): void {
  if (latest !== held.basedOn) {
    throw new IpurlError(
      'ERR_CONFLICT',
      `${held.instance} moved since ${held.version} was held: it was compared against ${held.basedOn} but the latest version is now ${latest ?? 'none'}; nothing was appended. Reject it and sync again, so the guard compares against what is served now.`,
      {
        details: { instance: held.instance, version: held.version, basedOn: held.basedOn, latest },
      },
    );
  }
}

/**
 * Accepting `held` (its steps: the JSON text stored with it) while `latest` is served: the
 * checked append inputs of its batch, published at `at`.
 */
export function acceptedInputs(
  held: HeldVersion,
  latest: VersionId | null,
  steps: string,
  at: string,
): AppendVersionInput[] {
  checkAcceptLatest(held, latest);
  const inputs = stepInputs(held.instance, held.basedOn, JSON.parse(steps) as HeldStep[], at);
  for (const input of inputs) validateAppendInput(input);
  return inputs;
}

/** getHeldSteps: the steps of a version still held, undefined for any other. */
export function heldSteps(row: { readonly steps: string } | undefined): HeldStep[] | undefined {
  return row === undefined ? undefined : (JSON.parse(row.steps) as HeldStep[]);
}

/** When a version is held: `heldAt`, checked, or now. */
export function holdTime(input: HoldVersionInput): string {
  return isoTimestamp(input.heldAt ?? new Date().toISOString(), 'heldAt');
}

/** When a hold is decided (accepted, rejected): `at`, checked, or now. */
export function decisionTime(at: string | undefined): string {
  return isoTimestamp(at ?? new Date().toISOString(), 'at');
}

export const HELD_COLUMNS =
  'instance, version, based_on, status, held_at, decided_at, versions, report';

/** The values of a new hold, in the order of the held_versions upsert (statements.ts). */
export function heldValues(input: HoldVersionInput, heldAt: string): unknown[] {
  return [
    input.instance,
    input.version,
    input.basedOn,
    heldAt,
    JSON.stringify(input.steps.map((step) => step.version)),
    JSON.stringify(input.report),
    JSON.stringify(input.steps),
  ];
}

export interface HeldRow {
  readonly instance: string;
  readonly version: string;
  readonly based_on: string;
  readonly status: HeldStatus;
  readonly held_at: string | Date;
  readonly decided_at: string | Date | null;
  readonly versions: string;
  readonly report: string;
}

const isoOf = (value: string | Date): string =>
  value instanceof Date ? value.toISOString() : value;

export function toHeldVersion(row: HeldRow, deliveries?: readonly string[]): HeldVersion {
  return {
    instance: row.instance,
    version: row.version,
    basedOn: row.based_on,
    status: row.status,
    heldAt: isoOf(row.held_at),
    decidedAt: row.decided_at === null ? null : isoOf(row.decided_at),
    versions: JSON.parse(row.versions) as VersionId[],
    report: JSON.parse(row.report) as GuardReport,
    ...(deliveries === undefined ? {} : { deliveries }),
  };
}

export function checkHeldStatusFilter(status: string | undefined): void {
  if (status !== undefined && !(HELD_STATUSES as readonly string[]).includes(status)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `held status must be one of ${HELD_STATUSES.join(', ')}; received ${describeValue(status)}`,
    );
  }
}

/** `ipurl copy` imports deliveries as they are: only the events ipurl sends. */
export function checkDeliveryEvent(event: string | undefined): void {
  if (
    event !== undefined &&
    event !== 'version.published' &&
    event !== 'version.held' &&
    event !== 'overlay.changed'
  ) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `delivery event must be version.published, version.held or overlay.changed; received ${describeValue(event)}`,
    );
  }
}
