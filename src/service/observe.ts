/**
 * `ipurl observe`: resolve the concrete names of URL-only endpoint sets (core/observation.ts
 * namesToObserve: exact hosts only, wildcards never guessed), A and AAAA, and keep every answer
 * with its set, first and last seen and TTL (Store observations). Addresses pass the same sanity
 * policy as published prefixes (core/sanity-policy.ts; a documentation or private address in an
 * answer is refused and reported). What a run does not see again ages out after `expireSeconds`.
 *
 * Failures: an error for one name (SERVFAIL, timeout, a refused or garbled answer) is reported
 * with the name, and the other names go on. When no name at all gets an answer, the resolver is
 * down: nothing is expired (the last observations stay), and the error is reported once per
 * episode (state `observe:<instance>` remembers it) until a run succeeds again.
 */
import { safeParseCidr } from '../core/cidr.js';
import { IpurlError, describeValue } from '../core/errors.js';
import { canonicalInstance } from '../core/instance.js';
import { namesToObserve, type ObservationInput } from '../core/observation.js';
import { DEFAULT_POLICY, prefixProblem } from '../core/sanity-policy.js';
import type { Store } from '../core/store.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly ttl: number;
}

/** A DNS client (src/client/dns-resolver.ts); rejects on failure, [] for no address. */
export interface NameResolver {
  readonly server: string;
  resolve4(name: string): Promise<ResolvedAddress[]>;
  resolve6(name: string): Promise<ResolvedAddress[]>;
}

export interface ObserveState {
  readonly lastRunAt: string;
  readonly resolver: string;
  readonly version: string;
  readonly names: number;
  readonly answered: number;
  readonly addresses: number;
  readonly added: number;
  readonly expired: number;
  readonly errors: ReadonlyArray<{ readonly name: string; readonly error: string }>;
  readonly refused: ReadonlyArray<{
    readonly name: string;
    readonly address: string;
    readonly why: string;
  }>;
  /** The resolver answered no name at all in the last run. */
  readonly resolverDown: boolean;
  readonly downSince?: string;
}

export interface ObserveReport extends ObserveState {
  readonly instance: string;
  /** True when this run starts a resolver outage (report it); false while one continues. */
  readonly newOutage: boolean;
  readonly recovered: boolean;
}

export const observeStateKey = (instance: string): string => `observe:${instance}`;

export async function readObserveState(
  store: Store,
  instance: string,
): Promise<ObserveState | undefined> {
  const text = await store.getState(observeStateKey(instance));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as ObserveState;
  } catch {
    return undefined;
  }
}

/** `127.0.0.1:53`, `[::1]:5353` → the same text, or ERR_INVALID_PARAMETER naming the flag. */
export function parseResolverAddress(text: string, parameter = '--resolver'): string {
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text);
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text);
  const host = v4?.[1] ?? v6?.[1];
  const port = Number(v4?.[2] ?? v6?.[2]);
  const parsed = host === undefined ? undefined : safeParseCidr(host);
  if (parsed === undefined || !parsed.ok || !(port >= 1 && port <= 65535)) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `${parameter}: ${JSON.stringify(describeValue(text))} is not host:port; expected an IP address and a port 1–65535, e.g. 127.0.0.1:53 or [::1]:5353`,
      { details: { parameter, value: describeValue(text) } },
    );
  }
  return text;
}

function errorText(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const meaning: Record<string, string> = {
    ESERVFAIL: 'the resolver answered SERVFAIL',
    ETIMEOUT: 'no answer (timeout)',
    ECONNREFUSED: 'the resolver refused the connection',
    EREFUSED: 'the resolver answered REFUSED',
    EBADRESP: 'a malformed answer',
    EFORMERR: 'the resolver answered FORMERR',
    EBADFAMILY: 'a malformed answer',
  };
  return code !== undefined && meaning[code] !== undefined ? `${meaning[code]} (${code})` : message;
}

export async function observeOnce(
  store: Store,
  resolver: NameResolver,
  options: { instance: string; expireSeconds: number; now?: Date },
): Promise<ObserveReport> {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const instances = (await store.listInstances()).map((s) => s.instance);
  const instance = canonicalInstance(instances, options.instance);
  if (instance === undefined) {
    throw new IpurlError(
      'ERR_UNKNOWN_INSTANCE',
      `unknown instance ${JSON.stringify(describeValue(options.instance))}; this store has ${instances.join(', ') || 'no instance yet'}`,
    );
  }
  const version = (await store.listVersions(instance))[0]?.version;
  const sets =
    version === undefined ? [] : ((await store.getEndpointSets(instance, version)) ?? []);
  const names = namesToObserve(sets);
  const answers: ObservationInput[] = [];
  const errors: Array<{ name: string; error: string }> = [];
  const refused: Array<{ name: string; address: string; why: string }> = [];
  let answered = 0;
  for (const { setId, name } of names) {
    const results = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      errors.push({ name, error: errorText(failed.reason) });
      continue;
    }
    answered += 1;
    for (const result of results) {
      if (result.status !== 'fulfilled') continue;
      for (const { address, ttl } of result.value) {
        const parsed = safeParseCidr(address);
        if (!parsed.ok || parsed.value.prefix !== (parsed.value.family === 4 ? 32 : 128)) {
          refused.push({ name, address: describeValue(address, 60), why: 'not an IP address' });
          continue;
        }
        const problem = prefixProblem(parsed.value, DEFAULT_POLICY);
        if (problem !== undefined) {
          refused.push({ name, address, why: problem.why });
          continue;
        }
        const text = parsed.value.text.slice(0, parsed.value.text.indexOf('/'));
        answers.push({
          setId,
          name,
          address: text,
          family: parsed.value.family,
          ttl: Math.max(0, Math.trunc(ttl)),
        });
      }
    }
  }
  const previous = await readObserveState(store, instance);
  const resolverDown = names.length > 0 && answered === 0;
  const added = await store.recordObservations(instance, at, answers);
  // A resolver outage expires nothing: the last observations stay until it answers again.
  const expired = resolverDown
    ? 0
    : await store.expireObservations(
        instance,
        new Date(now.getTime() - options.expireSeconds * 1000).toISOString(),
      );
  const state: ObserveState = {
    lastRunAt: at,
    resolver: resolver.server,
    version: version ?? '',
    names: names.length,
    answered,
    addresses: answers.length,
    added,
    expired,
    errors,
    refused,
    resolverDown,
    ...(resolverDown
      ? { downSince: previous?.resolverDown === true ? (previous.downSince ?? at) : at }
      : {}),
  };
  await store.setState(observeStateKey(instance), JSON.stringify(state));
  return {
    ...state,
    instance,
    newOutage: resolverDown && previous?.resolverDown !== true,
    recovered: !resolverDown && previous?.resolverDown === true,
  };
}

export interface ObserveSummary {
  readonly instance: string;
  /** Observed addresses stored now. */
  readonly addresses: number;
  readonly lastRunAt: string;
  readonly resolver: string;
  readonly errors: number;
  readonly resolverDown: boolean;
  readonly downSince?: string;
}

/** Per instance that was observed: stored count and the last run (status, /metrics). */
export async function observeSummaries(store: Store): Promise<ObserveSummary[]> {
  const out: ObserveSummary[] = [];
  for (const row of await store.listState()) {
    if (!row.key.startsWith('observe:')) continue;
    const instance = row.key.slice('observe:'.length);
    let state: ObserveState;
    try {
      state = JSON.parse(row.value) as ObserveState;
    } catch {
      continue;
    }
    out.push({
      instance,
      addresses: (await store.listObservations(instance)).length,
      lastRunAt: state.lastRunAt,
      resolver: state.resolver,
      errors: state.errors.length,
      resolverDown: state.resolverDown,
      ...(state.downSince !== undefined ? { downSince: state.downSince } : {}),
    });
  }
  return out;
}

/** Observations of `instance` whose address is exactly `address` (canonical text), for lookups. */
export async function observedFor(
  store: Store,
  instance: string,
  address: string,
): Promise<
  Array<{ setId: number; name: string; firstSeen: string; lastSeen: string; ttl: number }>
> {
  return (await store.listObservations(instance))
    .filter((o) => o.address === address)
    .map((o) => ({
      setId: o.setId,
      name: o.name,
      firstSeen: o.firstSeen,
      lastSeen: o.lastSeen,
      ttl: o.ttl,
    }));
}
