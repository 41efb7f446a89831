/**
 * Validation of a new overlay entry, from CLI flags or an admin request body (one JSON shape):
 *
 *   {"action":"add","ips":["10.20.0.0/16"],"urls":["proxy.contoso.net"],"category":"Optimize",
 *    "serviceArea":"Common","tcpPorts":"443","udpPorts":"3478","allow":["private"],
 *    "note":"internal proxy","by":"alice"}
 *   {"action":"exclude","setIds":[56],"urls":["*.yammer.com"],"ips":["52.112.0.0/14"],
 *    "serviceAreas":["Skype"],"note":"…","by":"alice"}
 *   {"action":"remove","target":12,"note":"…","by":"alice"}
 *
 * An addition goes through the SAME validator and sanity policy as published data
 * (core/validate.ts, core/sanity-policy.ts): it is checked as an endpoint set. A rule of the policy
 * is relaxed only for the entry that names it in `allow`, and the relaxation is recorded with it.
 * Every problem is reported at once (path, value, reason); an exclusion that matches nothing
 * published today is a warning only: it is stored (the next version may bring the entry back).
 */
import { safeParseCidr } from './cidr.js';
import {
  CATEGORIES,
  SERVICE_AREAS,
  canonicalServiceArea,
  isCategory,
  type EndpointSet,
  type ServiceArea,
} from './endpoint-set.js';
import { describeValue, type Issue } from './errors.js';
import type { OverlayChange, OverlayEntry, OverlayExclusion } from './overlay.js';
import { LOCAL_DISPLAY_NAME, removalOf } from './overlay.js';
import { unmatchedWarnings } from './overlay-apply.js';
import {
  makePolicy,
  setIssues,
  textIssues,
  DEFAULT_POLICY,
  type SanityRule,
} from './sanity-policy.js';
import { validateDocument } from './validate.js';

export interface OverlayContext {
  readonly instance: string;
  /** Every set id the instance ever published, with its area: an exclusion names one of them. */
  readonly knownSetIds: ReadonlyMap<number, string>;
  /** The latest published sets: an exclusion that matches none of them is warned about. */
  readonly sets: readonly EndpointSet[];
  /** The store's overlay history (for `remove`). */
  readonly history: readonly OverlayChange[];
}

export interface OverlayValidation {
  /** The normalised entry; meaningful only when `issues` is empty. */
  readonly entry: OverlayEntry | undefined;
  readonly by: string;
  readonly note: string;
  readonly relaxedRules: readonly SanityRule[];
  readonly issues: Issue[];
  readonly warnings: string[];
}

const COMMON_MEMBERS = ['action', 'note', 'by'];
const MEMBERS: Record<string, readonly string[]> = {
  add: [
    ...COMMON_MEMBERS,
    'ips',
    'urls',
    'category',
    'serviceArea',
    'tcpPorts',
    'udpPorts',
    'allow',
  ],
  exclude: [...COMMON_MEMBERS, 'setIds', 'urls', 'ips', 'serviceAreas'],
  remove: [...COMMON_MEMBERS, 'target'],
};

type Raw = Readonly<Record<string, unknown>>;

function push(issues: Issue[], path: string, value: unknown, reason: string): void {
  issues.push({ path, value: describeValue(value), reason });
}

/** Validate one entry (see the module comment). Never throws. */
export function validateOverlayEntry(input: unknown, context: OverlayContext): OverlayValidation {
  const issues: Issue[] = [];
  const warnings: string[] = [];
  const none = { entry: undefined, by: '', note: '', relaxedRules: [], issues, warnings };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    push(issues, '$', input, 'expected a JSON object describing one overlay entry');
    return none;
  }
  const raw = input as Raw;
  const action = raw.action;
  if (action !== 'add' && action !== 'exclude' && action !== 'remove') {
    push(issues, 'action', action ?? '(missing)', 'expected "add", "exclude" or "remove"');
    return none;
  }
  // A member of another action is a contradiction (`--category` on an exclusion means nothing).
  for (const member of Object.keys(raw)) {
    if (!MEMBERS[action]!.includes(member)) {
      const owner = Object.keys(MEMBERS).filter((a) => MEMBERS[a]!.includes(member));
      const hint = owner.length > 0 ? `it belongs to ${owner.join('/')} entries` : 'unknown member';
      push(
        issues,
        member,
        raw[member],
        `not part of an ${action} entry (${hint}); accepted: ${MEMBERS[action]!.join(', ')}`,
      );
    }
  }
  const by = stringMember(raw, 'by', issues, 64) ?? '';
  const note = stringMember(raw, 'note', issues, 500) ?? '';
  if (by.trim() === '')
    push(issues, 'by', raw.by ?? '(missing)', 'who makes the change: a non-empty user name (--by)');
  issues.push(...textIssues(by, 'by', DEFAULT_POLICY), ...textIssues(note, 'note', DEFAULT_POLICY));
  const relaxedRules = action === 'add' ? allowMember(raw, issues) : [];
  let entry: OverlayEntry | undefined;
  if (action === 'add') entry = validateAddition(raw, relaxedRules, issues);
  else if (action === 'exclude') entry = validateExclusion(raw, context, issues, warnings);
  else entry = validateRemoval(raw, context, issues);
  return {
    entry: issues.length === 0 ? entry : undefined,
    by,
    note,
    relaxedRules,
    issues,
    warnings,
  };
}

function stringMember(raw: Raw, member: string, issues: Issue[], max: number): string | undefined {
  const value = raw[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    push(issues, member, value, 'expected a string');
    return undefined;
  }
  if (value.length > max)
    push(issues, member, value, `at most ${max} characters; received ${value.length}`);
  return value;
}

function stringList(raw: Raw, member: string, issues: Issue[]): string[] {
  const value = raw[member];
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    push(issues, member, value, 'expected an array of strings');
    return [];
  }
  return value as string[];
}

function allowMember(raw: Raw, issues: Issue[]): SanityRule[] {
  const list = stringList(raw, 'allow', issues);
  try {
    return [...makePolicy(list).allow];
  } catch (error) {
    push(issues, 'allow', list.join(','), error instanceof Error ? error.message : String(error));
    return [];
  }
}

/** An addition is checked as one endpoint set by the publish validator and the sanity policy. */
function validateAddition(
  raw: Raw,
  allow: readonly SanityRule[],
  issues: Issue[],
): OverlayEntry | undefined {
  const ips = stringList(raw, 'ips', issues);
  const urls = stringList(raw, 'urls', issues);
  if (ips.length === 0 && urls.length === 0) {
    push(
      issues,
      'ips',
      '(none)',
      'an addition needs at least one address prefix (ips, --ip) or host pattern (urls, --url)',
    );
  }
  const category = raw.category;
  if (typeof category !== 'string' || !isCategory(category)) {
    push(
      issues,
      'category',
      category ?? '(missing)',
      `an addition needs its category; accepted: ${CATEGORIES.join(', ')}`,
    );
  }
  const area = raw.serviceArea === undefined ? 'Common' : raw.serviceArea;
  const serviceArea = typeof area === 'string' ? canonicalServiceArea(area) : undefined;
  if (serviceArea === undefined) {
    push(
      issues,
      'serviceArea',
      area,
      `unknown service area; accepted: ${SERVICE_AREAS.join(', ')}`,
    );
  }
  if (ips.length > 0 && raw.tcpPorts === undefined && raw.udpPorts === undefined) {
    push(
      issues,
      'tcpPorts',
      '(none)',
      'an address addition opens nothing without ports: give tcpPorts (--tcp) or udpPorts (--udp), e.g. "443"',
    );
  }
  const document = [
    {
      id: 1,
      serviceArea: serviceArea ?? 'Common',
      serviceAreaDisplayName: LOCAL_DISPLAY_NAME,
      ...(urls.length > 0 ? { urls } : {}),
      ...(ips.length > 0 ? { ips } : {}),
      ...(raw.tcpPorts === undefined ? {} : { tcpPorts: raw.tcpPorts }),
      ...(raw.udpPorts === undefined ? {} : { udpPorts: raw.udpPorts }),
      expressRoute: false,
      category: typeof category === 'string' && isCategory(category) ? category : 'Default',
      required: false,
    },
  ];
  const checked = validateDocument(document);
  const relocate = (issue: Issue): Issue => {
    const { setId: _setId, ...rest } = issue;
    return { ...rest, path: issue.path.replace(/^\[0\]\.?/, '') || '$' };
  };
  issues.push(...checked.issues.map(relocate));
  const set = checked.sets[0];
  if (set === undefined || checked.issues.length > 0) return undefined;
  issues.push(...setIssues([set], makePolicy(allow)).map(relocate));
  for (const port of ['tcpPorts', 'udpPorts'] as const) {
    if (set[port] === '') push(issues, port, '', 'an empty port list opens nothing; omit it');
  }
  return {
    action: 'add',
    ...(set.ips === undefined ? {} : { ips: set.ips }),
    ...(set.urls === undefined ? {} : { urls: set.urls }),
    category: set.category,
    serviceArea: set.serviceArea,
    ...(set.tcpPorts === undefined ? {} : { tcpPorts: set.tcpPorts }),
    ...(set.udpPorts === undefined ? {} : { udpPorts: set.udpPorts }),
  };
}

function validateExclusion(
  raw: Raw,
  context: OverlayContext,
  issues: Issue[],
  warnings: string[],
): OverlayEntry | undefined {
  const setIdsRaw = raw.setIds === undefined ? [] : raw.setIds;
  const setIds: number[] = [];
  if (!Array.isArray(setIdsRaw)) push(issues, 'setIds', setIdsRaw, 'expected an array of set ids');
  else {
    setIdsRaw.forEach((id: unknown, i) => {
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
        push(issues, `setIds[${i}]`, id, 'expected a positive whole number (an endpoint set id)');
      } else if (!context.knownSetIds.has(id)) {
        const ids = [...context.knownSetIds.keys()].sort((a, b) => a - b);
        push(
          issues,
          `setIds[${i}]`,
          id,
          `${context.instance} never published set ${id}; its ids run ${ids[0] ?? '-'}…${ids[ids.length - 1] ?? '-'}`,
        );
      } else setIds.push(id);
    });
  }
  const urls: string[] = [];
  stringList(raw, 'urls', issues).forEach((url, i) => {
    const lower = url.toLowerCase();
    const parsed = validateDocument([
      {
        id: 1,
        serviceArea: 'Common',
        serviceAreaDisplayName: LOCAL_DISPLAY_NAME,
        urls: [lower],
        expressRoute: false,
        category: 'Default',
        required: false,
      },
    ]);
    if (parsed.issues.length > 0) push(issues, `urls[${i}]`, url, parsed.issues[0]!.reason);
    else urls.push(lower);
  });
  const ips: string[] = [];
  stringList(raw, 'ips', issues).forEach((ip, i) => {
    const parsed = safeParseCidr(ip);
    if (!parsed.ok) push(issues, `ips[${i}]`, ip, `not a CIDR prefix: ${parsed.reason}`);
    else if (!ip.includes('/') || parsed.value.text !== ip) {
      push(
        issues,
        `ips[${i}]`,
        ip,
        `write the prefix in canonical form with its length: "${parsed.value.text}"`,
      );
    } else ips.push(ip);
  });
  const serviceAreas: ServiceArea[] = [];
  stringList(raw, 'serviceAreas', issues).forEach((area, i) => {
    const canonical = canonicalServiceArea(area);
    if (canonical === undefined)
      push(
        issues,
        `serviceAreas[${i}]`,
        area,
        `unknown service area; accepted: ${SERVICE_AREAS.join(', ')}`,
      );
    else serviceAreas.push(canonical);
  });
  if (issues.length > 0) return undefined;
  if (setIds.length + urls.length + ips.length + serviceAreas.length === 0) {
    push(
      issues,
      'setIds',
      '(none)',
      'an exclusion names what to leave out: setIds (--set), urls (--url), ips (--ip) or serviceAreas (--service-area)',
    );
    return undefined;
  }
  const entry: OverlayExclusion = {
    action: 'exclude',
    ...(setIds.length > 0 ? { setIds: [...new Set(setIds)] } : {}),
    ...(urls.length > 0 ? { urls: [...new Set(urls)] } : {}),
    ...(ips.length > 0 ? { ips: [...new Set(ips)] } : {}),
    ...(serviceAreas.length > 0 ? { serviceAreas: [...new Set(serviceAreas)] } : {}),
  };
  warnings.push(...unmatchedWarnings(entry, context.sets));
  return entry;
}

function validateRemoval(
  raw: Raw,
  context: OverlayContext,
  issues: Issue[],
): OverlayEntry | undefined {
  const target = raw.target;
  if (typeof target !== 'number' || !Number.isSafeInteger(target) || target < 1) {
    push(
      issues,
      'target',
      target ?? '(missing)',
      'expected the id of an overlay change (ipurl overlay list shows them)',
    );
    return undefined;
  }
  const change = context.history.find((c) => c.id === target);
  if (change === undefined || change.instance !== context.instance) {
    push(issues, 'target', target, `${context.instance} has no overlay change #${target}`);
    return undefined;
  }
  if (change.entry.action === 'remove') {
    push(
      issues,
      'target',
      target,
      `#${target} is itself a removal; remove the entry it retired by adding it again`,
    );
    return undefined;
  }
  const removal = removalOf(context.history, target);
  if (removal !== undefined) {
    push(
      issues,
      'target',
      target,
      `#${target} was already removed by #${removal.id} (${removal.by}, ${removal.at})`,
    );
    return undefined;
  }
  return { action: 'remove', target };
}
