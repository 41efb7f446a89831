import { XMLValidator } from 'fast-xml-parser';
import { expect, it } from 'vitest';
import type { ChangeRecord } from '../core/change-record.js';
import { escapeXml, renderRss, rssDate, summarizeVersions } from './rss.js';

it('formats dates like the documented sample: ddd, dd MMM yyyy HH:mm:ss Z', () => {
  expect(rssDate('2018080200')).toBe('Thu, 02 Aug 2018 00:00:00 Z');
  expect(rssDate('2025013000')).toBe('Thu, 30 Jan 2025 00:00:00 Z');
  // The live service's own value for China 2025063000 (published time, not midnight).
  expect(rssDate('2025063000', '2025-06-30T01:25:26.000Z')).toBe('Mon, 30 Jun 2025 01:25:26 Z');
  expect(rssDate('2025063000', 'not a time')).toBe('Mon, 30 Jun 2025 00:00:00 Z');
});

it('counts records, IPs and URLs per version', () => {
  const records = [
    {
      id: 1,
      endpointSetId: 1,
      disposition: 'Change',
      version: '2',
      add: { effectiveDate: '1', ips: ['a', 'b'], urls: ['u'] },
    },
    { id: 2, endpointSetId: 2, disposition: 'Change', version: '2', remove: { ips: ['c'] } },
    { id: 3, endpointSetId: 2, disposition: 'Change', version: '1', remove: { urls: ['v'] } },
    { id: 4, endpointSetId: 3, disposition: 'Change', version: '1', add: { effectiveDate: '1' } },
  ] as ChangeRecord[];
  const times = new Map([['2', '2025-06-30T01:25:26Z']]);
  expect(summarizeVersions(['2', '1', '0'], records, times)).toEqual([
    {
      version: '2',
      changes: 2,
      ipsAdded: 2,
      ipsRemoved: 1,
      urlsAdded: 1,
      urlsRemoved: 0,
      attributesChanged: 0,
      publishedAt: '2025-06-30T01:25:26Z',
    },
    {
      version: '1',
      changes: 2,
      ipsAdded: 0,
      ipsRemoved: 0,
      urlsAdded: 0,
      urlsRemoved: 1,
      attributesChanged: 1,
    },
    {
      version: '0',
      changes: 0,
      ipsAdded: 0,
      ipsRemoved: 0,
      urlsAdded: 0,
      urlsRemoved: 0,
      attributesChanged: 0,
    },
  ]);
});

it('is well-formed XML with the documented item sentence and an escaped link', () => {
  const xml = renderRss({
    instance: 'Worldwide',
    clientRequestId: 'b10c5ed1-bad1-445f-b386-b919946339a7',
    versions: [
      {
        version: '2018080200',
        changes: 2,
        ipsAdded: 2,
        ipsRemoved: 0,
        urlsAdded: 0,
        urlsRemoved: 0,
        attributesChanged: 3,
        publishedAt: '2018-08-02T17:05:09Z',
      },
    ],
  });
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml).toContain(
    '<description>Version 2018080200 includes 2 changes. IPs: 2 added and 0 removed. URLs: 0 added and 0 removed. 3 other attributes changed.</description>',
  );
  expect(xml).toContain(
    '?singleVersion=true&amp;clientRequestId=b10c5ed1-bad1-445f-b386-b919946339a7</link>',
  );
  expect(xml).toContain('<title>2018080200 - Worldwide</title>');
  expect(xml).toContain('<lastBuildDate>Thu, 02 Aug 2018 17:05:09 Z</lastBuildDate>');
  expect(xml).toContain('<pubDate>Thu, 02 Aug 2018 17:05:09 Z</pubDate>');
  expect(escapeXml('a&b<c>"d')).toBe('a&amp;b&lt;c&gt;&quot;d');
});
