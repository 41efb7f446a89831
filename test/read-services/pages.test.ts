/**
 * The human pages over a catalog holding the whole bundled history in memory: the index and the
 * page of a version, in English and Dutch, name the instance and the version, show its data and
 * what changed in it, and are prepared once per (version, language).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import type { Catalog } from '../../src/service/catalog.js';
import { HTML_TYPE, indexPage, instancePage } from '../../src/service/pages.js';
import { bundledCatalog, bundledVersionsOf } from './bundled-catalog.js';

const EN = { lang: 'en', explicitLang: false } as const;
const NL = { lang: 'nl', explicitLang: true } as const;

let catalog: Catalog;
let worldwide: Array<{ version: string; sets: readonly EndpointSet[] }>;
let china: Array<{ version: string; sets: readonly EndpointSet[] }>;
beforeAll(async () => {
  catalog = await bundledCatalog();
  worldwide = await bundledVersionsOf('Worldwide');
  china = await bundledVersionsOf('China');
});

const text = async (page: ReturnType<typeof indexPage>): Promise<string> =>
  (await page).body.toString('utf8');

/** Addresses as a reader sees them: the page offers line breaks inside them (`<wbr>`). */
const readable = (html: string): string => html.replaceAll('<wbr>', '');

describe('the page of a version', () => {
  it('English: the instance, its latest version, its data and what changed in it', async () => {
    const latest = worldwide[0]!.version;
    const page = await instancePage(catalog, catalog.resolve('worldwide'), EN);
    expect(page.contentType).toBe(HTML_TYPE);
    expect(page.vary).toBe('Accept-Language');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const html = page.body.toString('utf8');
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('in the Worldwide cloud instance');
    expect(html).toContain(`(version <span class="version">${latest}</span>)`);
    expect(html).toContain(`What changed in version ${latest}`);
    expect(readable(html)).toContain('<code>52.112.0.0/14</code>');
    expect(await instancePage(catalog, catalog.resolve('Worldwide'), EN)).toBe(page);
  });

  it('Dutch: the same version in Dutch, another prepared answer', async () => {
    const latest = china[0]!.version;
    const en = await instancePage(catalog, catalog.resolve('China'), EN);
    const nl = await instancePage(catalog, catalog.resolve('China'), NL);
    expect(nl.etag).not.toBe(en.etag);
    const html = nl.body.toString('utf8');
    expect(html.startsWith('<!doctype html>\n<html lang="nl">')).toBe(true);
    expect(html).toContain('in de cloudinstantie China');
    expect(html).toContain(`(versie <span class="version">${latest}</span>)`);
    expect(html).toContain('Laatst bijgewerkt');
    expect(readable(html)).toContain(`<code>${china[0]!.sets[0]!.urls![0]!}</code>`);
  });

  it('an earlier version says so and names the latest', async () => {
    const [latest, earlier] = worldwide.map((v) => v.version);
    const html = await text(instancePage(catalog, catalog.resolve('Worldwide', earlier), EN));
    expect(html).toContain(`<span class="version">${earlier}</span>`);
    expect(html).toContain(
      `You are looking at version ${earlier}, an earlier version. The latest version is ${latest}.`,
    );
  });

  it('versions are resolved with the catalog’s refusals', () => {
    expect(() => catalog.resolve('Worldwide', '2000010100')).toThrow(
      expect.objectContaining({ code: 'ERR_VERSION_NOT_FOUND' }),
    );
    expect(() => catalog.resolve('Worldwide', '20250130')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_VERSION' }),
    );
    expect(() => catalog.resolve('Atlantis')).toThrow(
      expect.objectContaining({ code: 'ERR_UNKNOWN_INSTANCE' }),
    );
  });
});

describe('the index', () => {
  it('links every instance with its latest version, in English and Dutch', async () => {
    for (const ctx of [EN, NL]) {
      const html = await text(indexPage(catalog, ctx));
      expect(html).toContain(`<html lang="${ctx.lang}">`);
      for (const summary of catalog.instances()) {
        expect(html).toContain(`/${summary.instance}`);
        expect(html).toContain(summary.latest);
      }
    }
  });
});
