/**
 * Every text of the page chrome, in English and Dutch. Endpoint data (display names, notes,
 * addresses) is not translated: it is published data. Message functions return plain text; the
 * templates escape it like any other value.
 *
 * Language choice: `?lang=` when it names a supported language, else the best supported
 * language of Accept-Language (RFC 9110 §12.5.4, q-values honoured), else English.
 */
import type { Disposition, Impact } from '../../core/change-record.js';

export type Lang = 'en' | 'nl';

export const LANGS: readonly Lang[] = ['en', 'nl'];

export interface Messages {
  /** BCP 47 locale for dates. */
  readonly locale: string;
  /** The language's own name, for the switch link pointing to it. */
  readonly languageName: string;
  readonly switchLanguage: string;
  readonly skipToContent: string;
  readonly instancesNav: string;
  readonly allInstances: string;
  readonly retired: string;
  readonly retiredBanner: (version: string) => string;
  readonly historicalBanner: (version: string, latest: string) => string;
  readonly showLatest: string;
  readonly summary: (instance: string) => string;
  readonly lastUpdated: string;
  readonly version: string;
  readonly changeLog: string;
  readonly rssLink: string;
  readonly download: string;
  readonly jsonLink: string;
  readonly pacLink: string;
  readonly alwaysLatest: string;
  readonly versionPicker: string;
  readonly versionPickerHelp: string;
  readonly show: string;
  readonly latestMark: string;
  readonly onThisPage: string;
  readonly aboutHeading: string;
  readonly about: readonly string[];
  readonly columnsHeading: string;
  readonly columns: {
    readonly id: readonly [string, string];
    readonly category: readonly [string, string];
    readonly er: readonly [string, string];
    readonly addresses: readonly [string, string];
    readonly ports: readonly [string, string];
  };
  readonly categoriesHeading: string;
  readonly categories: Readonly<Record<'Optimize' | 'Allow' | 'Default', string>>;
  readonly required: string;
  readonly optional: string;
  readonly yes: string;
  readonly no: string;
  readonly notes: string;
  readonly setCount: (n: number) => string;
  readonly noSets: string;
  readonly setAnchorTitle: (id: number) => string;
  readonly changesHeading: (version: string) => string;
  readonly changesSummary: (
    records: number,
    added: number,
    changed: number,
    removed: number,
  ) => string;
  readonly addressSummary: (
    ipsAdded: number,
    ipsRemoved: number,
    urlsAdded: number,
    urlsRemoved: number,
  ) => string;
  readonly noChanges: string;
  readonly firstVersion: string;
  readonly changeColumns: {
    readonly set: string;
    readonly change: string;
    readonly added: string;
    readonly removed: string;
    readonly effective: string;
    readonly attributes: string;
  };
  readonly dispositions: Readonly<Record<Disposition, string>>;
  readonly impacts: Readonly<Record<Impact, string>>;
  readonly setGone: string;
  /** Marker of an address added in this version that takes effect later. */
  readonly pendingFrom: (date: string) => string;
  /** Title of that marker. */
  readonly pendingTitle: string;
  readonly indexHeading: string;
  readonly indexIntro: string;
  readonly indexColumns: {
    readonly instance: string;
    readonly page: string;
    readonly latest: string;
    readonly date: string;
    readonly versions: string;
    readonly status: string;
  };
  readonly active: string;
  readonly noInstances: string;
  readonly notFoundTitle: string;
  readonly badRequestTitle: string;
  readonly unknownInstance: (name: string) => string;
  readonly unknownVersion: (version: string, instance: string) => string;
  readonly badVersion: (received: string) => string;
  readonly badRequest: string;
  readonly knownInstances: string;
  readonly footer: string;
}

/** Texts in every language, side by side. */
export type Translated<T> = { readonly [K in keyof T]: Readonly<Record<Lang, T[K]>> };

/** One language's texts of a translated table. */
export function inLanguage<T>(table: Translated<T>, lang: Lang): T {
  return Object.fromEntries(
    Object.entries<Readonly<Record<Lang, unknown>>>(table).map(([key, text]) => [key, text[lang]]),
  ) as T;
}

/** The change table's column headers and dispositions, each label's translations side by side. */
const CHANGE_TABLE: {
  readonly [G in 'changeColumns' | 'dispositions']: Translated<Messages[G]>;
} = {
  changeColumns: {
    set: { en: 'Set', nl: 'Set' },
    change: { en: 'Change', nl: 'Wijziging' },
    added: { en: 'Added', nl: 'Toegevoegd' },
    removed: { en: 'Removed', nl: 'Verwijderd' },
    effective: { en: 'Effective', nl: 'Actief vanaf' },
    attributes: { en: 'Other changes', nl: 'Andere wijzigingen' },
  },
  dispositions: {
    Add: { en: 'New set', nl: 'Nieuwe set' },
    Change: { en: 'Changed', nl: 'Gewijzigd' },
    Remove: { en: 'Set removed', nl: 'Set verwijderd' },
  },
};

const en: Messages = {
  locale: 'en-GB',
  languageName: 'English',
  switchLanguage: 'Deze pagina in het Nederlands',
  skipToContent: 'Skip to the content',
  instancesNav: 'Cloud instances',
  allInstances: 'All instances',
  retired: 'retired',
  retiredBanner: (version) =>
    `This instance is retired: it no longer receives new versions. Version ${version} is its final version.`,
  historicalBanner: (version, latest) =>
    `You are looking at version ${version}, an earlier version. The latest version is ${latest}.`,
  showLatest: 'Show the latest version',
  summary: (instance) =>
    `The network endpoints (URLs, IP address ranges and ports) that devices need to reach to use Microsoft 365 in the ${instance} cloud instance, one table per service area.`,
  lastUpdated: 'Last updated',
  version: 'version',
  changeLog: 'Change log',
  rssLink: 'Change Log subscription (RSS)',
  download: 'Download',
  jsonLink: 'Required and optional destinations, JSON formatted',
  pacLink: 'Proxy auto-configuration (PAC) file',
  alwaysLatest: 'The JSON and PAC downloads always give the latest version.',
  versionPicker: 'Version',
  versionPickerHelp: 'Every published version of this instance, newest first.',
  show: 'Show',
  latestMark: 'latest',
  onThisPage: 'On this page',
  aboutHeading: 'About this data',
  about: [
    'The endpoint data is updated at the beginning of each month. New IP addresses and URLs are published at least 30 days before they become active, so that firewalls, access control lists and proxy bypass lists can be updated in time. Out-of-band updates are possible for support incidents, security updates or other operational needs.',
    'Scripts and devices should read the web service (the JSON and change log links above) rather than this page. The data covers connectivity from users’ devices to Microsoft 365; inbound connections and hybrid scenarios are not listed here.',
    'The endpoints are grouped into four service areas. The first three can be selected independently; the Common area is a prerequisite of all the others and must always be reachable.',
  ],
  columnsHeading: 'What the columns mean',
  columns: {
    id: [
      'ID',
      'The ID number of the endpoint set, the same as in the web service. Every row has its own link anchor.',
    ],
    category: [
      'Category',
      'Optimize, Allow or Default, then whether the set is Required or Optional. Optional sets carry a note naming the feature they are needed for.',
    ],
    er: [
      'ER',
      'Yes when the set is reachable over Azure ExpressRoute with Microsoft 365 route prefixes; No when it is not.',
    ],
    addresses: [
      'Addresses',
      'The host names (FQDNs, with * wildcards) and the IPv4 and IPv6 address ranges (CIDR) of the set. <tenant> stands for your tenant name.',
    ],
    ports: ['Ports', 'The TCP and UDP ports used with these addresses.'],
  },
  categoriesHeading: 'Categories',
  categories: {
    Optimize:
      'Optimize: the most performance-sensitive traffic. Route it directly, bypass proxies and SSL inspection.',
    Allow:
      'Allow: needed and sensitive to latency. Route it directly if possible, without SSL inspection.',
    Default: 'Default: can go through proxies and the normal internet path.',
  },
  required: 'Required',
  optional: 'Optional',
  yes: 'Yes',
  no: 'No',
  notes: 'Notes:',
  setCount: (n) => (n === 1 ? '1 endpoint set' : `${n} endpoint sets`),
  noSets: 'This version has no endpoint sets.',
  setAnchorTitle: (id) => `Link to endpoint set ${id}`,
  changesHeading: (version) => `What changed in version ${version}`,
  changesSummary: (records, added, changed, removed) =>
    `${records} change record${records === 1 ? '' : 's'}: ${added} set${added === 1 ? '' : 's'} added, ${changed} changed, ${removed} removed.`,
  addressSummary: (ipsAdded, ipsRemoved, urlsAdded, urlsRemoved) =>
    `IP ranges: ${ipsAdded} added, ${ipsRemoved} removed. URLs: ${urlsAdded} added, ${urlsRemoved} removed.`,
  noChanges: 'There are no change records for this version.',
  firstVersion:
    'This is the first stored version of this instance, so there is nothing to compare it with.',
  changeColumns: inLanguage(CHANGE_TABLE.changeColumns, 'en'),
  dispositions: inLanguage(CHANGE_TABLE.dispositions, 'en'),
  pendingFrom: (date) => `from ${date}`,
  pendingTitle: 'Added in this version, not effective yet: open it in your network by this date',
  impacts: {
    AddedIp: 'IP addresses added',
    AddedUrl: 'URLs added',
    AddedIpAndUrl: 'IP addresses and URLs added',
    AddedSubstituteUrl: 'Substitute URL added',
    RemovedIpOrUrl: 'IP addresses or URLs removed',
    ChangedIsExpressRoute: 'ExpressRoute support changed',
    MovedIpOrUrl: 'IP addresses or URLs moved to another set',
    RemovedDuplicateIpOrUrl: 'Duplicate IP address or URL removed',
    OtherNonPriorityChanges: 'Other, lower-priority changes',
  },
  setGone: 'not in this version',
  indexHeading: 'Microsoft 365 URLs and IP address ranges',
  indexIntro:
    'Endpoint data for each Microsoft 365 cloud instance served here. Choose an instance to see its endpoint tables, its version history and what changed.',
  indexColumns: {
    instance: 'Instance',
    page: 'Page',
    latest: 'Latest version',
    date: 'Date',
    versions: 'Versions',
    status: 'Status',
  },
  active: 'active',
  noInstances: 'No data has been published yet.',
  notFoundTitle: 'Page not found',
  badRequestTitle: 'Bad request',
  unknownInstance: (name) => `There is no instance called “${name}”.`,
  unknownVersion: (version, instance) => `Version ${version} of ${instance} is not stored here.`,
  badVersion: (received) => `The version must be ten digits (YYYYMMDDNN); received “${received}”.`,
  badRequest: 'The request could not be understood.',
  knownInstances: 'Instances served here:',
  footer: 'Served by ipurl, a self-hosted Microsoft 365 IP address and URL web service.',
};

const nl: Messages = {
  locale: 'nl-NL',
  languageName: 'Nederlands',
  switchLanguage: 'This page in English',
  skipToContent: 'Direct naar de inhoud',
  instancesNav: 'Cloudinstanties',
  allInstances: 'Alle instanties',
  retired: 'buiten gebruik',
  retiredBanner: (version) =>
    `Deze instantie is buiten gebruik: er verschijnen geen nieuwe versies meer. Versie ${version} is de laatste versie.`,
  historicalBanner: (version, latest) =>
    `U bekijkt versie ${version}, een eerdere versie. De nieuwste versie is ${latest}.`,
  showLatest: 'Toon de nieuwste versie',
  summary: (instance) =>
    `De netwerkeindpunten (URL's, IP-adresbereiken en poorten) die apparaten moeten kunnen bereiken om Microsoft 365 te gebruiken in de cloudinstantie ${instance}, met één tabel per servicegebied.`,
  lastUpdated: 'Laatst bijgewerkt',
  version: 'versie',
  changeLog: 'Wijzigingslogboek',
  rssLink: 'Abonneren op het wijzigingslogboek (RSS)',
  download: 'Downloaden',
  jsonLink: 'Vereiste en optionele bestemmingen, in JSON-indeling',
  pacLink: 'Bestand voor automatische proxyconfiguratie (PAC)',
  alwaysLatest: 'De JSON- en PAC-downloads geven altijd de nieuwste versie.',
  versionPicker: 'Versie',
  versionPickerHelp: 'Alle gepubliceerde versies van deze instantie, de nieuwste eerst.',
  show: 'Tonen',
  latestMark: 'nieuwste',
  onThisPage: 'Op deze pagina',
  aboutHeading: 'Over deze gegevens',
  about: [
    "De gegevens worden aan het begin van elke maand bijgewerkt. Nieuwe IP-adressen en URL's worden ten minste 30 dagen voordat ze actief worden gepubliceerd, zodat firewalls, toegangslijsten en proxy-uitzonderingen op tijd kunnen worden bijgewerkt. Tussentijdse updates zijn mogelijk bij storingen, beveiligingsupdates of andere operationele behoeften.",
    'Scripts en apparaten horen de webservice te lezen (de koppelingen naar JSON en het wijzigingslogboek hierboven), niet deze pagina. De gegevens gaan over verbindingen van de apparaten van gebruikers naar Microsoft 365; inkomende verbindingen en hybride scenario’s staan hier niet.',
    'De eindpunten zijn ingedeeld in vier servicegebieden. De eerste drie kunnen afzonderlijk worden gekozen; het gebied Common is voor alle andere vereist en moet altijd bereikbaar zijn.',
  ],
  columnsHeading: 'Wat de kolommen betekenen',
  columns: {
    id: [
      'ID',
      'Het ID-nummer van de eindpuntset, hetzelfde als in de webservice. Elke rij heeft een eigen koppelingsanker.',
    ],
    category: [
      'Categorie',
      'Optimize, Allow of Default, gevolgd door Vereist of Optioneel. Optionele sets hebben een opmerking over de functie waarvoor ze nodig zijn.',
    ],
    er: [
      'ER',
      'Ja als de set bereikbaar is via Azure ExpressRoute met Microsoft 365-routeprefixen; Nee als dat niet zo is.',
    ],
    addresses: [
      'Adressen',
      'De hostnamen (FQDN’s, met *-jokertekens) en de IPv4- en IPv6-adresbereiken (CIDR) van de set. <tenant> staat voor de naam van uw tenant.',
    ],
    ports: ['Poorten', 'De TCP- en UDP-poorten die bij deze adressen horen.'],
  },
  categoriesHeading: 'Categorieën',
  categories: {
    Optimize:
      'Optimize: het verkeer dat het gevoeligst is voor netwerkprestaties. Stuur het rechtstreeks, buiten proxy’s en SSL-inspectie om.',
    Allow:
      'Allow: nodig en gevoelig voor vertraging. Stuur het zo mogelijk rechtstreeks, zonder SSL-inspectie.',
    Default: 'Default: mag via proxy’s en de gewone internetverbinding.',
  },
  required: 'Vereist',
  optional: 'Optioneel',
  yes: 'Ja',
  no: 'Nee',
  notes: 'Opmerkingen:',
  setCount: (n) => (n === 1 ? '1 eindpuntset' : `${n} eindpuntsets`),
  noSets: 'Deze versie heeft geen eindpuntsets.',
  setAnchorTitle: (id) => `Koppeling naar eindpuntset ${id}`,
  changesHeading: (version) => `Wat er veranderde in versie ${version}`,
  changesSummary: (records, added, changed, removed) =>
    `${records} ${records === 1 ? 'wijzigingsrecord' : 'wijzigingsrecords'}: ${added} ${added === 1 ? 'set' : 'sets'} toegevoegd, ${changed} gewijzigd, ${removed} verwijderd.`,
  addressSummary: (ipsAdded, ipsRemoved, urlsAdded, urlsRemoved) =>
    `IP-bereiken: ${ipsAdded} toegevoegd, ${ipsRemoved} verwijderd. URL's: ${urlsAdded} toegevoegd, ${urlsRemoved} verwijderd.`,
  noChanges: 'Er zijn geen wijzigingsrecords voor deze versie.',
  firstVersion:
    'Dit is de eerste opgeslagen versie van deze instantie; er is niets om mee te vergelijken.',
  changeColumns: inLanguage(CHANGE_TABLE.changeColumns, 'nl'),
  dispositions: inLanguage(CHANGE_TABLE.dispositions, 'nl'),
  pendingFrom: (date) => `vanaf ${date}`,
  pendingTitle:
    'Toegevoegd in deze versie, nog niet actief: open het in uw netwerk vóór deze datum',
  impacts: {
    AddedIp: 'IP-adressen toegevoegd',
    AddedUrl: "URL's toegevoegd",
    AddedIpAndUrl: "IP-adressen en URL's toegevoegd",
    AddedSubstituteUrl: 'Vervangende URL toegevoegd',
    RemovedIpOrUrl: "IP-adressen of URL's verwijderd",
    ChangedIsExpressRoute: 'ExpressRoute-ondersteuning gewijzigd',
    MovedIpOrUrl: "IP-adressen of URL's naar een andere set verplaatst",
    RemovedDuplicateIpOrUrl: 'Dubbel IP-adres of dubbele URL verwijderd',
    OtherNonPriorityChanges: 'Overige wijzigingen met lage prioriteit',
  },
  setGone: 'niet in deze versie',
  indexHeading: "Microsoft 365-URL's en IP-adresbereiken",
  indexIntro:
    'Eindpuntgegevens van elke Microsoft 365-cloudinstantie die hier wordt aangeboden. Kies een instantie voor de tabellen met eindpunten, de versiegeschiedenis en wat er veranderde.',
  indexColumns: {
    instance: 'Instantie',
    page: 'Pagina',
    latest: 'Nieuwste versie',
    date: 'Datum',
    versions: 'Versies',
    status: 'Status',
  },
  active: 'actief',
  noInstances: 'Er zijn nog geen gegevens gepubliceerd.',
  notFoundTitle: 'Pagina niet gevonden',
  badRequestTitle: 'Ongeldige aanvraag',
  unknownInstance: (name) => `Er is geen instantie met de naam “${name}”.`,
  unknownVersion: (version, instance) =>
    `Versie ${version} van ${instance} is hier niet opgeslagen.`,
  badVersion: (received) =>
    `De versie moet uit tien cijfers bestaan (JJJJMMDDNN); ontvangen: “${received}”.`,
  badRequest: 'De aanvraag kon niet worden begrepen.',
  knownInstances: 'Instanties die hier worden aangeboden:',
  footer:
    'Aangeboden door ipurl, een zelf gehoste webservice voor de IP-adressen en URL’s van Microsoft 365.',
};

export const MESSAGES: Readonly<Record<Lang, Messages>> = { en, nl };

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/** `nl`, `NL`, `nl-BE` → `nl`; undefined for anything unsupported. */
function primary(tag: string): Lang | undefined {
  const base = tag.trim().toLowerCase().split('-')[0] ?? '';
  return isLang(base) ? base : undefined;
}

/** The best supported language of an Accept-Language header, or undefined. */
export function fromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (header === undefined || header.length > 1000) return undefined;
  const ranges = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      let q = 1;
      for (const param of params) {
        const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param);
        if (m?.[1] !== undefined) q = Number(m[1]);
      }
      return { tag: tag.trim(), q, index };
    })
    .filter((range) => range.tag !== '' && range.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const range of ranges) {
    if (range.tag === '*') return 'en';
    const lang = primary(range.tag);
    if (lang !== undefined) return lang;
  }
  return undefined;
}

export interface LanguageChoice {
  readonly lang: Lang;
  /** True when `?lang=` chose it: links on the page then carry `lang=` along. */
  readonly explicit: boolean;
}

/** `?lang=` first, then Accept-Language, then English. */
export function chooseLanguage(
  query: string | undefined,
  acceptLanguage: string | undefined,
): LanguageChoice {
  const fromQuery = query === undefined ? undefined : primary(query);
  if (fromQuery !== undefined) return { lang: fromQuery, explicit: true };
  return { lang: fromAcceptLanguage(acceptLanguage) ?? 'en', explicit: false };
}

export function formatDate(ymd: string, lang: Lang): string {
  const date = new Date(Date.UTC(+ymd.slice(0, 4), +ymd.slice(4, 6) - 1, +ymd.slice(6, 8)));
  if (Number.isNaN(date.getTime())) return ymd;
  return new Intl.DateTimeFormat(MESSAGES[lang].locale, {
    dateStyle: 'long',
    timeZone: 'UTC',
  }).format(date);
}

/** `YYYYMMDD` → `YYYY-MM-DD` for `<time datetime>`. */
export function isoDate(ymd: string): string {
  return `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`;
}
