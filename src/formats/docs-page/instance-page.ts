/**
 * The human page of one instance and version (SPEC §7.1, issue 4 "The endpoint page"): title,
 * instance navigation, last updated, links to the RSS change log, the JSON download and the PAC
 * file, a version picker over the whole history, what the columns mean, one table per service
 * area with an anchor per set id, and what changed in this version with effective dates.
 */
import type { ChangeAttributes, ChangeRecord } from '../../core/change-record.js';
import { isCategory, SERVICE_AREAS, type EndpointSet } from '../../core/endpoint-set.js';
import type { VersionId } from '../../core/version-id.js';
import { html, join, trusted, type HtmlValue, type SafeHtml } from './html.js';
import { formatDate, isoDate, MESSAGES, type Lang, type Messages } from './i18n.js';
import { renderLayout, type NavInstance } from './layout.js';
import { instanceHref, jsonHref, pacHref, rssHref, setAnchor, type LinkContext } from './links.js';
import { renderNotes } from './notes.js';
import { instanceTitle } from './titles.js';

export interface InstancePageInput {
  readonly ctx: LinkContext;
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
  /** Every instance, for the navigation. */
  readonly instances: readonly NavInstance[];
}

function versionDay(version: VersionId): string {
  return version.slice(0, 8);
}

function dateHtml(ymd: string, lang: Lang): SafeHtml {
  return html`<time datetime="${isoDate(ymd)}">${formatDate(ymd, lang)}</time>`;
}

function addressList(items: readonly string[] | undefined, kind: string): HtmlValue {
  if (items === undefined || items.length === 0) return '';
  return html`<ul class="addr ${kind}">
    ${items.map((item) => html`<li><code>${item}</code></li>`)}
  </ul>`;
}

/** Port strings as published ("80,443", "143, 587"): items trimmed, order kept. */
function portList(ports: string): string {
  return ports
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .join(', ');
}

function setRow(set: EndpointSet, m: Messages): SafeHtml {
  const anchor = setAnchor(set.id);
  const categoryClass = isCategory(set.category) ? set.category : 'other';
  const ports: HtmlValue[] = [];
  if (set.tcpPorts !== undefined && set.tcpPorts !== '')
    ports.push(html`TCP: ${portList(set.tcpPorts)}`);
  if (set.udpPorts !== undefined && set.udpPorts !== '')
    ports.push(html`UDP: ${portList(set.udpPorts)}`);
  const note =
    set.notes !== undefined && set.notes !== ''
      ? html`<div class="note"><strong>${m.notes}</strong> ${renderNotes(set.notes)}</div>`
      : '';
  return html`<tr id="${anchor}" data-set-id="${set.id}">
    <td class="id"><a href="#${anchor}" title="${m.setAnchorTitle(set.id)}">${set.id}</a></td>
    <td class="category">
      <span class="cat cat-${categoryClass}">${set.category}</span><br /><span class="req"
        >${set.required ? m.required : m.optional}</span
      >${note}
    </td>
    <td class="er">${set.expressRoute ? m.yes : m.no}</td>
    <td class="addresses">${addressList(set.urls, 'urls')}${addressList(set.ips, 'ips')}</td>
    <td class="ports">${join(ports, trusted('<br>'))}</td>
  </tr>`;
}

function areaSection(area: string, sets: readonly EndpointSet[], m: Messages): SafeHtml {
  const displayName = sets[0]?.serviceAreaDisplayName ?? area;
  return html`<section class="area" id="area-${area}" aria-labelledby="area-${area}-title">
    <h2 id="area-${area}-title">${displayName}</h2>
    <p class="count">${m.setCount(sets.length)}</p>
    <table class="sets" data-service-area="${area}">
      <thead>
        <tr>
          <th scope="col">${m.columns.id[0]}</th>
          <th scope="col">${m.columns.category[0]}</th>
          <th scope="col">${m.columns.er[0]}</th>
          <th scope="col">${m.columns.addresses[0]}</th>
          <th scope="col">${m.columns.ports[0]}</th>
        </tr>
      </thead>
      <tbody>
        ${sets.map((set) => setRow(set, m))}
      </tbody>
    </table>
  </section>`;
}

const ATTRIBUTE_ORDER: readonly (keyof ChangeAttributes)[] = [
  'serviceArea',
  'category',
  'required',
  'expressRoute',
  'tcpPorts',
  'udpPorts',
  'notes',
];

function attributeChanges(record: ChangeRecord): HtmlValue {
  const items: SafeHtml[] = [];
  for (const key of ATTRIBUTE_ORDER) {
    const before = record.previous?.[key];
    const after = record.current?.[key];
    if (before === undefined && after === undefined) continue;
    if (before !== undefined && after !== undefined) {
      items.push(
        html`<li>
          <code>${key}</code>: ${before === '' ? '""' : before} → ${after === '' ? '""' : after}
        </li>`,
      );
    } else {
      items.push(html`<li><code>${key}</code>: ${before ?? after}</li>`);
    }
  }
  return items.length === 0
    ? ''
    : html`<ul>
        ${items}
      </ul>`;
}

function changeAddresses(
  part: { readonly urls?: readonly string[]; readonly ips?: readonly string[] } | undefined,
): HtmlValue {
  if (part === undefined) return '';
  return html`${addressList(part.urls, 'urls')}${addressList(part.ips, 'ips')}`;
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
    body = html`<p>${first ? m.firstVersion : m.noChanges}</p>`;
  } else {
    const count = (d: string) => records.filter((r) => r.disposition === d).length;
    const total = (pick: (r: ChangeRecord) => readonly string[] | undefined) =>
      records.reduce((n, r) => n + (pick(r)?.length ?? 0), 0);
    const rows = records.map((record) => {
      const setCell = presentIds.has(record.endpointSetId)
        ? html`<a href="#${setAnchor(record.endpointSetId)}">${record.endpointSetId}</a>`
        : html`${record.endpointSetId} <span class="req">(${m.setGone})</span>`;
      const effective = record.add?.effectiveDate;
      return html`<tr data-change-id="${record.id}">
        <td class="id">${setCell}</td>
        <td class="change">
          ${m.dispositions[record.disposition] ?? record.disposition}${record.impact === undefined ? '' : html`<br /><span class="req">${m.impacts[record.impact] ?? record.impact}</span>`}
        </td>
        <td class="addresses">${changeAddresses(record.add)}</td>
        <td class="effective">
          ${effective !== undefined && /^\d{8}$/.test(effective) ? dateHtml(effective, lang) : ''}
        </td>
        <td class="addresses">${changeAddresses(record.remove)}</td>
        <td>${attributeChanges(record)}</td>
      </tr>`;
    });
    const c = m.changeColumns;
    body = html`<p>
        ${m.changesSummary(records.length, count('Add'), count('Change'), count('Remove'))}
        ${m.addressSummary(
          total((r) => r.add?.ips),
          total((r) => r.remove?.ips),
          total((r) => r.add?.urls),
          total((r) => r.remove?.urls),
        )}
      </p>
      <table class="changes">
        <thead>
          <tr>
            <th scope="col">${c.set}</th>
            <th scope="col">${c.change}</th>
            <th scope="col">${c.added}</th>
            <th scope="col">${c.effective}</th>
            <th scope="col">${c.removed}</th>
            <th scope="col">${c.attributes}</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>`;
  }
  return html`<section id="changes" aria-labelledby="changes-title">
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
    banners.push(html`<p class="banner retired" role="note">${m.retiredBanner(latest)}</p>`);
  if (!isLatest) {
    banners.push(
      html`<p class="banner historical" role="note">
        ${m.historicalBanner(version, latest)}
        <a href="${instanceHref(ctx, instance)}">${m.showLatest}</a>
      </p>`,
    );
  }

  const options = input.versions.map(
    (v) =>
      html`<option value="${v}" ${v === version ? trusted(' selected') : ''}>
        ${v} (${formatDate(versionDay(v), ctx.lang)})${v === latest ? html` – ${m.latestMark}` : ''}
      </option>`,
  );

  const body = html`<h1>
      ${title}${input.retired ? html` <span class="tag">${m.retired}</span>` : ''}
    </h1>
    ${banners}
    <p class="lead">${m.summary(instance)}</p>
    <dl class="facts">
      <dt>${m.lastUpdated}</dt>
      <dd>
        ${dateHtml(versionDay(version), ctx.lang)} (${m.version}
        <span class="version">${version}</span>)
      </dd>
      <dt>${m.changeLog}</dt>
      <dd>
        <a class="rss" href="${rssHref(instance)}" type="application/rss+xml">${m.rssLink}</a>
      </dd>
      <dt>${m.download}</dt>
      <dd>
        <a class="json" href="${jsonHref(instance)}" type="application/json">${m.jsonLink}</a> ·
        <a class="pac" href="${pacHref(instance)}">${m.pacLink}</a
        >${isLatest ? '' : html`<br /><span class="req">${m.alwaysLatest}</span>`}
      </dd>
    </dl>
    <form
      class="version-picker"
      method="get"
      action="${instanceHref({ ...ctx, explicitLang: false }, instance)}"
    >
      <label for="version">${m.versionPicker}</label>
      <select id="version" name="version" data-autosubmit>
        ${options}
      </select>
      ${ctx.explicitLang ? html`<input type="hidden" name="lang" value="${ctx.lang}" />` : ''}
      <button type="submit">${m.show}</button>
      <span class="help">${m.versionPickerHelp}</span>
    </form>
    <nav class="toc" aria-label="${m.onThisPage}">
      <ul>
        ${byArea.map(({ area, sets }) => html`<li><a href="#area-${area}">${sets[0]?.serviceAreaDisplayName ?? area}</a></li>`)}
        <li><a href="#changes">${m.changesHeading(version)}</a></li>
        <li><a href="#columns">${m.columnsHeading}</a></li>
      </ul>
    </nav>
    ${byArea.length === 0 ? html`<p>${m.noSets}</p>` : byArea.map(({ area, sets }) => areaSection(area, sets, m))}
    ${changesSection(input, presentIds, m)}
    <section id="columns" aria-labelledby="columns-title">
      <h2 id="columns-title">${m.columnsHeading}</h2>
      <dl class="columns">
        ${Object.values(m.columns).map(
          ([name, meaning]) =>
            html`<dt>${name}</dt>
              <dd>${meaning}</dd>`,
        )}
      </dl>
      <h3>${m.categoriesHeading}</h3>
      <ul class="categories">
        ${Object.values(m.categories).map((text) => html`<li>${text}</li>`)}
      </ul>
    </section>
    <section class="about" aria-labelledby="about-title">
      <h2 id="about-title">${m.aboutHeading}</h2>
      ${m.about.map((paragraph) => html`<p>${paragraph}</p>`)}
    </section>`;

  return renderLayout({
    ctx,
    title: `${title} – ${m.version} ${version}`,
    instances: input.instances,
    current: instance,
    switchHref: (lang) => instanceHref(ctx, instance, linkVersion, lang),
    head: html`<link
      rel="alternate"
      type="application/rss+xml"
      title="${m.rssLink}"
      href="${rssHref(instance)}"
    />`,
    body,
  });
}
