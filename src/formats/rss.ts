/**
 * The RSS 2.0 change feed of one instance (`/version/{instance}?format=RSS`; docs/api.md,
 * "GET /version"): the structure of Microsoft's documented sample (.NET syndication formatter: the
 * `a10` Atom namespace, dates `ddd, dd MMM yyyy HH:mm:ss Z`), made well-formed (every `&` escaped),
 * with a channel title, and items as the live service sends them today: title
 * `{version} - {instance}`, links with `singleVersion=true`, the description sentence plus URLs
 * and "N other attributes changed.", dates the time the version was published.
 */
import { countChanges, isAttributeOnly } from '../core/change-counts.js';
import type { ChangeRecord } from '../core/change-record.js';
import { parseYmd, versionDate, type VersionId } from '../core/version-id.js';

export interface RssVersionSummary {
  readonly version: VersionId;
  /** Change records published in this version. */
  readonly changes: number;
  readonly ipsAdded: number;
  readonly ipsRemoved: number;
  readonly urlsAdded: number;
  readonly urlsRemoved: number;
  /** Records that change only attributes (no IP or URL added or removed). */
  readonly attributesChanged: number;
  /** ISO 8601 time the version was published; absent: the version's date at midnight UTC. */
  readonly publishedAt?: string;
}

export interface RssFeedInput {
  /** Canonical instance name (echoed in links and the title). */
  readonly instance: string;
  /** Newest first (docs/api.md, "GET /version"). */
  readonly versions: readonly RssVersionSummary[];
  /** Normalised ClientRequestId of the caller, echoed in item links. */
  readonly clientRequestId: string;
  /** Origin of item links, default `https://endpoints.office.com`. */
  readonly baseUrl?: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * `Mon, 30 Jun 2025 01:25:26 Z`, the live service's spelling: the time the version was published,
 * or the version's date at midnight UTC when that time is unknown or unreadable.
 */
export function rssDate(version: VersionId, publishedAt?: string): string {
  const published = publishedAt === undefined ? Number.NaN : Date.parse(publishedAt);
  const date = Number.isNaN(published)
    ? (parseYmd(versionDate(version)) ?? new Date(0))
    : new Date(published);
  const two = (n: number): string => n.toString().padStart(2, '0');
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} Z`;
}

/** XML text escaping (XML 1.0 §2.4): `&`, `<`, `>`, and `"` for attribute safety. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/** Per-version counts of the change records (the feed's sentence: n records, a/r IPs, a/r URLs). */
export function summarizeVersions(
  versions: readonly VersionId[],
  records: readonly ChangeRecord[],
  publishTimes: ReadonlyMap<VersionId, string> = new Map(),
): RssVersionSummary[] {
  const byVersion = new Map<VersionId, ChangeRecord[]>(versions.map((version) => [version, []]));
  for (const record of records) byVersion.get(record.version)?.push(record);
  return versions.map((version) => {
    const publishedAt = publishTimes.get(version);
    return {
      version,
      ...rssCounts(byVersion.get(version)!),
      ...(publishedAt === undefined ? {} : { publishedAt }),
    };
  });
}

function rssCounts(records: readonly ChangeRecord[]) {
  const counts = countChanges(records);
  return {
    changes: counts.records,
    ipsAdded: counts.ipsAdded,
    ipsRemoved: counts.ipsRemoved,
    urlsAdded: counts.urlsAdded,
    urlsRemoved: counts.urlsRemoved,
    attributesChanged: records.filter(isAttributeOnly).length,
  };
}

export function renderRss(input: RssFeedInput): string {
  const base = (input.baseUrl ?? 'https://endpoints.office.com').replace(/\/+$/, '');
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:a10="http://www.w3.org/2005/Atom">',
    '<channel>',
    `<title>${escapeXml(`Office 365 IP Address and URL web service - ${input.instance}`)}</title>`,
    '<link>https://aka.ms/o365ip</link>',
    '<description/>',
    '<language>en-us</language>',
  ];
  const newest = input.versions[0];
  if (newest !== undefined)
    lines.push(`<lastBuildDate>${rssDate(newest.version, newest.publishedAt)}</lastBuildDate>`);
  for (const v of input.versions) {
    const link = `${base}/changes/${encodeURIComponent(input.instance)}/${v.version}?singleVersion=true&clientRequestId=${encodeURIComponent(input.clientRequestId)}`;
    const description =
      `Version ${v.version} includes ${v.changes} changes. IPs: ${v.ipsAdded} added and ${v.ipsRemoved} removed.` +
      ` URLs: ${v.urlsAdded} added and ${v.urlsRemoved} removed.` +
      (v.attributesChanged > 0 ? ` ${v.attributesChanged} other attributes changed.` : '');
    lines.push(
      '<item>',
      `<guid isPermaLink="false">${v.version}</guid>`,
      `<link>${escapeXml(link)}</link>`,
      `<title>${escapeXml(`${v.version} - ${input.instance}`)}</title>`,
      `<description>${escapeXml(description)}</description>`,
      `<pubDate>${rssDate(v.version, v.publishedAt)}</pubDate>`,
      '</item>',
    );
  }
  lines.push('</channel>', '</rss>');
  return lines.join('\r\n') + '\r\n';
}
