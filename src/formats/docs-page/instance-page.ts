/**
 * The human page of one instance and version, after Microsoft's endpoint pages (issue 4 "The
 * endpoint page"): title, instance navigation, last updated, links to the RSS change log, the JSON
 * download and the PAC file, a version picker over the whole history, what the columns mean, one
 * table per service area with an anchor per set id, and what changed in this version with effective
 * dates.
 */
import { CHANGE_ATTRIBUTES, type ChangeRecord } from '../../core/change-record.js';
import { isCategory, SERVICE_AREAS, type EndpointSet } from '../../core/endpoint-set.js';
import type { VersionId } from '../../core/version-id.js';
import { join, markup, trusted, type HtmlValue, type SafeHtml } from './html.js';
import { formatDate, isoDate, MESSAGES, type Lang, type Messages } from './i18n.js';
import { renderLayout, type NavInstance } from './layout.js';
import { instanceHref, jsonHref, pacHref, rssHref, setAnchor, type LinkContext } from './links.js';
import { renderNotes } from './notes.js';
import { overlaySection } from './overlay-section.js';
import type { ActiveOverlay } from '../../core/overlay.js';
import { instanceTitle } from './titles.js';

export interface InstancePageInput {
  readonly ctx: LinkContext;
  /** Every instance, for the navigation. */
  readonly instances: readonly NavInstance[];
  /** Canonical instance name. */
  readonly instance: string;
  readonly retired: boolean;
  /** The version shown. */
  readonly version: VersionId;
  /** Every stored version of the instance, newest first (the latest at index 0). */
  readonly versions: readonly VersionId[];
  /** The sets of `version`. */
  readonly sets: readonly EndpointSet[];
  /** The change records of `version` (singleVersion). */
  readonly changes: readonly ChangeRecord[];
  /** Today (UTC, YYYYMMDD): additions of `version` effective after it are marked in the tables. */
  readonly today?: string;
  /**
   * Change records whose additions may still be pending (this version's and earlier ones'; the
   * default is `changes`): only items the shown sets list are marked.
   */
  readonly pending?: readonly ChangeRecord[];
  /** The instance's local overlay: its own section when something is in force. */
  readonly overlay?: ActiveOverlay;
}

/** Per set id: the addresses this version adds that are not effective yet, and from when. */
type Pending = ReadonlyMap<number, { readonly items: ReadonlySet<string>; readonly date: string }>;

function pendingAdditions(changes: readonly ChangeRecord[], today: string | undefined): Pending {
  const pending = new Map<number, { items: Set<string>; date: string }>();
  if (today === undefined) return pending;
  for (const record of changes) {
    const date = record.add?.effectiveDate;
    if (date === undefined || !/^\d{8}$/.test(date) || date <= today) continue;
    const entry = pending.get(record.endpointSetId) ?? { items: new Set<string>(), date };
    for (const item of [...(record.add?.urls ?? []), ...(record.add?.ips ?? [])])
      entry.items.add(item);
    if (date > entry.date) entry.date = date;
    pending.set(record.endpointSetId, entry);
  }
  return pending;
}

/** An address with line-break opportunities after its separators (never inside a label). */
function breakable(item: string): SafeHtml {
  return join(
    item.split(/(?<=[./:])/).map((part) => markup`${part}`),
    trusted('<wbr>'),
  );
}

function versionDay(version: VersionId): string {
  return version.slice(0, 8);
}

function dateHtml(ymd: string, lang: Lang): SafeHtml {
  return markup`<time datetime="${isoDate(ymd)}">${formatDate(ymd, lang)}</time>`;
}

function addressList(
  items: readonly string[] | undefined,
  kind: string,
  marker?: { readonly items: ReadonlySet<string>; readonly html: SafeHtml },
): HtmlValue {
  if (items === undefined || items.length === 0) return '';
  return markup`<ul class="addr ${kind}">${items.map((item) =>
    marker?.items.has(item) === true
      ? markup`<li class="pending"><code>${breakable(item)}</code> ${marker.html}</li>`
      : markup`<li><code>${breakable(item)}</code></li>`,
  )}</ul>`;
}

/** Port strings as published ("80,443", "143, 587"): items trimmed, order kept. */
function portList(ports: string): string {
  return ports
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .join(', ');
}

function setRow(set: EndpointSet, m: Messages, pending: Pending, lang: Lang): SafeHtml {
  const anchor = setAnchor(set.id);
  const due = pending.get(set.id);
  const marker =
    due === undefined
      ? undefined
      : {
          items: due.items,
          html: markup`<span class="pending-mark" title="${m.pendingTitle}">${m.pendingFrom(formatDate(due.date, lang))}</span>`,
        };
  const categoryClass = isCategory(set.category) ? set.category : 'other';
  const ports: HtmlValue[] = [];
  if (set.tcpPorts !== undefined && set.tcpPorts !== '')
    ports.push(markup`TCP: ${portList(set.tcpPorts)}`);
  if (set.udpPorts !== undefined && set.udpPorts !== '')
    ports.push(markup`UDP: ${portList(set.udpPorts)}`);
  const note =
    set.notes !== undefined && set.notes !== ''
      ? markup`<div class="note"><strong>${m.notes}</strong> ${renderNotes(set.notes)}</div>`
      : '';
  return markup`<tr id="${anchor}" data-set-id="${set.id}">
<td class="id" data-label="${m.columns.id[0]}"><a href="#${anchor}" title="${m.setAnchorTitle(set.id)}">${set.id}</a></td>
<td class="category" data-label="${m.columns.category[0]}"><span class="cat cat-${categoryClass}">${set.category}</span><br><span class="req">${set.required ? m.required : m.optional}</span>${note}</td>
<td class="er" data-label="${m.columns.er[0]}">${set.expressRoute ? m.yes : m.no}</td>
<td class="addresses" data-label="${m.columns.addresses[0]}">${addressList(set.urls, 'urls', marker)}${addressList(set.ips, 'ips', marker)}</td>
<td class="ports" data-label="${m.columns.ports[0]}">${join(ports, trusted('<br>'))}</td>
</tr>
`;
}

function areaSection(
  area: string,
  sets: readonly EndpointSet[],
  m: Messages,
  pending: Pending,
  lang: Lang,
): SafeHtml {
  const displayName = sets[0]?.serviceAreaDisplayName ?? area;
  return markup`<section class="area" id="area-${area}" aria-labelledby="area-${area}-title">
<h2 id="area-${area}-title">${displayName}</h2>
<p class="count">${m.setCount(sets.length)}</p>
<table class="sets" data-service-area="${area}">
<thead><tr><th scope="col">${m.columns.id[0]}</th><th scope="col">${m.columns.category[0]}</th><th scope="col">${m.columns.er[0]}</th><th scope="col">${m.columns.addresses[0]}</th><th scope="col">${m.columns.ports[0]}</th></tr></thead>
<tbody>
${sets.map((set) => setRow(set, m, pending, lang))}</tbody>
</table>
</section>
`;
}

function shown(value: string): string {
  return value === '' ? '""' : value;
}

function attributeChanges(record: ChangeRecord): HtmlValue {
  const items: SafeHtml[] = [];
  for (const key of CHANGE_ATTRIBUTES) {
    const before = record.previous?.[key];
    const after = record.current?.[key];
    if (before !== undefined && after !== undefined) {
      items.push(markup`<li><code>${key}</code>: ${shown(before)} → ${shown(after)}</li>`);
    } else if (before !== undefined || after !== undefined) {
      items.push(markup`<li><code>${key}</code>: ${shown(before ?? after ?? '')}</li>`);
    }
  }
  return items.length === 0 ? '' : markup`<ul>${items}</ul>`;
}

function changeAddresses(
  part: { readonly urls?: readonly string[]; readonly ips?: readonly string[] } | undefined,
): HtmlValue {
  if (part === undefined) return '';
  return markup`${addressList(part.urls, 'urls')}${addressList(part.ips, 'ips')}`;
}

function changesSection(
  input: InstancePageInput,
  presentIds: ReadonlySet<number>,
  m: Messages,
): SafeHtml {
  const lang = input.ctx.lang;
  const first = input.versions[input.versions.length - 1] === input.version;
  const records = [...input.changes].sort(
    (a, b) => a.endpointSetId - b.endpointSetId || a.id - b.id,
  );
  let body: HtmlValue;
  if (records.length === 0) {
    body = markup`<p>${first ? m.firstVersion : m.noChanges}</p>`;
  } else {
    const count = (d: string) => records.filter((r) => r.disposition === d).length;
    const total = (pick: (r: ChangeRecord) => readonly string[] | undefined) =>
      records.reduce((n, r) => n + (pick(r)?.length ?? 0), 0);
    const c = m.changeColumns;
    const rows = records.map((record) => {
      const setCell = presentIds.has(record.endpointSetId)
        ? markup`<a href="#${setAnchor(record.endpointSetId)}">${record.endpointSetId}</a>`
        : markup`${record.endpointSetId} <span class="req">(${m.setGone})</span>`;
      const effective = record.add?.effectiveDate;
      const impact =
        record.impact === undefined
          ? ''
          : markup`<br><span class="req">${m.impacts[record.impact] ?? record.impact}</span>`;
      return markup`<tr data-change-id="${record.id}">
<td class="id" data-label="${c.set}">${setCell}</td>
<td class="change" data-label="${c.change}">${m.dispositions[record.disposition] ?? record.disposition}${impact}</td>
<td class="addresses" data-label="${c.added}">${changeAddresses(record.add)}</td>
<td class="effective" data-label="${c.effective}">${effective !== undefined && /^\d{8}$/.test(effective) ? dateHtml(effective, lang) : ''}</td>
<td class="addresses" data-label="${c.removed}">${changeAddresses(record.remove)}</td>
<td data-label="${c.attributes}">${attributeChanges(record)}</td>
</tr>
`;
    });
    const summary = m.changesSummary(
      records.length,
      count('Add'),
      count('Change'),
      count('Remove'),
    );
    const addresses = m.addressSummary(
      total((r) => r.add?.ips),
      total((r) => r.remove?.ips),
      total((r) => r.add?.urls),
      total((r) => r.remove?.urls),
    );
    body = markup`<p>${summary} ${addresses}</p>
<table class="changes">
<thead><tr><th scope="col">${c.set}</th><th scope="col">${c.change}</th><th scope="col">${c.added}</th><th scope="col">${c.effective}</th><th scope="col">${c.removed}</th><th scope="col">${c.attributes}</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`;
  }
  return markup`<section id="changes" aria-labelledby="changes-title">
<h2 id="changes-title">${m.changesHeading(input.version)}</h2>
${body}
</section>`;
}

export function renderInstancePage(input: InstancePageInput): string {
  const { ctx, instance, version } = input;
  const m = MESSAGES[ctx.lang];
  const latest = input.versions[0] ?? version;
  const isLatest = version === latest;
  const title = instanceTitle(instance, ctx.lang);
  const byArea = SERVICE_AREAS.map((area) => ({
    area,
    sets: input.sets.filter((set) => set.serviceArea === area).sort((a, b) => a.id - b.id),
  })).filter((group) => group.sets.length > 0);
  const presentIds = new Set(input.sets.map((set) => set.id));
  const linkVersion = isLatest ? undefined : version;

  const banners: HtmlValue[] = [];
  if (input.retired)
    banners.push(markup`<p class="banner retired" role="note">${m.retiredBanner(latest)}</p>`);
  if (!isLatest) {
    banners.push(
      markup`<p class="banner historical" role="note">${m.historicalBanner(version, latest)} <a href="${instanceHref(ctx, instance)}">${m.showLatest}</a></p>`,
    );
  }

  const options = input.versions.map(
    (v) =>
      markup`<option value="${v}"${v === version ? trusted(' selected') : ''}>${v} (${formatDate(versionDay(v), ctx.lang)})${v === latest ? markup` – ${m.latestMark}` : ''}</option>
`,
  );
  const retiredTag = input.retired ? markup` <span class="tag">${m.retired}</span>` : '';
  const latestOnly = isLatest ? '' : markup`<br><span class="req">${m.alwaysLatest}</span>`;
  const toc = byArea.map(
    ({ area, sets }) =>
      markup`<li><a href="#area-${area}">${sets[0]?.serviceAreaDisplayName ?? area}</a></li>`,
  );
  const tables =
    byArea.length === 0
      ? markup`<p>${m.noSets}</p>`
      : byArea.map(({ area, sets }) =>
          areaSection(
            area,
            sets,
            m,
            pendingAdditions(input.pending ?? input.changes, input.today),
            ctx.lang,
          ),
        );

  const body = markup`<h1>${title}${retiredTag}</h1>
${banners}
<p class="lead">${m.summary(instance)}</p>
<dl class="facts">
<dt>${m.lastUpdated}</dt><dd>${dateHtml(versionDay(version), ctx.lang)} (${m.version} <span class="version">${version}</span>)</dd>
<dt>${m.changeLog}</dt><dd><a class="rss" href="${rssHref(instance)}" type="application/rss+xml">${m.rssLink}</a></dd>
<dt>${m.download}</dt><dd><a class="json" href="${jsonHref(instance)}" type="application/json">${m.jsonLink}</a> · <a class="pac" href="${pacHref(instance)}">${m.pacLink}</a>${latestOnly}</dd>
</dl>
<form class="version-picker" method="get" action="${instanceHref({ ...ctx, explicitLang: false }, instance)}">
<label for="version">${m.versionPicker}</label>
<select id="version" name="version" data-autosubmit>
${options}</select>
${ctx.explicitLang ? markup`<input type="hidden" name="lang" value="${ctx.lang}">` : ''}
<button type="submit">${m.show}</button>
<span class="help">${m.versionPickerHelp}</span>
</form>
<nav class="toc" aria-label="${m.onThisPage}"><ul>
${toc}
<li><a href="#changes">${m.changesHeading(version)}</a></li>
<li><a href="#columns">${m.columnsHeading}</a></li>
</ul></nav>
${tables}
${overlaySection(input.overlay, ctx.lang)}
${changesSection(input, presentIds, m)}
<section id="columns" aria-labelledby="columns-title">
<h2 id="columns-title">${m.columnsHeading}</h2>
<dl class="columns">
${Object.values(m.columns).map(([name, meaning]) => markup`<dt>${name}</dt><dd>${meaning}</dd>`)}
</dl>
<h3>${m.categoriesHeading}</h3>
<ul class="categories">${Object.values(m.categories).map((text) => markup`<li>${text}</li>`)}</ul>
</section>
<section class="about" aria-labelledby="about-title">
<h2 id="about-title">${m.aboutHeading}</h2>
${m.about.map((paragraph) => markup`<p>${paragraph}</p>`)}
</section>`;

  return renderLayout({
    ctx,
    title: `${title} – ${m.version} ${version}`,
    instances: input.instances,
    current: instance,
    switchHref: (lang) => instanceHref(ctx, instance, linkVersion, lang),
    head: markup`<link rel="alternate" type="application/rss+xml" title="${m.rssLink}" href="${rssHref(instance)}">`,
    body,
  });
}
