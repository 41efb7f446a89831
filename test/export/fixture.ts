/**
 * Sources for the export tests: real bundled versions in an in-memory catalog source, which
 * answers the catalog as the SQLite store does (test/read-services/memory-catalog-source.test.ts)
 * without a database.
 */
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import {
  exportEndpoints,
  type ExportOutcome,
  type ExportRequest,
} from '../../src/service/export.js';
import { openCatalog, type CatalogSource } from '../../src/service/catalog.js';
import { MemoryCatalogSource } from '../../src/store/memory/memory-catalog-source.js';
import { bundledInstances, bundledVersions, readBundled } from '../helpers/bundled-data.js';

/** The fixed version of the golden files. */
export const GOLDEN_INSTANCE = 'Worldwide';
export const GOLDEN_VERSION = '2025013000';
/** A fixed "today" so headers (pending cut-off) are stable. */
export const GOLDEN_NOW = new Date('2025-06-01T00:00:00Z');

export async function sourceWith(
  versions: ReadonlyArray<{ instance: string; version: string; sets?: readonly EndpointSet[] }>,
): Promise<MemoryCatalogSource> {
  const source = new MemoryCatalogSource();
  const latest = new Map<string, string>();
  for (const { instance, version, sets } of versions) {
    await source.appendVersion({
      instance,
      version,
      sets: sets ?? readBundled(instance, version),
      changes: [],
      expectedLatest: latest.get(instance) ?? null,
      notify: false,
    });
    latest.set(instance, version);
  }
  return source;
}

/** The golden version plus the latest bundled version of every instance. */
export function realVersions(): Array<{ instance: string; version: string }> {
  const out = [{ instance: GOLDEN_INSTANCE, version: GOLDEN_VERSION }];
  for (const instance of bundledInstances()) {
    const latest = bundledVersions(instance).at(-1);
    if (latest !== undefined && !(instance === GOLDEN_INSTANCE && latest === GOLDEN_VERSION)) {
      out.push({ instance, version: latest });
    }
  }
  return out;
}

export async function run(
  source: CatalogSource,
  request: Omit<ExportRequest, 'now'> & { now?: Date },
): Promise<ExportOutcome> {
  return exportEndpoints(await openCatalog(source), { now: GOLDEN_NOW, ...request });
}

/** A set with hostile text in every free-text place a publisher could fill. */
export const HOSTILE_NOTE =
  'x"; return "DIRECT"; </script><script>alert(1)</script>\n=HYPERLINK("http://evil")';
export const HOSTILE_URLS = [
  'evil"; return "DIRECT.example.com',
  'a.example.com\ninclude /etc/passwd',
  '</script>.example.com',
  '=cmd|calc.example.com',
  ',=cmd.example.com',
  "x.example.com' -j DROP",
];

export function hostileSets(): EndpointSet[] {
  return [
    {
      id: 1,
      serviceArea: 'Exchange',
      serviceAreaDisplayName: 'Exchange Online',
      urls: ['outlook.office.com', ...HOSTILE_URLS],
      ips: ['13.107.6.152/31', '1.2.3.0/24"; drop', '2603:1006::/40'],
      tcpPorts: '80,443',
      expressRoute: true,
      category: 'Optimize',
      required: true,
      notes: HOSTILE_NOTE,
    },
    {
      id: 2,
      serviceArea: 'Common',
      serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
      ips: ['20.190.128.0/18'],
      tcpPorts: '443"; accept; #',
      expressRoute: false,
      category: 'Allow',
      required: false,
      notes: '@SUM(1+1)',
    },
    {
      id: 3,
      serviceArea: 'Common',
      serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
      urls: ['*.office.com', '+cmd.example.com'],
      ips: ['40.126.0.0/18'],
      tcpPorts: '443',
      expressRoute: false,
      category: 'Allow',
      required: true,
      notes: '-2+3',
    },
  ];
}
