/**
 * Validation of change records (the `/changes` JSON an upstream sends, the records `ipurl copy`
 * carries): every record holds only the members of the record shape, each of the right type and
 * form, and every problem is reported at once by path, value and reason, as for endpoint sets.
 *
 * Record: `id` (positive integer, unique), `endpointSetId` (positive integer), `changeDescription`
 * (legacy text), `disposition` (Add | Change | Remove), `version` (YYYYMMDDNN with a calendar date),
 * `impact` (the impact enum), `previous`/`current` (attributes), `add` ({effectiveDate, ips?,
 * urls?}), `remove` ({ips?, urls?}). Attributes: `expressRoute` and `required` as the strings
 * "true"/"false" (as the real service sends them), `serviceArea`, `category`, `tcpPorts`,
 * `udpPorts` (a port list, or "" for a side that had none), `notes`.
 */
import type { ChangeRecord } from './change-record.js';
import { CHANGE_ATTRIBUTES, IMPACTS } from './change-record.js';
import { safeParseCidr } from './cidr.js';
import { CATEGORIES, SERVICE_AREAS, isCategory, isServiceArea } from './endpoint-set.js';
import { describeValue, type Issue } from './errors.js';
import { MemberIssues, kindOf } from './member-issues.js';
import { safeParsePortList } from './port-list.js';
import { safeParseUrlPattern } from './url-pattern.js';
import { VERSION_ZERO, isVersionId, parseYmd, versionDate } from './version-id.js';

export interface ChangeValidationResult {
  /** The records as given, when `issues` is empty. */
  readonly records: ChangeRecord[];
  readonly issues: Issue[];
}

export const CHANGE_RECORD_MEMBERS = [
  'id',
  'endpointSetId',
  'changeDescription',
  'disposition',
  'version',
  'impact',
  'previous',
  'current',
  'add',
  'remove',
] as const;

const ADD_MEMBERS = ['effectiveDate', 'ips', 'urls'] as const;
const REMOVE_MEMBERS = ['ips', 'urls'] as const;
const DISPOSITIONS = ['Add', 'Change', 'Remove'] as const;

type Raw = Readonly<Record<string, unknown>>;

const isObject = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validate a `/changes` answer (or any list of stored records). Never throws. */
export function validateChangeRecords(input: unknown, pathPrefix = ''): ChangeValidationResult {
  const issues: Issue[] = [];
  if (!Array.isArray(input)) {
    issues.push({
      path: pathPrefix === '' ? '$' : pathPrefix,
      value: describeValue(input),
      reason: `expected a JSON array of change records, received ${kindOf(input)}`,
    });
    return { records: [], issues };
  }
  const ids = new Map<number, number>();
  (input as unknown[]).forEach((raw, index) => {
    const at = new MemberIssues(issues, `${pathPrefix}[${index}]`);
    if (!isObject(raw)) {
      at.add('', raw, `expected a change record (a JSON object), received ${kindOf(raw)}`);
      return;
    }
    checkRecord(raw, at, ids, index);
  });
  return { records: issues.length === 0 ? (input as ChangeRecord[]) : [], issues };
}

function checkRecord(raw: Raw, at: MemberIssues, ids: Map<number, number>, index: number): void {
  unknownMembers(raw, CHANGE_RECORD_MEMBERS, '', at);
  const setId = raw.endpointSetId;
  if (!isPositiveInteger(setId)) {
    at.add(
      'endpointSetId',
      setId ?? '(missing)',
      `expected a positive integer (the endpoint set id), received ${kindOf(setId)}`,
    );
  } else at.setId = setId;
  const id = raw.id;
  if (!isPositiveInteger(id)) {
    at.add('id', id ?? '(missing)', `expected a positive integer, received ${kindOf(id)}`);
  } else if (ids.has(id)) {
    at.add(
      'id',
      id,
      `duplicate change record id ${id}: already used by the record at [${ids.get(id)}]`,
    );
  } else ids.set(id, index);
  if (raw.changeDescription !== undefined && typeof raw.changeDescription !== 'string') {
    at.add(
      'changeDescription',
      raw.changeDescription,
      `expected a string, received ${kindOf(raw.changeDescription)}`,
    );
  }
  const disposition = raw.disposition;
  if (
    typeof disposition !== 'string' ||
    !(DISPOSITIONS as readonly string[]).includes(disposition)
  ) {
    at.add('disposition', disposition ?? '(missing)', `expected one of ${DISPOSITIONS.join(', ')}`);
  }
  const version = raw.version;
  if (
    typeof version !== 'string' ||
    !isVersionId(version) ||
    version === VERSION_ZERO ||
    parseYmd(versionDate(version)) === undefined
  ) {
    at.add(
      'version',
      version ?? '(missing)',
      'expected a version YYYYMMDDNN with a calendar date, e.g. "2025013000"',
    );
  }
  if (
    raw.impact !== undefined &&
    (typeof raw.impact !== 'string' || !(IMPACTS as readonly string[]).includes(raw.impact))
  ) {
    at.add('impact', raw.impact, `expected one of ${IMPACTS.join(', ')}`);
  }
  for (const side of ['previous', 'current'] as const) {
    if (raw[side] !== undefined) checkAttributes(raw[side], side, at);
  }
  if (raw.add !== undefined) checkAddresses(raw.add, 'add', ADD_MEMBERS, at);
  if (raw.remove !== undefined) checkAddresses(raw.remove, 'remove', REMOVE_MEMBERS, at);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

function unknownMembers(raw: Raw, known: readonly string[], where: string, at: MemberIssues): void {
  for (const member of Object.keys(raw)) {
    if (!known.includes(member)) {
      const path = where === '' ? member : `${where}.${member}`;
      at.add(
        path,
        raw[member],
        `unknown member "${member}"; accepted members: ${known.join(', ')}`,
      );
    }
  }
}

function checkAttributes(value: unknown, side: 'previous' | 'current', at: MemberIssues): void {
  if (!isObject(value)) {
    at.add(side, value, `expected an object of attributes, received ${kindOf(value)}`);
    return;
  }
  unknownMembers(value, CHANGE_ATTRIBUTES, side, at);
  for (const flag of ['expressRoute', 'required'] as const) {
    const v = value[flag];
    if (v !== undefined && v !== 'true' && v !== 'false') {
      at.add(`${side}.${flag}`, v, `expected the string "true" or "false", received ${kindOf(v)}`);
    }
  }
  const area = value.serviceArea;
  if (area !== undefined && (typeof area !== 'string' || !isServiceArea(area))) {
    at.add(
      `${side}.serviceArea`,
      area,
      `unknown service area; accepted: ${SERVICE_AREAS.join(', ')}`,
    );
  }
  const category = value.category;
  if (category !== undefined && (typeof category !== 'string' || !isCategory(category))) {
    at.add(`${side}.category`, category, `unknown category; accepted: ${CATEGORIES.join(', ')}`);
  }
  for (const ports of ['tcpPorts', 'udpPorts'] as const) {
    const v = value[ports];
    if (v === undefined) continue;
    if (typeof v !== 'string') {
      at.add(`${side}.${ports}`, v, `expected a string such as "80,443", received ${kindOf(v)}`);
      continue;
    }
    if (v === '') continue; // the side that had no ports
    const parsed = safeParsePortList(v);
    if (!parsed.ok) at.add(`${side}.${ports}`, v, parsed.reason);
  }
  if (value.notes !== undefined && typeof value.notes !== 'string') {
    at.add(`${side}.notes`, value.notes, `expected a string, received ${kindOf(value.notes)}`);
  }
}

function checkAddresses(
  value: unknown,
  part: 'add' | 'remove',
  members: readonly string[],
  at: MemberIssues,
): void {
  if (!isObject(value)) {
    at.add(
      part,
      value,
      `expected an object such as {"ips": [...], "urls": [...]}, received ${kindOf(value)}`,
    );
    return;
  }
  unknownMembers(value, members, part, at);
  if (part === 'add') {
    const date = value.effectiveDate;
    if (typeof date !== 'string' || parseYmd(date) === undefined) {
      at.add(
        'add.effectiveDate',
        date ?? '(missing)',
        'expected a calendar date YYYYMMDD, e.g. "20250301"',
      );
    }
  }
  const ips = value.ips;
  if (ips !== undefined) {
    listOf(ips, `${part}.ips`, at, (item, path) => {
      const parsed = safeParseCidr(item);
      if (!parsed.ok) at.add(path, item, `not a CIDR prefix: ${parsed.reason}`);
      else if (!item.includes('/') || parsed.value.text !== item) {
        at.add(
          path,
          item,
          `not a canonical prefix (with its length, host bits zero, RFC 5952); write "${parsed.value.text}"`,
        );
      }
    });
  }
  const urls = value.urls;
  if (urls !== undefined) {
    listOf(urls, `${part}.urls`, at, (item, path) => {
      const parsed = safeParseUrlPattern(item);
      if (!parsed.ok) at.add(path, item, `not a valid host pattern: ${parsed.reason}`);
    });
  }
}

function listOf(
  value: unknown,
  path: string,
  at: MemberIssues,
  check: (item: string, path: string) => void,
): void {
  if (!Array.isArray(value)) {
    at.add(path, value, `expected an array of strings, received ${kindOf(value)}`);
    return;
  }
  (value as unknown[]).forEach((item, i) => {
    if (typeof item !== 'string')
      at.add(`${path}[${i}]`, item, `expected a string, received ${kindOf(item)}`);
    else check(item, `${path}[${i}]`);
  });
}
