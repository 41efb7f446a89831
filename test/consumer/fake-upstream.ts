/**
 * A compatible upstream on loopback for sync tests: a real node:http server publishing a list of
 * versions the test controls (`publish`). It answers `/version`, `/version/{i}?AllVersions`,
 * `/endpoints/{i}` (with TenantName substitution) and `/changes/{i}/{v}` with change records
 * computed between consecutive published versions, ids continuing like a real publisher's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeRecord } from '../../src/core/change-record.js';
import { diffVersions } from '../../src/core/diff.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { filterEndpointSets } from '../../src/core/filters.js';
import { listenOnLoopback, sendJson, sendNoRoute } from '../helpers/upstream-server.js';

export interface FakeUpstream {
  readonly url: string;
  /** Publish the next version (its change records are the diff against the previous one). */
  publish(version: string, sets: readonly EndpointSet[]): void;
  /** Paths requested so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startFakeUpstream(instance = 'Worldwide'): Promise<FakeUpstream> {
  const versions: Array<{ version: string; sets: readonly EndpointSet[] }> = [];
  const records: ChangeRecord[] = [];
  const requests: string[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    const latest = versions[versions.length - 1];
    if (latest === undefined) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      return void res.end('nothing published yet');
    }
    if (url.pathname === '/version') return sendJson(res, [{ instance, latest: latest.version }]);
    if (url.pathname === `/version/${instance}`) {
      return sendJson(res, {
        instance,
        latest: latest.version,
        versions: versions.map((v) => v.version).reverse(),
      });
    }
    if (url.pathname === `/endpoints/${instance}`) {
      const tenant = url.searchParams.get('TenantName') ?? undefined;
      return sendJson(
        res,
        filterEndpointSets(latest.sets, tenant === undefined ? {} : { tenantName: tenant }),
      );
    }
    const changes = new RegExp(`^/changes/${instance}/(\\d{10})$`).exec(url.pathname);
    if (changes !== null)
      return sendJson(
        res,
        records.filter((record) => record.version > changes[1]!),
      );
    sendNoRoute(res);
  };

  const server = await listenOnLoopback(handle);
  return {
    url: server.url,
    requests,
    publish(version, sets) {
      const previous = versions[versions.length - 1]?.sets ?? [];
      const drafts = diffVersions(previous, sets, {
        version,
        effectiveDate: `${version.slice(0, 8)}`,
      });
      for (const draft of drafts) records.push({ ...draft, id: records.length + 1 });
      versions.push({ version, sets });
    },
    close: () => server.close(),
  };
}
