/**
 * The "Local overlay" section of an instance page (docs/operations.md "Local overlay"): shown
 * only when the instance has additions or exclusions in force, after Microsoft's tables, which
 * stay exactly the published data. Its own EN/NL strings live here (i18n.ts holds the page
 * chrome and is at its size limit); note and user name are the administrator's text, escaped
 * like any value.
 */
import {
  describeOverlayEntry,
  type ActiveOverlay,
  type OverlayChange,
} from '../../core/overlay.js';
import { markup, type SafeHtml } from './html.js';
import { inLanguage, type Lang, type Translated } from './i18n.js';

interface OverlayMessages {
  readonly heading: (revision: number) => string;
  readonly intro: string;
  readonly columns: readonly [string, string, string, string, string];
  readonly add: string;
  readonly exclude: string;
}

/** Each text's translations side by side. */
const OVERLAY_TEXTS: Translated<OverlayMessages> = {
  heading: {
    en: (revision) => `Local overlay (revision ${revision})`,
    nl: (revision) => `Lokale aanvullingen (revisie ${revision})`,
  },
  intro: {
    en: "This server's administrators add and exclude these entries in device outputs only (firewall and proxy exports, PAC files, lookups), each marked local there. The tables above, the JSON and the change log stay Microsoft's published data.",
    nl: 'De beheerders van deze server voegen deze regels alleen toe aan of halen ze weg uit de uitvoer voor apparaten (firewall- en proxy-exports, PAC-bestanden, opzoekingen), daar gemarkeerd als lokaal. De tabellen hierboven, de JSON en het wijzigingslogboek blijven de gepubliceerde gegevens van Microsoft.',
  },
  columns: {
    en: ['Change', 'Kind', 'What', 'By, when', 'Why'],
    nl: ['Wijziging', 'Soort', 'Wat', 'Door, wanneer', 'Waarom'],
  },
  add: { en: 'Addition', nl: 'Toevoeging' },
  exclude: { en: 'Exclusion', nl: 'Uitsluiting' },
};

export const OVERLAY_MESSAGES: Readonly<Record<Lang, OverlayMessages>> = {
  en: inLanguage(OVERLAY_TEXTS, 'en'),
  nl: inLanguage(OVERLAY_TEXTS, 'nl'),
};

function row(change: OverlayChange, m: OverlayMessages): SafeHtml {
  const kind = change.entry.action === 'add' ? m.add : m.exclude;
  const what = describeOverlayEntry(change.entry).replace(/^(add|exclude) /, '');
  return markup`<tr id="overlay-${change.id}"><td>#${change.id}</td><td>${kind}</td><td class="addr">${what}</td><td>${change.by}, ${change.at.slice(0, 10)}</td><td>${change.note}</td></tr>
`;
}

/** The section, or '' when nothing is in force. */
export function overlaySection(overlay: ActiveOverlay | undefined, lang: Lang): SafeHtml | string {
  if (overlay === undefined || overlay.additions.length + overlay.exclusions.length === 0)
    return '';
  const m = OVERLAY_MESSAGES[lang];
  const changes = [...overlay.additions, ...overlay.exclusions].sort((a, b) => a.id - b.id);
  return markup`<section id="overlay" class="overlay" aria-labelledby="overlay-title">
<h2 id="overlay-title">${m.heading(overlay.revision)}</h2>
<p>${m.intro}</p>
<table class="overlay">
<thead><tr>${m.columns.map((c) => markup`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>
${changes.map((change) => row(change, m))}</tbody>
</table>
</section>
`;
}
