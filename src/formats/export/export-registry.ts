/**
 * The export targets by name (CLI `ipurl export <instance> <target>`, HTTP
 * `GET /export/{instance}/{target}`), with what each can express (docs/formats.md).
 */
import { IpurlError, describeValue } from '../../core/errors.js';
import { renderCisco } from './export-cisco.js';
import { renderDnsmasq } from './export-dnsmasq.js';
import { renderF5 } from './export-f5.js';
import { renderCsv, renderJson } from './export-flat.js';
import { renderIpset } from './export-ipset.js';
import { renderIptables } from './export-iptables.js';
import { renderList } from './export-list.js';
import { renderNftables } from './export-nftables.js';
import { renderOpenvpn } from './export-openvpn.js';
import { renderSquid } from './export-squid.js';
import { TEXT_MEDIA_TYPE as TEXT } from './export-model.js';
import type { TargetInfo, TargetName } from './export-types.js';
import { renderWindowsRoutes } from './export-windows-routes.js';
import { renderWireguard } from './export-wireguard.js';

/**
 * What the split-tunnel targets share: prefixes routed one way (no ports, no categories, no host
 * patterns), the Optimize category unless the request names others.
 */
const SPLIT_TUNNEL = {
  mediaType: TEXT,
  kinds: ['ipv4', 'ipv6'],
  ports: false,
  categories: false,
  wildcards: 'none',
  aggregates: true,
  defaultCategories: ['Optimize'],
} as const satisfies Partial<TargetInfo>;

export const EXPORT_TARGETS: readonly TargetInfo[] = [
  {
    name: 'list',
    title: 'Plain lists (Palo Alto EDL, Fortinet threat feed, OPNsense/pfSense URL table)',
    mediaType: TEXT,
    extension: 'txt',
    kinds: ['ipv4', 'ipv6', 'url'],
    ports: false,
    categories: false,
    wildcards: 'prefix',
    aggregates: true,
    render: renderList,
  },
  {
    name: 'nftables',
    title: 'nftables ruleset (nft -f): interval sets and category chains',
    mediaType: TEXT,
    extension: 'nft',
    kinds: ['ipv4', 'ipv6'],
    ports: true,
    categories: true,
    wildcards: 'none',
    aggregates: true,
    render: renderNftables,
  },
  {
    name: 'ipset',
    title: 'ipset restore file (hash:net, atomic swap)',
    mediaType: TEXT,
    extension: 'ipset',
    kinds: ['ipv4', 'ipv6'],
    ports: false,
    categories: true,
    wildcards: 'none',
    aggregates: true,
    render: renderIpset,
  },
  {
    name: 'iptables',
    title: 'iptables-restore / ip6tables-restore chains',
    mediaType: TEXT,
    extension: 'iptables',
    kinds: ['ipv4', 'ipv6'],
    ports: true,
    categories: true,
    wildcards: 'none',
    aggregates: true,
    render: renderIptables,
  },
  {
    name: 'squid',
    title: 'Squid dstdomain / dstdom_regex ACL files and include',
    mediaType: TEXT,
    extension: 'conf',
    kinds: ['url'],
    ports: false,
    categories: true,
    wildcards: 'any',
    aggregates: false,
    render: renderSquid,
  },
  {
    name: 'f5',
    title: 'F5 BIG-IP external data group files',
    mediaType: TEXT,
    extension: '',
    kinds: ['ipv4', 'ipv6', 'url'],
    ports: false,
    categories: true,
    wildcards: 'prefix',
    aggregates: true,
    render: renderF5,
  },
  {
    name: 'cisco',
    title: 'Cisco ASA/FTD object-group network',
    mediaType: TEXT,
    extension: 'txt',
    kinds: ['ipv4', 'ipv6'],
    ports: false,
    categories: true,
    wildcards: 'none',
    aggregates: true,
    render: renderCisco,
  },
  {
    name: 'csv',
    title: 'Flat CSV rows, one per address',
    mediaType: 'text/csv; charset=utf-8',
    extension: 'csv',
    kinds: ['ipv4', 'ipv6', 'url'],
    ports: true,
    categories: true,
    wildcards: 'any',
    aggregates: false,
    render: renderCsv,
  },
  {
    name: 'json',
    title: 'Flat JSON rows, one per address',
    mediaType: 'application/json; charset=utf-8',
    extension: 'json',
    kinds: ['ipv4', 'ipv6', 'url'],
    ports: true,
    categories: true,
    wildcards: 'any',
    aggregates: false,
    render: renderJson,
  },
  {
    name: 'dnsmasq',
    title: 'dnsmasq nftset= / ipset= lines and the sets they fill (DNS-driven address sets)',
    mediaType: TEXT,
    extension: 'conf',
    kinds: ['url'],
    ports: false,
    categories: true,
    wildcards: 'prefix',
    aggregates: false,
    render: renderDnsmasq,
  },
  {
    name: 'wireguard',
    title: 'WireGuard AllowedIPs: a full tunnel minus the chosen prefixes (split tunnel)',
    extension: 'conf',
    ...SPLIT_TUNNEL,
    render: renderWireguard,
  },
  {
    name: 'openvpn',
    title: 'OpenVPN route … net_gateway lines (split tunnel; push form with --push)',
    extension: 'conf',
    ...SPLIT_TUNNEL,
    render: renderOpenvpn,
  },
  {
    name: 'windows-routes',
    title: 'PowerShell New-NetRoute script for the named interface (split tunnel)',
    extension: 'ps1',
    ...SPLIT_TUNNEL,
    render: renderWindowsRoutes,
  },
];

export const TARGET_NAMES: readonly TargetName[] = EXPORT_TARGETS.map((t) => t.name);

/** The target named (any case), or ERR_INVALID_PARAMETER listing the targets. */
export function getTarget(name: string): TargetInfo {
  const lower = name.toLowerCase();
  const target = EXPORT_TARGETS.find((t) => t.name === lower);
  if (target === undefined) {
    throw new IpurlError(
      'ERR_INVALID_PARAMETER',
      `unknown export target ${JSON.stringify(describeValue(name))}; accepted: ${TARGET_NAMES.join(', ')}`,
      { details: { value: describeValue(name), accepted: TARGET_NAMES } },
    );
  }
  return target;
}
