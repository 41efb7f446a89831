/**
 * A compatible upstream on loopback for sync tests: a real node:http server publishing a list of
 * versions the test controls (`publish`). It answers `/version`, `/version/{i}?AllVersions`,
 * `/endpoints/{i}` (with TenantName substitution) and `/changes/{i}/{v}` with change records
 * computed between consecutive published versions, ids continuing like a real publisher's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChangeRecord } from '../../src/core/change-record.js';
import { diffVersions } from '../../src/core/diff.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import { filterEndpointSets } from '../../src/core/filters.js';

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

  const json = (res: ServerResponse, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    const latest = versions[versions.length - 1];
    if (latest === undefined) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      return void res.end('nothing published yet');
    }
    if (url.pathname === '/version') return json(res, [{ instance, latest: latest.version }]);
    if (url.pathname === `/version/${instance}`) {
      return json(res, {
        instance,
        latest: latest.version,
        versions: versions.map((v) => v.version).reverse(),
      });
    }
    if (url.pathname === `/endpoints/${instance}`) {
      const tenant = url.searchParams.get('TenantName') ?? undefined;
      return json(
        res,
        filterEndpointSets(latest.sets, tenant === undefined ? {} : { tenantName: tenant }),
      );
    }
    const changes = new RegExp(`^/changes/${instance}/(\\d{10})$`).exec(url.pathname);
    if (changes !== null)
      return json(
        res,
        records.filter((record) => record.version > changes[1]!),
      );
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"no route"}');
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
