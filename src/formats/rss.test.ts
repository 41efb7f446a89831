import { XMLValidator } from 'fast-xml-parser';
import { expect, it } from 'vitest';
import type { ChangeRecord } from '../core/change-record.js';
import { escapeXml, renderRss, rssDate, summarizeVersions } from './rss.js';

it('formats dates like the documented sample: ddd, dd MMM yyyy HH:mm:ss Z', () => {
  expect(rssDate('2018080200')).toBe('Thu, 02 Aug 2018 00:00:00 Z');
  expect(rssDate('2025013000')).toBe('Thu, 30 Jan 2025 00:00:00 Z');
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
  ] as ChangeRecord[];
  expect(summarizeVersions(['2', '1', '0'], records)).toEqual([
    { version: '2', changes: 2, ipsAdded: 2, ipsRemoved: 1, urlsAdded: 1, urlsRemoved: 0 },
    { version: '1', changes: 1, ipsAdded: 0, ipsRemoved: 0, urlsAdded: 0, urlsRemoved: 1 },
    { version: '0', changes: 0, ipsAdded: 0, ipsRemoved: 0, urlsAdded: 0, urlsRemoved: 0 },
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
      },
    ],
  });
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml).toContain(
    '<description>Version 2018080200 includes 2 changes. IPs: 2 added and 0 removed. URLs: 0 added and 0 removed.</description>',
  );
  expect(xml).toContain(
    '?singleVersion&amp;clientRequestId=b10c5ed1-bad1-445f-b386-b919946339a7</link>',
  );
  expect(xml).toContain('<lastBuildDate>Thu, 02 Aug 2018 00:00:00 Z</lastBuildDate>');
  expect(escapeXml('a&b<c>"d')).toBe('a&amp;b&lt;c&gt;&quot;d');
});
