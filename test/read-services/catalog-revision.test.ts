/**
 * The catalog follows its source's revision: a version added to the memory source is served after
 * `refresh()` (or at once when the catalog follows `onRevision`), and every answer prepared from
 * the old revision is dropped, so nobody is served the old latest under the new one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OPT_IN_SERVICE_AREAS, type EndpointSet } from '../../src/core/endpoint-set.js';
import { createCatalog, type Catalog } from '../../src/service/catalog.js';
import { historyAppend } from '../../src/core/history-append.js';
import { createWebService, type PreparedResponse } from '../../src/service/web-service.js';
import type { MemoryCatalogSource } from '../../src/store/memory/memory-catalog-source.js';
import { bundledSource, bundledVersionsOf } from './bundled-catalog.js';

const opened: Catalog[] = [];
afterEach(async () => {
  for (const catalog of opened.splice(0)) await catalog.close();
});

/** The bundled history up to Worldwide's version before the latest, and the two versions. */
async function beforeTheLatest() {
  const [latest, previous] = await bundledVersionsOf('Worldwide');
  const source = await bundledSource(previous!.version);
  return { source, latest: latest!, previous: previous! };
}

/** Append `next` after `base` as a publisher would: the diff's records, the seed's notice. */
async function publish(
  source: MemoryCatalogSource,
  base: { version: string; sets: readonly EndpointSet[] },
  next: { version: string; sets: readonly EndpointSet[] },
): Promise<void> {
  await source.appendVersion(historyAppend('Worldwide', next.version, next.sets, base));
}

const json = (answer: PreparedResponse): unknown => JSON.parse(answer.body.toString('utf8'));

describe('refresh', () => {
  it('serves a version added to the source after refresh(), with every prepared answer dropped', async () => {
    const { source, latest, previous } = await beforeTheLatest();
    const catalog = createCatalog(source, { pollMs: 0 });
    opened.push(catalog);
    expect(await catalog.refresh()).toBe(true);
    expect(await catalog.refresh()).toBe(false);
    const web = createWebService(catalog);
    const endpoints = () => web.endpoints({ instance: 'Worldwide', noIPv6: false, format: 'JSON' });
    const version = () =>
      web.version({
        instance: 'Worldwide',
        allVersions: false,
        format: 'JSON',
        clientRequestId: '',
      });
    const before = await endpoints();
    expect(json(await version())).toEqual({ instance: 'Worldwide', latest: previous.version });
    const changes = () =>
      web.changes({
        instance: 'Worldwide',
        version: previous.version,
        singleVersion: false,
        format: 'JSON',
      });
    expect(json(await changes())).toEqual([]);
    expect(catalog.stats().prepared.entries).toBe(3);

    await publish(source, previous, latest);
    // Until the catalog refreshes, it answers from the revision it read.
    expect(catalog.resolve('Worldwide').version).toBe(previous.version);
    expect(await endpoints()).toBe(before);

    const revision = catalog.revision();
    expect(await catalog.refresh()).toBe(true);
    expect(catalog.revision()).not.toBe(revision);
    expect(catalog.stats()).toMatchObject({ prepared: { entries: 0 }, sets: 0, histories: 0 });
    expect(catalog.resolve('Worldwide').version).toBe(latest.version);
    expect(catalog.resolve('Worldwide', previous.version).version).toBe(previous.version);
    expect(json(await version())).toEqual({ instance: 'Worldwide', latest: latest.version });
    const after = await endpoints();
    expect(after.etag).not.toBe(before.etag);
    const ids = (sets: readonly EndpointSet[]) =>
      sets.filter((s) => !OPT_IN_SERVICE_AREAS.has(s.serviceArea)).map((s) => s.id);
    expect(ids(json(after) as EndpointSet[])).toEqual(ids(latest.sets));
    const records = json(await changes()) as Array<{ version: string }>;
    expect(records.length).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.version))).toEqual(new Set([latest.version]));
  });

  it('a refused append moves nothing: the catalog keeps its answers', async () => {
    const { source, latest, previous } = await beforeTheLatest();
    const catalog = createCatalog(source, { pollMs: 0 });
    opened.push(catalog);
    await catalog.refresh();
    // Based on a version that is not the latest: a conflict, nothing written.
    const older = catalog.resolve('Worldwide').summary.versions[1]!;
    await expect(
      publish(source, { version: older, sets: previous.sets }, latest),
    ).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    expect(await catalog.refresh()).toBe(false);
    expect(catalog.resolve('Worldwide').version).toBe(previous.version);
  });
});

describe('following onRevision', () => {
  it('a started catalog serves the new latest without being asked to refresh', async () => {
    const { source, latest, previous } = await beforeTheLatest();
    const seen: string[] = [];
    // No polling and few indexes warmed: the push alone moves it.
    const catalog = createCatalog(source, {
      pollMs: 0,
      maxLookupIndexes: 4,
      onRevision: (revision) => seen.push(revision),
    });
    opened.push(catalog);
    await catalog.start();
    expect(catalog.resolve('Worldwide').version).toBe(previous.version);
    await publish(source, previous, latest);
    await vi.waitFor(() => expect(catalog.resolve('Worldwide').version).toBe(latest.version));
    expect(seen).toHaveLength(2);
    expect(catalog.revision()).toBe(await source.revision());
  });
});
