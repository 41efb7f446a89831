/**
 * The endpoint page on a phone and on a wide screen, in Debian's Chromium: at 390 px the document
 * never scrolls sideways and addresses wrap only at their separators; additions that are not
 * effective yet carry a marker with their date in the table (English and Dutch). The store holds
 * the bundled history plus examples/next.json published today (additions effective in 30 days).
 * Screenshots at 390 and 1400 px go to test-artifacts/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadBundledDataset } from '../../src/service/bundle.js';
import { publish } from '../../src/service/publish.js';
import { seedStore } from '../../src/service/seed.js';
import { REPO_ROOT } from '../helpers/bundled-data.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeWith } from '../helpers/system.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

interface Box {
  readonly scrollWidth: number;
  readonly clientWidth: number;
}
declare const document: {
  readonly documentElement: Box;
  querySelectorAll(selector: string): ArrayLike<Box & { readonly textContent: string | null }>;
};

function inDays(days: number): Date {
  return new Date(Date.now() + days * 86_400_000);
}

describeWith('Chromium at /usr/bin/chromium', existsSync(CHROMIUM))(
  'endpoint page at 390 px and 1400 px, not-yet-effective additions',
  () => {
    let server: TestServer;
    let browser: Browser;
    let effective: string;

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      [server, browser] = await Promise.all([
        startTestServer({
          seed: 'none',
          prepare: async (store) => {
            await seedStore(store, await loadBundledDataset());
            const text = readFileSync(join(REPO_ROOT, 'examples', 'next.json'), 'utf8');
            const result = await publish(store, 'Worldwide', text, { noticeDays: 30 });
            expect(result.status).toBe('published');
          },
        }),
        chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
        }),
      ]);
      effective = inDays(30).toISOString().slice(0, 10);
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    async function open(width: number, path: string): Promise<Page> {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      const response = await page.goto(`${server.url}${path}`);
      expect(response?.status()).toBe(200);
      return page;
    }

    it('at 390 px: no horizontal overflow, no cell wider than its box; screenshot', async () => {
      for (const path of [
        '/Worldwide',
        '/Worldwide?lang=nl',
        '/Worldwide?version=2025013000',
        '/',
      ]) {
        const page = await open(390, path);
        const doc = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        expect(doc.scrollWidth, `${path}: document ${doc.scrollWidth} px wide`).toBeLessThanOrEqual(
          doc.clientWidth,
        );
        const overflowing = await page.evaluate(() =>
          [...(document.querySelectorAll('td, th, code') as unknown as Box[])]
            .filter((el) => el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
            .map((el) => (el as unknown as { textContent: string }).textContent.slice(0, 60)),
        );
        expect(overflowing, path).toEqual([]);
        if (path === '/Worldwide') {
          await page.screenshot({
            path: join(ARTIFACTS, 'page-worldwide-390.png'),
            fullPage: true,
          });
          await page
            .locator('tr[data-set-id="56"]')
            .screenshot({ path: join(ARTIFACTS, 'page-worldwide-390-set56.png') });
        }
        await page.context().close();
      }
    });

    it('marks the additions that are not effective yet, with their date, in both languages', async () => {
      const en = await open(1400, '/Worldwide');
      const marked = await en.$$eval('tr[data-set-id] li.pending', (items) =>
        items.map((li) => ({
          set: (li.closest('tr') as unknown as { dataset: { setId: string } }).dataset.setId,
          text: li.textContent,
          title: li.querySelector('.pending-mark')?.getAttribute('title'),
        })),
      );
      const date = new Date(`${effective}T00:00:00Z`);
      const enDate = date.toLocaleDateString('en-GB', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      });
      expect(marked.map((m) => m.set).sort()).toEqual(['46', '56']);
      expect(marked.map((m) => m.text)).toEqual(
        expect.arrayContaining([
          expect.stringContaining('52.123.0.0/16'),
          expect.stringContaining('*.login.microsoft.com'),
        ]),
      );
      for (const m of marked) {
        expect(m.text).toMatch(/from \d{1,2} \w+ \d{4}/);
        expect(m.title).toContain('not effective yet');
      }
      expect(marked[0]?.text).toContain(enDate.split(' ').at(-1));
      // Only the new items are marked: the rest of set 46 is in force.
      expect(
        await en.$$eval('tr[data-set-id="46"] li:not(.pending)', (l) => l.length),
      ).toBeGreaterThan(10);
      await en.screenshot({ path: join(ARTIFACTS, 'page-worldwide-1400.png'), fullPage: true });
      await en.context().close();

      const nl = await open(390, '/Worldwide?lang=nl');
      const nlText = await nl.$$eval('li.pending .pending-mark', (items) =>
        items.map((i) => i.textContent),
      );
      expect(nlText.length).toBe(2);
      for (const text of nlText) expect(text).toMatch(/^vanaf \d{1,2} \w+ \d{4}$/);
      await nl.screenshot({ path: join(ARTIFACTS, 'page-worldwide-nl-390.png'), fullPage: false });
      await nl.context().close();

      // An older version has no pending additions: nothing is marked.
      const old = await open(1400, '/Worldwide?version=2025013000');
      expect(await old.$$eval('li.pending', (l) => l.length)).toBe(0);
      await old.context().close();
    });
  },
);
