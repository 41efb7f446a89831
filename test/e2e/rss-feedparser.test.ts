/**
 * The RSS feed read by a real feed parser (Debian python3-feedparser, issue 2 proof): one entry
 * per version, newest first, links unescaped back to `&`, dates parsed.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundledVersions, readBundled } from '../helpers/bundled-data.js';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';
import { PYTHON, describeWith, hasPythonModule } from '../helpers/system.js';

const PARSE = `
import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
  "bozo": int(d.bozo),
  "bozo_exception": str(d.get("bozo_exception", "")),
  "version": d.version,
  "title": d.feed.get("title"),
  "link": d.feed.get("link"),
  "language": d.feed.get("language"),
  "updated": list(d.feed.get("updated_parsed") or [])[:6],
  "entries": [{
    "id": e.get("id"), "title": e.get("title"), "link": e.get("link"),
    "summary": e.get("summary"), "published": list(e.get("published_parsed") or [])[:6],
  } for e in d.entries],
}))
`;

interface Parsed {
  bozo: number;
  bozo_exception: string;
  version: string;
  title: string;
  link: string;
  language: string;
  updated: number[];
  entries: Array<{ id: string; title: string; link: string; summary: string; published: number[] }>;
}

function feedparser(xml: Buffer): Parsed {
  const result = spawnSync(PYTHON, ['-c', PARSE], {
    input: xml,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`feedparser failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Parsed;
}

describeWith('python3-feedparser', hasPythonModule('feedparser'))('RSS read by feedparser', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  for (const instance of ['Worldwide', 'USGovGCCHigh', 'Germany']) {
    it(`parses the ${instance} feed cleanly with one item per version`, async () => {
      const res = await server.get(
        `/version/${instance.toLowerCase()}?format=RSS&allversions&clientrequestid=${CLIENT_ID}`,
      );
      expect(res.status).toBe(200);
      const feed = feedparser(res.body);
      expect(feed.bozo, feed.bozo_exception).toBe(0);
      expect(feed.version).toBe('rss20');
      expect(feed.title).toBe(`Office 365 IP Address and URL web service - ${instance}`);
      expect(feed.link).toBe('https://aka.ms/o365ip');
      expect(feed.language).toBe('en-us');
      const versions = [...bundledVersions(instance)].reverse();
      expect(feed.entries.map((e) => e.id)).toEqual(versions);
      expect(feed.entries.map((e) => e.title)).toEqual(versions.map((v) => `${v} - ${instance}`));
      for (const [i, entry] of feed.entries.entries()) {
        const v = versions[i]!;
        expect(entry.link).toBe(
          `https://endpoints.office.com/changes/${instance}/${v}?singleVersion=true&clientRequestId=${CLIENT_ID}`,
        );
        expect(entry.summary).toMatch(
          new RegExp(
            `^Version ${v} includes \\d+ changes\\. IPs: \\d+ added and \\d+ removed\\. URLs: \\d+ added and \\d+ removed\\.( \\d+ other attributes changed\\.)?$`,
          ),
        );
        expect(entry.published).toEqual([
          Number(v.slice(0, 4)),
          Number(v.slice(4, 6)),
          Number(v.slice(6, 8)),
          0,
          0,
          0,
        ]);
      }
      expect(feed.updated).toEqual(feed.entries[0]!.published);
    });
  }

  it('follows each item link to the records of exactly that version', async () => {
    const feed = feedparser(
      (await server.get(`/version/Worldwide?format=rss&clientrequestid=${CLIENT_ID}`)).body,
    );
    const entry = feed.entries[2]!;
    const path = entry.link.replace('https://endpoints.office.com', '');
    const records = (await server.get(path)).json() as Array<{ version: string }>;
    expect(records.length).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.version))).toEqual(new Set([entry.id]));
    expect(entry.summary).toContain(`includes ${records.length} changes`);
  });

  it('uses --public-url for item links when the operator sets one', async () => {
    const mirror = await startTestServer({ publicUrl: 'https://endpoints.example.net/' });
    try {
      const feed = feedparser(
        (await mirror.get(`/version/China?format=rss&clientrequestid=${CLIENT_ID}`)).body,
      );
      expect(feed.entries[0]!.link).toMatch(
        /^https:\/\/endpoints\.example\.net\/changes\/China\/\d{10}\?singleVersion=true&clientRequestId=/,
      );
    } finally {
      await mirror.close();
    }
  });

  it('dates each item with the stored publish time, spelled like the live service', async () => {
    // The live service's lastBuildDate for China 2024032900 was `Fri, 29 Mar 2024 06:23:48 Z`.
    const times = ['2024032900', '2024-03-29T06:23:48Z'] as const;
    const server2 = await startTestServer({
      seed: 'none',
      prepare: async (store) => {
        await store.appendVersion({
          instance: 'China',
          version: times[0],
          sets: readBundled('China', times[0]),
          changes: [],
          expectedLatest: null,
          notify: false,
          publishedAt: times[1],
        });
        expect((await store.listVersions('China'))[0]!.publishedAt).toBe(
          '2024-03-29T06:23:48.000Z',
        );
      },
    });
    try {
      const res = await server2.get(`/version/China?format=rss&clientrequestid=${CLIENT_ID}`);
      const text = res.body.toString('utf8');
      expect(text).toContain('<lastBuildDate>Fri, 29 Mar 2024 06:23:48 Z</lastBuildDate>');
      expect(text).toContain('<pubDate>Fri, 29 Mar 2024 06:23:48 Z</pubDate>');
      const feed = feedparser(res.body);
      expect(feed.bozo, feed.bozo_exception).toBe(0);
      expect(feed.entries.map((e) => e.title)).toEqual(['2024032900 - China']);
      expect(feed.entries[0]!.published).toEqual([2024, 3, 29, 6, 23, 48]);
      expect(feed.updated).toEqual([2024, 3, 29, 6, 23, 48]);
    } finally {
      await server2.close();
    }
  });
});
