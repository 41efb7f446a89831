/**
 * The human pages over real HTTP: the real server on an ephemeral port, a real SQLite store
 * seeded from the bundled data/ (change records computed by the seeder), and a second server
 * whose store holds hostile data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_INSTANCE, startHostileServer } from './hostile-data.js';
import { bundledInstances, bundledVersions, DATA_DIR } from '../helpers/bundled-data.js';
import { CLIENT_ID, startTestServer, type TestServer } from '../helpers/server.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EndpointSet } from '../../src/core/endpoint-set.js';

function readSets(instance: string, version: string): EndpointSet[] {
  return JSON.parse(
    readFileSync(join(DATA_DIR, instance, `${version}.json`), 'utf8'),
  ) as EndpointSet[];
}

/** Rows of each service-area table, by area. */
function tableRows(page: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const parts = page.split('<table class="sets" data-service-area="').slice(1);
  for (const part of parts) {
    const area = part.slice(0, part.indexOf('"'));
    const table = part.slice(0, part.indexOf('</table>'));
    out[area] = [...table.matchAll(/<tr id="set-(\d+)"/g)].map((m) => Number(m[1]));
  }
  return out;
}

function expectedRows(sets: readonly EndpointSet[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  // MEM has its own section in versions that have MEM sets (Worldwide 2025092900, USGovDoD 2025103000).
  for (const area of ['Exchange', 'SharePoint', 'Skype', 'MEM', 'Common']) {
    const ids = sets.filter((s) => s.serviceArea === area).map((s) => s.id);
    if (ids.length > 0) out[area] = ids.sort((a, b) => a - b);
  }
  return out;
}

describe('endpoint pages over HTTP (seeded SQLite store)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('GET / lists every instance with its latest version, and marks Germany retired', async () => {
    const res = await server.get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toMatch(/^<!doctype html>\n<html lang="en">/);
    for (const instance of bundledInstances()) {
      const latest = bundledVersions(instance).at(-1)!;
      expect(res.text).toContain(`<tr data-instance="${instance}">`);
      expect(res.text).toContain(`<td class="version" data-label="Latest version">${latest}</td>`);
      expect(res.text).toContain(
        `<td data-label="Versions">${bundledVersions(instance).length}</td>`,
      );
    }
    const germany = res.text.slice(res.text.indexOf('<tr data-instance="Germany">'));
    expect(germany.slice(0, germany.indexOf('</tr>'))).toContain(
      '<span class="tag">retired</span>',
    );
  });

  it('GET /{instance} in any case shows the latest version with one row per set in each area table', async () => {
    for (const instance of bundledInstances()) {
      const latest = bundledVersions(instance).at(-1)!;
      const sets = readSets(instance, latest);
      for (const path of [
        `/${instance}`,
        `/${instance.toLowerCase()}`,
        `/${instance.toUpperCase()}/`,
      ]) {
        const res = await server.get(path);
        expect(res.status, path).toBe(200);
        expect(res.text).toContain(`<span class="version">${latest}</span>`);
        expect(res.text).toContain(
          `<form class="version-picker" method="get" action="/${instance}">`,
        );
        expect(tableRows(res.text)).toEqual(expectedRows(sets));
      }
    }
  });

  it('has the RSS, JSON and PAC links, and they answer', async () => {
    const res = await server.get('/Worldwide');
    const rss = `/version/Worldwide?allversions=true&format=rss&clientrequestid=${CLIENT_ID}`;
    const json = `/endpoints/Worldwide?clientrequestid=${CLIENT_ID}`;
    expect(res.text).toContain(`href="${rss.replace(/&/g, '&amp;')}"`);
    expect(res.text).toContain(`href="${json}"`);
    expect(res.text).toContain('href="/pac/Worldwide"');
    expect((await server.get(rss)).headers['content-type']).toMatch(/^application\/rss\+xml/);
    const download = await server.get(json);
    expect(download.status).toBe(200);
    // The download is the default answer: every set but the MEM ones (MEM is opt-in).
    expect(download.json()).toHaveLength(
      readSets('Worldwide', bundledVersions('Worldwide').at(-1)!).filter(
        (s) => s.serviceArea !== 'MEM',
      ).length,
    );
  });

  it('?version= shows any stored version; the picker lists the whole history', async () => {
    const versions = bundledVersions('Worldwide');
    const res = await server.get('/Worldwide?version=2020012800');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<span class="version">2020012800</span>');
    expect(res.text).toContain('<option value="2020012800" selected>');
    expect(res.text).toContain('an earlier version');
    expect(tableRows(res.text)).toEqual(expectedRows(readSets('Worldwide', '2020012800')));
    const options = [...res.text.matchAll(/<option value="(\d{10})"/g)].map((m) => m[1]);
    expect(options).toEqual([...versions].reverse());
  });

  it('summarises the version’s change records with effective dates', async () => {
    const all = (
      await server.get(`/changes/Worldwide/0000000000?clientrequestid=${CLIENT_ID}`)
    ).json() as Array<{
      id: number;
      version: string;
      add?: { effectiveDate: string };
    }>;
    // The seeder records the first version's sets as additions, so it has records too.
    for (const version of ['2018063000', '2020012800', '2025013000']) {
      const records = all.filter((r) => r.version === version);
      expect(records.length).toBeGreaterThan(0);
      const page = (await server.get(`/Worldwide?version=${version}`)).text;
      const section = page.slice(
        page.indexOf('<section id="changes"'),
        page.indexOf('<section id="columns"'),
      );
      const shown = [...section.matchAll(/data-change-id="(\d+)"/g)]
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b);
      expect(shown).toEqual(records.map((r) => r.id).sort((a, b) => a - b));
      for (const record of records) {
        const ymd = record.add?.effectiveDate;
        if (ymd !== undefined) {
          expect(section).toContain(
            `<time datetime="${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}">`,
          );
        }
      }
    }
  });

  it('chooses Dutch from ?lang=nl, else from Accept-Language, else English', async () => {
    const explicit = await server.get('/Worldwide?lang=nl', { 'accept-language': 'en' });
    expect(explicit.text).toMatch(/<html lang="nl">/);
    expect(explicit.text).toContain('Laatst bijgewerkt');
    expect(explicit.headers.vary).toMatch(/Accept-Language/i);
    const header = await server.get('/Worldwide', { 'accept-language': 'nl-NL,nl;q=0.9,en;q=0.5' });
    expect(header.text).toMatch(/<html lang="nl">/);
    const override = await server.get('/Worldwide?lang=en', { 'accept-language': 'nl' });
    expect(override.text).toMatch(/<html lang="en">/);
    const fallback = await server.get('/Worldwide', { 'accept-language': 'fr-FR' });
    expect(fallback.text).toMatch(/<html lang="en">/);
    expect(fallback.text).toContain('Last updated');
  });

  it('marks the retired instance on its page', async () => {
    const res = await server.get('/germany');
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      '<h1>Office 365 Germany endpoints <span class="tag">retired</span></h1>',
    );
    expect(res.text).toContain('<span class="version">2021102900</span>');
  });

  it('sends caching and security headers, and 304 for a matching If-None-Match', async () => {
    const res = await server.get('/Worldwide');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(res.headers['content-security-policy']).toMatch(
      /default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'/,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const again = await server.get('/Worldwide', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const dutch = await server.get('/Worldwide?lang=nl', { 'if-none-match': etag });
    expect(dutch.status).toBe(200);
    const head = await server.get('/Worldwide', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it('answers an unknown instance with a 404 page, or JSON when the client asks for JSON', async () => {
    const page = await server.get('/Atlantis', { accept: 'text/html,*/*;q=0.8' });
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('There is no instance called “Atlantis”.');
    expect(page.text).toContain('<a href="/Worldwide">Worldwide</a>');
    const json = await server.get('/Atlantis', { accept: 'application/json' });
    expect(json.status).toBe(404);
    expect(json.json().error.code).toBe('ERR_NOT_FOUND');
    expect(json.json().error.message).toContain('Atlantis');
    const dutch = await server.get('/Atlantis?lang=nl');
    expect(dutch.text).toContain('Er is geen instantie met de naam “Atlantis”.');
  });

  it('answers unknown and malformed versions with 404 and 400 pages', async () => {
    const unknown = await server.get('/Worldwide?version=2099010100');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('Version 2099010100 of Worldwide is not stored here.');
    const malformed = await server.get('/Worldwide?version=%3Cb%3E');
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('received “&lt;b&gt;”');
    const json = await server.get('/Worldwide?version=abc', { accept: 'application/json' });
    expect(json.status).toBe(400);
    expect(json.json().error.code).toBe('ERR_INVALID_VERSION');
  });

  it('never answers 5xx to odd requests', async () => {
    const paths = [
      '/%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      '/Worldwide?version=%ZZ',
      '/Worldwide?version=2025013000&version=2020012800',
      '/Worldwide?version=',
      '/Worldwide?lang=%3Cscript%3E',
      '/Worldwide?lang=%ZZ',
      `/${'a'.repeat(300)}`,
      '/%E2%82%AC',
      '/favicon.ico',
      '/?lang=nl&lang=en',
    ];
    for (const path of paths) {
      const res = await server.get(path);
      expect(res.status, path).toBeLessThan(500);
      expect(res.text, path).not.toContain('<script>alert');
    }
  });
});

describe('endpoint page with hostile data over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startHostileServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves the data as inert, escaped text', async () => {
    const res = await server.get(`/${HOSTILE_INSTANCE}`);
    expect(res.status).toBe(200);
    expect(res.text.split(/<script\b/i)).toHaveLength(2);
    expect(res.text).not.toMatch(/<(img|svg|iframe|object|embed)\b/i);
    expect(res.text).not.toMatch(/<[^>]*\son\w+\s*=/i);
    expect(res.text).toContain('TCP: 443&quot;; return &quot;DIRECT');
    expect(res.text).toContain(
      '<a href="https://example.com/a?b=1&amp;c=%22x%22" rel="noopener noreferrer nofollow">safe link</a>',
    );
    for (const [, href] of res.text.matchAll(/href="([^"]*)"/g))
      expect(href).toMatch(/^(\/|#|https?:\/\/|data:,$)/);
    const index = await server.get('/');
    expect(index.text).toContain(`<tr data-instance="${HOSTILE_INSTANCE}">`);
  });
});
