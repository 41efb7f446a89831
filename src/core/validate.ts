/**
 * Validation of a publisher document: the JSON array of endpoint sets a publisher submits for a new
 * version (publisher form, `<tenant>` allowed in URLs, docs/publishing.md). Every problem is
 * reported at once, as data (valibot's issues: path, value, reason, setId), so a publisher fixes a
 * whole file in one round; `parseDocument` is the throwing twin.
 *
 * Decisions (beyond the data invariants: unique ids, known category and service area, valid
 * CIDRs and port lists):
 * - unknown members are rejected: a typo such as `tcpPort` would otherwise be dropped silently;
 * - CIDRs must be canonical (host bits zero, RFC 5952 text); the reason names the canonical form;
 * - urls are lower-cased (host names are case-insensitive); a url or ip listed twice in one set is
 *   kept once (the published history has one such duplicate, Germany 2018063000 set 5);
 * - a set may have neither urls nor ips: early published versions have such sets (data/README.md);
 * - the normalised result is sorted by id, urls ordinally and ips IPv4 first then numerically
 *   (the order of Microsoft's published data), with empty arrays omitted and members in wire order.
 */
import { compareCidrs, safeParseCidr, type Cidr } from './cidr.js';
import {
  CATEGORIES,
  ENDPOINT_SET_MEMBERS,
  SERVICE_AREAS,
  canonicalServiceArea,
  isCategory,
  isServiceArea,
  type Category,
  type EndpointSet,
  type ServiceArea,
} from './endpoint-set.js';
import { ValidationError, describeValue, type Issue } from './errors.js';
import { MemberIssues, kindOf } from './member-issues.js';
import { safeParsePortList } from './port-list.js';
import { safeParseUrlPattern } from './url-pattern.js';

export interface ValidateContext {
  /** Set ids already published for this instance, with their service area: ids never move. */
  readonly knownSetIds?: ReadonlyMap<number, string>;
}

export interface ValidationResult {
  /** The sets that passed, normalised. Meaningful only when `issues` is empty. */
  readonly sets: EndpointSet[];
  readonly issues: Issue[];
}

/** Members of an endpoint set in wire order (docs/api.md, "GET /endpoints/{instance}"). */
export const SET_MEMBERS = ENDPOINT_SET_MEMBERS;

const REQUIRED_MEMBERS = [
  'id',
  'serviceArea',
  'serviceAreaDisplayName',
  'expressRoute',
  'category',
  'required',
] as const;

const ROOT_PATH = '$';

/** Validate and normalise a whole document (see the module comment). Never throws. */
export function validateDocument(input: unknown, context: ValidateContext = {}): ValidationResult {
  const issues: Issue[] = [];
  if (!Array.isArray(input)) {
    issues.push({
      path: ROOT_PATH,
      value: describeValue(input),
      reason: `expected a JSON array of endpoint sets, received ${kindOf(input)}`,
    });
    return { sets: [], issues };
  }
  const sets: EndpointSet[] = [];
  const firstIndexOfId = new Map<number, number>();
  input.forEach((raw: unknown, index) => {
    const set = validateSet(raw, index, issues, context, firstIndexOfId);
    if (set !== undefined) sets.push(set);
  });
  sets.sort((a, b) => a.id - b.id);
  return { sets, issues };
}

/** Like validateDocument, but throws ValidationError (ERR_VALIDATION) carrying every issue. */
export function parseDocument(input: unknown, context: ValidateContext = {}): EndpointSet[] {
  const { sets, issues } = validateDocument(input, context);
  if (issues.length > 0) {
    const first = issues[0];
    const head = first === undefined ? '' : `; first: ${first.path}: ${first.reason}`;
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    throw new ValidationError(issues, `${count} found in the endpoint-set document${head}`);
  }
  return sets;
}

function validateSet(
  raw: unknown,
  index: number,
  all: Issue[],
  context: ValidateContext,
  firstIndexOfId: Map<number, number>,
): EndpointSet | undefined {
  const issues = new MemberIssues(all, `[${index}]`);
  if (!isPlainObject(raw)) {
    issues.add('', raw, `expected an endpoint set (a JSON object), received ${kindOf(raw)}`);
    return undefined;
  }
  const before = all.length;
  const id = checkId(raw, issues, firstIndexOfId, index);
  issues.setId = id;
  checkMembers(raw, issues);
  const serviceArea = checkServiceArea(raw, issues, id, context);
  const serviceAreaDisplayName = checkDisplayName(raw, issues);
  const urls = checkUrls(raw, issues);
  const ips = checkIps(raw, issues);
  const tcpPorts = checkPorts(raw, 'tcpPorts', issues);
  const udpPorts = checkPorts(raw, 'udpPorts', issues);
  const expressRoute = checkBoolean(raw, 'expressRoute', issues);
  const category = checkCategory(raw, issues);
  const required = checkBoolean(raw, 'required', issues);
  const notes = checkNotes(raw, issues);
  if (all.length > before) return undefined;
  if (
    id === undefined ||
    serviceArea === undefined ||
    serviceAreaDisplayName === undefined ||
    expressRoute === undefined ||
    category === undefined ||
    required === undefined
  ) {
    return undefined; // unreachable: each undefined came with an issue
  }
  return {
    id,
    serviceArea,
    serviceAreaDisplayName,
    ...(urls !== undefined && urls.length > 0 ? { urls } : {}),
    ...(ips !== undefined && ips.length > 0 ? { ips } : {}),
    ...(tcpPorts !== undefined ? { tcpPorts } : {}),
    ...(udpPorts !== undefined ? { udpPorts } : {}),
    expressRoute,
    category,
    required,
    ...(notes !== undefined ? { notes } : {}),
  };
}

type RawSet = Readonly<Record<string, unknown>>;

function isPlainObject(value: unknown): value is RawSet {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Missing required members and unknown extra members (rejected: a typo must not vanish). */
function checkMembers(raw: RawSet, issues: MemberIssues): void {
  for (const member of REQUIRED_MEMBERS) {
    if (!(member in raw)) issues.add(member, '(missing)', `missing required member "${member}"`);
  }
  const known: readonly string[] = SET_MEMBERS;
  for (const member of Object.keys(raw)) {
    if (!known.includes(member)) {
      issues.add(
        member,
        raw[member],
        `unknown member "${member}"; accepted members: ${known.join(', ')}`,
      );
    }
  }
}

/** A positive integer, unique in the document (a set id is immutable). */
function checkId(
  raw: RawSet,
  issues: MemberIssues,
  firstIndexOfId: Map<number, number>,
  index: number,
): number | undefined {
  if (!('id' in raw)) return undefined;
  const id = raw.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
    issues.add('id', id, `expected a positive integer, received ${kindOf(id)}`);
    return undefined;
  }
  const first = firstIndexOfId.get(id);
  if (first !== undefined) {
    issues.add(
      'id',
      id,
      `duplicate id ${id}: already used by the set at [${first}]; ids are unique`,
    );
    return undefined;
  }
  firstIndexOfId.set(id, index);
  return id;
}

function checkServiceArea(
  raw: RawSet,
  issues: MemberIssues,
  id: number | undefined,
  context: ValidateContext,
): ServiceArea | undefined {
  if (!('serviceArea' in raw)) return undefined;
  const value = raw.serviceArea;
  if (typeof value !== 'string' || !isServiceArea(value)) {
    const canonical = typeof value === 'string' ? canonicalServiceArea(value) : undefined;
    const hint = canonical === undefined ? '' : ` (did you mean "${canonical}"?)`;
    issues.add(
      'serviceArea',
      value,
      `unknown service area${hint}; accepted: ${SERVICE_AREAS.join(', ')}`,
    );
    return undefined;
  }
  const known = id === undefined ? undefined : context.knownSetIds?.get(id);
  if (known !== undefined && known !== value) {
    issues.add(
      'serviceArea',
      value,
      `set ${id} was published in service area "${known}"; an id never changes service area (use a new id)`,
    );
    return undefined;
  }
  return value;
}

/**
 * A member's value when `accepts` takes it; otherwise an issue saying `why`. An absent member is
 * undefined without an issue here (checkMembers reports the missing required ones).
 */
function checkMember<T>(
  raw: RawSet,
  member: string,
  issues: MemberIssues,
  accepts: (value: unknown) => value is T,
  why: (value: unknown) => string,
): T | undefined {
  if (!(member in raw)) return undefined;
  const value = raw[member];
  if (accepts(value)) return value;
  issues.add(member, value, why(value));
  return undefined;
}

const isString = (value: unknown): value is string => typeof value === 'string';

function checkDisplayName(raw: RawSet, issues: MemberIssues): string | undefined {
  return checkMember(
    raw,
    'serviceAreaDisplayName',
    issues,
    (value): value is string => isString(value) && value.trim().length > 0,
    () => 'expected a non-empty string such as "Exchange Online"',
  );
}

/** A list member: an array of strings, each checked by `check`; undefined when absent or bad. */
function checkList<T>(
  raw: RawSet,
  member: 'urls' | 'ips',
  issues: MemberIssues,
  check: (item: string, path: string) => T | undefined,
): T[] | undefined {
  if (!(member in raw)) return undefined;
  const value = raw[member];
  if (!Array.isArray(value)) {
    issues.add(member, value, `expected an array of strings, received ${kindOf(value)}`);
    return undefined;
  }
  const out: T[] = [];
  value.forEach((item: unknown, i) => {
    const path = `${member}[${i}]`;
    if (typeof item !== 'string') {
      issues.add(path, item, `expected a string, received ${kindOf(item)}`);
      return;
    }
    const checked = check(item, path);
    if (checked !== undefined) out.push(checked);
  });
  return out;
}

/** Host patterns (url-pattern.ts rules); lower-cased, de-duplicated, sorted ordinally. */
function checkUrls(raw: RawSet, issues: MemberIssues): string[] | undefined {
  const urls = checkList(raw, 'urls', issues, (item, path) => {
    const result = safeParseUrlPattern(item);
    if (result.ok) return result.value;
    issues.add(path, item, `not a valid host pattern: ${result.reason}`);
    return undefined;
  });
  return urls === undefined ? undefined : [...new Set(urls)].sort(compareOrdinal);
}

function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical CIDR prefixes; de-duplicated, IPv4 first, then numerically (Microsoft's order). */
function checkIps(raw: RawSet, issues: MemberIssues): string[] | undefined {
  const cidrs = checkList(raw, 'ips', issues, (item, path): Cidr | undefined => {
    const result = safeParseCidr(item);
    if (!result.ok) {
      issues.add(path, item, `not a CIDR prefix: ${result.reason}`);
      return undefined;
    }
    if (!item.includes('/')) {
      issues.add(path, item, `a prefix needs its length; write "${result.value.text}"`);
      return undefined;
    }
    if (result.value.text !== item) {
      issues.add(
        path,
        item,
        `not in canonical form (host bits zero, RFC 5952 lower-case compressed IPv6); write "${result.value.text}"`,
      );
      return undefined;
    }
    return result.value;
  });
  if (cidrs === undefined) return undefined;
  if (isStrictlyAscending(cidrs)) return cidrs.map((cidr) => cidr.text); // the usual input
  const unique = new Map(cidrs.map((cidr) => [cidr.text, cidr]));
  return [...unique.values()].sort(compareCidrs).map((cidr) => cidr.text);
}

/** Already in published order without duplicates (most documents are): no sort needed. */
function isStrictlyAscending(cidrs: readonly Cidr[]): boolean {
  for (let i = 1; i < cidrs.length; i++) {
    const previous = cidrs[i - 1];
    const current = cidrs[i];
    if (previous === undefined || current === undefined) return false;
    if (compareCidrs(previous, current) >= 0) return false;
  }
  return true;
}

/** Port lists, kept verbatim (spaces are real published data; an empty string too). */
function checkPorts(
  raw: RawSet,
  member: 'tcpPorts' | 'udpPorts',
  issues: MemberIssues,
): string | undefined {
  const value = checkMember(
    raw,
    member,
    issues,
    isString,
    (other) => `expected a string such as "80,443", received ${kindOf(other)}`,
  );
  // The live service sends `"udpPorts": ""` (China set 26, 2025): real data, kept and echoed.
  if (value === undefined || value === '') return value;
  const result = safeParsePortList(value);
  if (!result.ok) {
    issues.add(member, value, `${result.reason} (omit the member when there are no ports)`);
    return undefined;
  }
  return value;
}

function checkBoolean(
  raw: RawSet,
  member: 'expressRoute' | 'required',
  issues: MemberIssues,
): boolean | undefined {
  return checkMember(
    raw,
    member,
    issues,
    (value): value is boolean => typeof value === 'boolean',
    (value) => `expected true or false (a JSON boolean), received ${kindOf(value)}`,
  );
}

function checkCategory(raw: RawSet, issues: MemberIssues): Category | undefined {
  return checkMember(
    raw,
    'category',
    issues,
    (value): value is Category => isString(value) && isCategory(value),
    () => `unknown category; accepted: ${CATEGORIES.join(', ')}`,
  );
}

/** Free text; `""` is real published data and is kept. */
function checkNotes(raw: RawSet, issues: MemberIssues): string | undefined {
  return checkMember(
    raw,
    'notes',
    issues,
    isString,
    (value) => `expected a string, received ${kindOf(value)}`,
  );
}
