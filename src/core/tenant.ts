/**
 * Tenant names and the `<tenant>` placeholder (docs/api.md, "GET /endpoints/{instance}").
 *
 * Stored URLs keep the literal placeholder `<tenant>`; the wire renders it as the request's
 * TenantName, or as `*` without one. Only placeholder positions change: an ordinary `*` wildcard
 * stays `*`.
 */
import { TENANT_PLACEHOLDER } from './endpoint-set.js';
import { IpurlError, describeValue } from './errors.js';

export type TenantNameResult =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** The rule, quoted in every rejection (docs/errors.md, ERR_INVALID_TENANT_NAME). */
export const TENANT_NAME_RULE =
  'a DNS label: 1–63 letters, digits or "-", not starting or ending with "-"';

const TENANT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Check a TenantName; the accepted value is lower-cased (docs/api.md). Never throws. */
export function safeParseTenantName(text: string): TenantNameResult {
  if (TENANT_NAME.test(text)) return { ok: true, value: text.toLowerCase() };
  return {
    ok: false,
    reason: `TenantName "${describeValue(text, 80)}" is not valid: expected ${TENANT_NAME_RULE}`,
  };
}

/** Like safeParseTenantName, but throws IpurlError ERR_INVALID_TENANT_NAME (docs/errors.md). */
export function parseTenantName(text: string): string {
  const result = safeParseTenantName(text);
  if (!result.ok) {
    throw new IpurlError('ERR_INVALID_TENANT_NAME', result.reason, {
      details: { value: describeValue(text), accepted: TENANT_NAME_RULE },
    });
  }
  return result.value;
}

/** True when a stored URL carries the placeholder. */
export function hasTenantPlaceholder(url: string): boolean {
  return url.includes(TENANT_PLACEHOLDER);
}

/**
 * Render one stored URL for the wire: every `<tenant>` becomes `tenantName` (already parsed by
 * parseTenantName), or `*` when there is none. URLs without the placeholder are
 * returned as they are.
 */
export function renderUrl(url: string, tenantName?: string): string {
  if (!url.includes(TENANT_PLACEHOLDER)) return url;
  return url.split(TENANT_PLACEHOLDER).join(tenantName ?? '*');
}

/**
 * Several tenants (issue 11): a URL with the placeholder once per tenant, in the order given;
 * without tenants the wire's `*`. URLs without the placeholder are returned alone.
 */
export function renderUrlForTenants(url: string, tenantNames: readonly string[]): string[] {
  if (!url.includes(TENANT_PLACEHOLDER)) return [url];
  if (tenantNames.length === 0) return [renderUrl(url)];
  return tenantNames.map((tenant) => renderUrl(url, tenant));
}

/** Parse repeated tenant names (each a DNS label, lower-cased), duplicates dropped. */
export function parseTenantNames(texts: readonly string[]): string[] {
  return [...new Set(texts.map(parseTenantName))];
}
