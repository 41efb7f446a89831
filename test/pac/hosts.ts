/**
 * Concrete host names to test PAC files with: every URL pattern of a version turned into hosts
 * that match it (each `*` filled with a label, several labels or nothing; `<tenant>` filled with
 * tenant names), plus the hosts around it a PAC can get wrong: subdomains, the bare apex of
 * `*.x.com`, upper case, and near misses (`outlook.office365.com.example.net`,
 * `xoutlook.office365.com`, a missing or extra character).
 */
import type { EndpointSet } from '../../src/core/endpoint-set.js';

const FILLS = ['a', 'x-y.z9', ''];
const TENANTS = ['contoso', 'fabrikam', '*'];

/** Hosts that no Microsoft pattern should match or that probe object-lookup pitfalls. */
export const FIXED_HOSTS: readonly string[] = [
  'localhost',
  'intranet',
  '10.1.2.3',
  'www.example.com',
  'example.net',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'toString',
  'a.constructor',
  'x.__proto__',
  '.',
  'outlook.office365.com.example.net',
  'xoutlook.office365.com',
  'OUTLOOK.OFFICE365.COM',
  'Outlook.Office365.com',
  'outlook.office365.com.',
  'contoso.sharepoint.com',
  'contoso-files.sharepoint.com',
  'contoso-myfiles.sharepoint.com',
  'contoso-my.sharepoint.com',
  'CONTOSO-FILES.SHAREPOINT.COM',
  'sharepoint.com',
  'autodiscover.contoso.onmicrosoft.com',
  'autodiscover.contoso.mail.onmicrosoft.com',
  'autodiscover.fabrikam.onmicrosoft.com',
  'contoso.onmicrosoft.com',
  'www.cdn.onenote.net',
  'xcdn.onenote.net',
  'cdn.onenote.net.evil.example',
];

function fill(pattern: string, tenant: string, fills: readonly string[]): string[] {
  const withTenant = pattern.split('<tenant>').join(tenant);
  if (!withTenant.includes('*')) return [withTenant];
  return fills.map((label) => withTenant.split('*').join(label));
}

/**
 * Hosts derived from one pattern. `thorough` fills each `*` three ways (a label, two labels with a
 * hyphen, nothing); otherwise with one label only (for the slow shExpMatch-chain PAC).
 */
export function hostsForPattern(pattern: string, thorough = true): string[] {
  const out: string[] = [];
  const tenants = pattern.includes('<tenant>') ? TENANTS : ['*'];
  for (const tenant of tenants) {
    for (const host of fill(pattern, tenant, thorough ? FILLS : FILLS.slice(0, 1))) {
      out.push(host, `sub.${host}`, host.toUpperCase(), `${host}.example.net`, `x${host}`);
      if (thorough) out.push(host.slice(1));
    }
  }
  // `*.x.com`: the bare apex and the apex's neighbours.
  const apex = pattern.replace(/^[^.]*\*[^.]*\./, '');
  if (apex !== pattern) out.push(apex, `x${apex}`, `x.${apex}`);
  return out;
}

/** Every host for a version's patterns, de-duplicated, in a stable order; "" excluded. */
export function hostsForSets(
  sets: readonly EndpointSet[],
  thorough = true,
  extra: readonly string[] = FIXED_HOSTS,
): string[] {
  const hosts = new Set<string>();
  for (const set of sets)
    for (const url of set.urls ?? [])
      for (const host of hostsForPattern(url, thorough)) hosts.add(host);
  for (const host of extra) hosts.add(host);
  hosts.delete('');
  return [...hosts];
}
