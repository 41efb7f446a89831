/**
 * The endpoint page in a real browser: Debian's Chromium (never a downloaded one) driven by
 * playwright-core, against the real server on an ephemeral port over a real SQLite store seeded
 * from data/. Screenshots go to test-artifacts/ (gitignored) for a human to look at.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVICE_AREAS, type EndpointSet } from '../../src/core/endpoint-set.js';
import { bundledVersions, DATA_DIR, REPO_ROOT } from '../helpers/bundled-data.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeWith } from '../helpers/system.js';
import {
  HOSTILE_INSTANCE,
  HOSTILE_VERSION,
  PWNED,
  startHostileServer,
} from '../page/hostile-data.js';

const CHROMIUM = '/usr/bin/chromium';

/**
 * The little of the DOM the in-page callbacks use. The project compiles without the DOM lib
 * (server code must not see browser globals), so they are declared here, for this module only.
 */
interface DomElement {
  readonly id: string;
  readonly dataset: Record<string, string | undefined>;
  readonly attributes: ArrayLike<{ readonly name: string }>;
  readonly textContent: string | null;
  readonly protocol?: string;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}
declare const document: {
  readonly title: string;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
};
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

function readSets(instance: string, version: string): EndpointSet[] {
  return JSON.parse(
    readFileSync(join(DATA_DIR, instance, `${version}.json`), 'utf8'),
  ) as EndpointSet[];
}

function expectedRows(sets: readonly EndpointSet[]): Array<{ area: string; ids: number[] }> {
  // Every area the data has, MEM included (its own section, only where the version has MEM sets).
  return SERVICE_AREAS.map((area) => ({
    area,
    ids: sets
      .filter((s) => s.serviceArea === area)
      .map((s) => s.id)
      .sort((a, b) => a - b),
  })).filter((group) => group.ids.length > 0);
}

async function tableRows(page: Page): Promise<Array<{ area: string; ids: number[] }>> {
  return page.$$eval('table.sets', (tables) =>
    tables.map((table) => ({
      area: (table as unknown as DomElement).dataset.serviceArea ?? '',
      ids: [...table.querySelectorAll('tbody tr')].map((tr) =>
        Number((tr as unknown as DomElement).dataset.setId),
      ),
    })),
  );
}

/** Everything that went wrong while a page was open: console errors, uncaught errors, failed loads. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}

describeWith('Chromium at /usr/bin/chromium', existsSync(CHROMIUM))(
  'endpoint page in headless Chromium',
  () => {
    let server: TestServer;
    let hostile: TestServer;
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        ...options,
      });
      contexts.push(context);
      return context.newPage();
    }

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      [server, hostile, browser] = await Promise.all([
        startTestServer(),
        startHostileServer(),
        chromium.launch({
          executablePath: CHROMIUM,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        }),
      ]);
    });

    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser?.close();
      await server?.close();
      await hostile?.close();
    });

    it('loads with no console errors, one table row per set, and a screenshot as artifact', async () => {
      const page = await newPage();
      const problems = watch(page);
      const latest = bundledVersions('Worldwide').at(-1)!;
      await page.goto(`${server.url}/Worldwide`, { waitUntil: 'load' });
      expect(await page.title()).toBe(
        `Microsoft 365 URLs and IP address ranges – version ${latest}`,
      );
      expect(await tableRows(page)).toEqual(expectedRows(readSets('Worldwide', latest)));
      expect(await page.locator('h1').innerText()).toBe('Microsoft 365 URLs and IP address ranges');
      // The script ran (auto-submit picker), so the no-JS button is hidden.
      expect(await page.locator('html.js').count()).toBe(1);
      expect(await page.locator('form.version-picker button').isVisible()).toBe(false);
      await page.screenshot({ path: join(ARTIFACTS, 'endpoint-page-worldwide.png') });
      await page.screenshot({
        path: join(ARTIFACTS, 'endpoint-page-worldwide-full.png'),
        fullPage: true,
      });
      expect(problems).toEqual([]);
    });

    it('has the right rows for every instance, Germany marked retired', async () => {
      const page = await newPage();
      const problems = watch(page);
      for (const instance of ['USGovDoD', 'USGovGCCHigh', 'China', 'Germany']) {
        const latest = bundledVersions(instance).at(-1)!;
        await page.goto(`${server.url}/${instance.toLowerCase()}`, { waitUntil: 'load' });
        expect(await tableRows(page), instance).toEqual(expectedRows(readSets(instance, latest)));
      }
      expect(await page.locator('h1 .tag').innerText()).toBe('retired');
      expect(await page.locator('.banner.retired').innerText()).toContain(
        'This instance is retired',
      );
      await page.screenshot({ path: join(ARTIFACTS, 'endpoint-page-germany.png') });
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      expect(await page.locator('table.instances tbody tr').count()).toBe(5);
      await page.screenshot({ path: join(ARTIFACTS, 'endpoint-page-index.png') });
      expect(problems).toEqual([]);
    });

    it('navigates to another version when one is picked (JS auto-submit)', async () => {
      const page = await newPage();
      const problems = watch(page);
      await page.goto(`${server.url}/Worldwide`, { waitUntil: 'load' });
      await Promise.all([
        page.waitForURL(/version=2020012800/),
        page.selectOption('#version', '2020012800'),
      ]);
      await page.waitForLoadState('load');
      expect(await page.locator('dl.facts .version').innerText()).toBe('2020012800');
      expect(await page.locator('#version').inputValue()).toBe('2020012800');
      expect(await tableRows(page)).toEqual(expectedRows(readSets('Worldwide', '2020012800')));
      expect(await page.locator('.banner.historical').innerText()).toContain('an earlier version');
      expect(await page.locator('#changes tbody tr').count()).toBeGreaterThan(0);
      await page.locator('#changes').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ARTIFACTS, 'endpoint-page-changes.png') });
      expect(problems).toEqual([]);
    });

    it('navigates with the plain form when JavaScript is off', async () => {
      const page = await newPage({ javaScriptEnabled: false });
      const problems = watch(page);
      await page.goto(`${server.url}/Worldwide`, { waitUntil: 'load' });
      await page.selectOption('#version', '2022072800');
      await Promise.all([
        page.waitForURL(/version=2022072800/),
        page.locator('form.version-picker button').click(),
      ]);
      expect(await tableRows(page)).toEqual(expectedRows(readSets('Worldwide', '2022072800')));
      expect(problems).toEqual([]);
    });

    it('switches to Dutch with the language link, and keeps Dutch through the picker', async () => {
      const page = await newPage();
      const problems = watch(page);
      await page.goto(`${server.url}/Worldwide`, { waitUntil: 'load' });
      await Promise.all([page.waitForURL(/lang=nl/), page.locator('a.lang-switch').click()]);
      expect(await page.locator('html').getAttribute('lang')).toBe('nl');
      expect(await page.locator('h1').innerText()).toBe("Microsoft 365-URL's en IP-adresbereiken");
      expect(await page.locator('dl.facts dt').first().innerText()).toBe('Laatst bijgewerkt');
      expect(await page.locator('table.sets thead th').nth(1).innerText()).toBe('Categorie');
      expect(await page.locator('a.lang-switch').innerText()).toBe('This page in English');
      await page.screenshot({ path: join(ARTIFACTS, 'endpoint-page-worldwide-nl.png') });
      await Promise.all([
        page.waitForURL(/version=2019022800/),
        page.selectOption('#version', '2019022800'),
      ]);
      expect(page.url()).toContain('lang=nl');
      expect(await page.locator('html').getAttribute('lang')).toBe('nl');
      expect(await page.locator('.banner.historical').innerText()).toContain(
        'U bekijkt versie 2019022800',
      );
      expect(problems).toEqual([]);
    });

    it('chooses Dutch from the browser language', async () => {
      const page = await newPage({ locale: 'nl-NL' });
      await page.goto(`${server.url}/Worldwide`, { waitUntil: 'load' });
      expect(await page.locator('html').getAttribute('lang')).toBe('nl');
    });

    it('links each set by its anchor', async () => {
      const page = await newPage();
      await page.goto(`${server.url}/Worldwide#set-46`, { waitUntil: 'load' });
      expect(await page.evaluate(() => document.querySelector(':target')?.id)).toBe('set-46');
      await page.locator('#changes a[href^="#set-"]').first().click();
      expect(await page.evaluate(() => document.querySelector(':target')?.id)).toMatch(/^set-\d+$/);
    });

    it('renders hostile data inert even with the Content-Security-Policy bypassed', async () => {
      for (const bypassCSP of [true, false]) {
        const page = await newPage({ bypassCSP });
        const problems = watch(page);
        await page.goto(`${hostile.url}/${HOSTILE_INSTANCE}`, { waitUntil: 'load' });
        // Hover and click over every data cell: an injected handler would fire.
        for (const cell of await page.locator('table td').all()) await cell.hover();
        const state = await page.evaluate((flag) => {
          const elements = Array.from(document.querySelectorAll('*'));
          return {
            pwned: (globalThis as unknown as Record<string, unknown>)[flag],
            scripts: document.querySelectorAll('script').length,
            active: document.querySelectorAll(
              'img, svg, iframe, object, embed, base, meta[http-equiv]',
            ).length,
            handlers: elements.flatMap((el) =>
              Array.from(el.attributes)
                .filter((a) => a.name.startsWith('on'))
                .map((a) => a.name),
            ),
            hrefs: Array.from(document.querySelectorAll('a[href]')).map((a) => a.protocol ?? ''),
            title: document.title,
            notes: document.querySelector('tr#set-1 .note')?.textContent ?? '',
          };
        }, PWNED);
        expect(state.pwned).toBeUndefined();
        expect(state.scripts).toBe(1);
        expect(state.active).toBe(0);
        expect(state.handlers).toEqual([]);
        expect(new Set(state.hrefs)).toEqual(new Set(['http:', 'https:']));
        expect(state.title).toBe(`${HOSTILE_INSTANCE} endpoints – version ${HOSTILE_VERSION}`);
        // The text is all there, as text.
        expect(state.notes).toContain('"; return "DIRECT"');
        expect(state.notes).toContain('</script><script>');
        expect(state.notes).toContain('[click me](javascript:alert(3))');
        expect(await page.locator('tr#set-1 .note a').allInnerTexts()).toEqual(['safe link']);
        expect(problems, `bypassCSP=${bypassCSP}`).toEqual([]);
        if (bypassCSP)
          await page.screenshot({
            path: join(ARTIFACTS, 'endpoint-page-hostile.png'),
            fullPage: true,
          });
      }
    });

    it('shows a 404 page for an unknown instance', async () => {
      const page = await newPage();
      const response = await page.goto(`${server.url}/Atlantis`, { waitUntil: 'load' });
      expect(response?.status()).toBe(404);
      expect(await page.locator('h1').innerText()).toBe('Page not found');
      expect(await page.locator('main a[href="/Worldwide"]').count()).toBe(1);
    });
  },
);
