import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../core/change-record.js';
import type { EndpointSet } from '../../core/endpoint-set.js';
import { removalDraft } from '../../core/sample-data.fixture.js';
import {
  HOSTILE_CHANGES,
  HOSTILE_INSTANCE,
  HOSTILE_SETS,
  HOSTILE_VERSION,
} from '../../../test/page/hostile-data.js';
import { renderErrorPage } from './error-page.js';
import { renderIndexPage } from './index-page.js';
import { renderInstancePage, type InstancePageInput } from './instance-page.js';

const SETS: EndpointSet[] = [
  {
    id: 31,
    serviceArea: 'SharePoint',
    serviceAreaDisplayName: 'SharePoint Online and OneDrive for Business',
    urls: ['<tenant>.sharepoint.com'],
    ips: ['13.107.136.0/22', '2620:1ec:8f8::/46'],
    tcpPorts: '80,443',
    udpPorts: '443',
    expressRoute: true,
    category: 'Optimize',
    required: true,
  },
  {
    id: 1,
    serviceArea: 'Exchange',
    serviceAreaDisplayName: 'Exchange Online',
    urls: ['outlook.office.com'],
    tcpPorts: '143, 587, 993, 995',
    expressRoute: true,
    category: 'Allow',
    required: false,
    notes: 'POP3, IMAP4, SMTP Client traffic',
  },
  {
    id: 46,
    serviceArea: 'Common',
    serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
    urls: ['*.officeapps.live.com'],
    tcpPorts: '443',
    expressRoute: false,
    category: 'Default',
    required: true,
  },
];

const CHANGES: ChangeRecord[] = [
  {
    id: 7,
    endpointSetId: 31,
    disposition: 'Change',
    version: '2025013000',
    impact: 'AddedIp',
    add: { effectiveDate: '20250301', ips: ['2620:1ec:8f8::/46'] },
  },
  {
    id: 8,
    ...removalDraft(
      99,
      '2025013000',
      { category: 'Default', required: 'false' },
      { urls: ['gone.example.com'] },
    ),
  },
];

function input(overrides: Partial<InstancePageInput> = {}): InstancePageInput {
  return {
    ctx: { lang: 'en', explicitLang: false },
    instance: 'Worldwide',
    retired: false,
    version: '2025013000',
    versions: ['2025013000', '2024123000', '2018063000'],
    sets: SETS,
    changes: CHANGES,
    instances: [
      { instance: 'Worldwide', retired: false },
      { instance: 'Germany', retired: true },
    ],
    ...overrides,
  };
}

function count(haystack: string, needle: string | RegExp): number {
  return haystack.split(needle).length - 1;
}

describe('renderInstancePage', () => {
  const page = renderInstancePage(input());

  it('has the Microsoft page title, <html lang>, last updated and the three links', () => {
    expect(page.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(page).toContain('<h1>Microsoft 365 URLs and IP address ranges</h1>');
    expect(page).toContain(
      '<time datetime="2025-01-30">30 January 2025</time> (version <span class="version">2025013000</span>)',
    );
    expect(page).toContain(
      'href="/version/Worldwide?allversions=true&amp;format=rss&amp;clientrequestid=b10c5ed1-bad1-445f-b386-b919946339a7"',
    );
    expect(page).toContain(
      'href="/endpoints/Worldwide?clientrequestid=b10c5ed1-bad1-445f-b386-b919946339a7"',
    );
    expect(page).toContain('href="/pac/Worldwide"');
  });

  it('has one table per service area in the fixed order, rows sorted by id, an anchor per set', () => {
    const areas = [...page.matchAll(/<table class="sets" data-service-area="(\w+)">/g)].map(
      (m) => m[1],
    );
    expect(areas).toEqual(['Exchange', 'SharePoint', 'Common']);
    for (const id of [1, 31, 46]) {
      expect(page).toContain(`<tr id="set-${id}" data-set-id="${id}">`);
      expect(page).toContain(`<a href="#set-${id}" title="Link to endpoint set ${id}">${id}</a>`);
    }
    expect(page).toContain('TCP: 80, 443<br>UDP: 443');
    expect(page).toContain('TCP: 143, 587, 993, 995');
    expect(page).toContain('<code>&lt;tenant&gt;.<wbr>sharepoint.<wbr>com</code>');
  });

  it('lists the whole history in a GET form, the shown version selected, latest marked', () => {
    expect(page).toContain('<form class="version-picker" method="get" action="/Worldwide">');
    expect(count(page, '<option ')).toBe(3);
    expect(page).toContain(
      '<option value="2025013000" selected>2025013000 (30 January 2025) – latest</option>',
    );
    expect(page).toContain('<option value="2018063000">2018063000 (30 June 2018)</option>');
    expect(page).not.toContain('name="lang"');
  });

  it('summarises the changes of the version with effective dates and links to the sets', () => {
    expect(page).toContain('2 change records: 0 sets added, 1 changed, 1 removed.');
    expect(page).toContain('IP ranges: 1 added, 0 removed. URLs: 0 added, 1 removed.');
    expect(page).toContain('<a href="#set-31">31</a>');
    expect(page).toContain('99 <span class="req">(not in this version)</span>');
    expect(page).toContain('<time datetime="2025-03-01">1 March 2025</time>');
    expect(page).toContain('<code>category</code>: Default');
  });

  it('says so when the first version has no change records', () => {
    const first = renderInstancePage(input({ version: '2018063000', changes: [] }));
    expect(first).toContain('This is the first stored version of this instance');
    expect(first).toContain(
      'You are looking at version 2018063000, an earlier version. The latest version is 2025013000.',
    );
    expect(first).toContain('href="/Worldwide">Show the latest version</a>');
  });

  it('marks a retired instance', () => {
    const retired = renderInstancePage(input({ instance: 'Germany', retired: true }));
    expect(retired).toContain(
      '<h1>Office 365 Germany endpoints <span class="tag">retired</span></h1>',
    );
    expect(retired).toContain('This instance is retired');
  });

  it('renders everything in Dutch, carrying ?lang= in links when chosen explicitly', () => {
    const nl = renderInstancePage(
      input({ ctx: { lang: 'nl', explicitLang: true }, version: '2024123000' }),
    );
    expect(nl.startsWith('<!doctype html>\n<html lang="nl">')).toBe(true);
    expect(nl).toContain('<h1>Microsoft 365-URL&#39;s en IP-adresbereiken</h1>');
    expect(nl).toContain('Laatst bijgewerkt');
    expect(nl).toContain('<th scope="col">Categorie</th>');
    expect(nl).toContain('<span class="req">Optioneel</span>');
    expect(nl).toContain('<input type="hidden" name="lang" value="nl">');
    expect(nl).toContain(
      'href="/Worldwide?version=2024123000&amp;lang=en" hreflang="en" lang="en">This page in English</a>',
    );
    expect(nl).toContain(
      '<a href="/Germany?lang=nl">Germany</a><span class="tag">buiten gebruik</span>',
    );
    for (const english of ['Last updated', 'What the columns mean', 'Required', 'Download']) {
      expect(nl, english).not.toContain(`>${english}<`);
    }
  });
});

describe('hostile data stays inert text', () => {
  const changes: ChangeRecord[] = HOSTILE_CHANGES.map((c, i) => ({ ...c, id: i + 1 }));
  const page = renderInstancePage(
    input({
      instance: HOSTILE_INSTANCE,
      version: HOSTILE_VERSION,
      versions: [HOSTILE_VERSION],
      sets: HOSTILE_SETS,
      changes,
    }),
  );

  it('has no markup from the data: one script (the page’s own), no img/svg/iframe, no handlers', () => {
    expect(count(page, /<script\b/gi)).toBe(1);
    expect(page).not.toMatch(/<(img|svg|iframe|object|embed)\b/i);
    expect(page).not.toMatch(/<[^>]*\son\w+\s*=/i);
    expect(page).not.toMatch(/<\/title>[\s\S]*<\/title>/);
  });

  it('links only http(s) targets, with quotes percent-encoded', () => {
    const hrefs = [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1] ?? '');
    for (const href of hrefs) expect(href, href).toMatch(/^(\/|#|https?:\/\/|data:,$)/);
    expect(page).toContain(
      '<a href="https://example.com/a?b=1&amp;c=%22x%22" rel="noopener noreferrer nofollow">safe link</a>',
    );
    expect(page).toContain('[click me](javascript:alert(3))');
  });

  it('escapes the PAC-breaking string, quotes and the newline stays text', () => {
    expect(page).toContain('&quot;; return &quot;DIRECT&quot;;');
    expect(page).toContain('TCP: 443&quot;; return &quot;DIRECT');
    expect(page).toContain('UDP: &lt;b&gt;53&lt;/b&gt;');
    expect(page).toContain('Quote &quot; and &#39; and a newline\nsecond line &lt;/script&gt;');
  });
});

describe('index and error pages', () => {
  it('lists instances with latest version, date, count and retired marker', () => {
    const page = renderIndexPage({
      ctx: { lang: 'en', explicitLang: false },
      instances: [
        { instance: 'Worldwide', latest: '2025013000', versionCount: 36, retired: false },
        { instance: 'Germany', latest: '2021102900', versionCount: 18, retired: true },
      ],
    });
    for (const fragment of [
      '<tr data-instance="Germany">',
      '<td class="version" data-label="Latest version">2021102900</td>',
      '29 October 2021',
      '<td data-label="Status"><span class="tag">retired</span></td>',
      '<td data-label="Status">active</td>',
    ]) {
      expect(page).toContain(fragment);
    }
  });

  it('renders a 404 page that escapes the requested name', () => {
    const page = renderErrorPage({
      ctx: { lang: 'nl', explicitLang: false },
      status: 404,
      message: 'Er is geen instantie met de naam “<x>”.',
      instances: [{ instance: 'Worldwide', retired: false }],
    });
    expect(page).toContain('<h1>Pagina niet gevonden</h1>');
    expect(page).toContain('“&lt;x&gt;”');
    expect(page).toContain('<a href="/Worldwide">Worldwide</a>');
  });
});
