/**
 * Page titles of the instances Microsoft publishes (the H1 of Microsoft's endpoint page for each),
 * with Dutch equivalents. Instances a publisher creates get a generic title.
 */
import type { Lang } from './i18n.js';

const TITLES: Readonly<Record<string, Readonly<Record<Lang, string>>>> = {
  Worldwide: {
    en: 'Microsoft 365 URLs and IP address ranges',
    nl: "Microsoft 365-URL's en IP-adresbereiken",
  },
  USGovDoD: {
    en: 'Office 365 U.S. Government DoD endpoints',
    nl: 'Eindpunten van Office 365 U.S. Government DoD',
  },
  USGovGCCHigh: {
    en: 'Office 365 U.S. Government GCC High endpoints',
    nl: 'Eindpunten van Office 365 U.S. Government GCC High',
  },
  China: {
    en: 'URLs and IP address ranges for Microsoft 365 operated by 21Vianet',
    nl: "URL's en IP-adresbereiken voor Microsoft 365 beheerd door 21Vianet",
  },
  Germany: {
    en: 'Office 365 Germany endpoints',
    nl: 'Eindpunten van Office 365 Duitsland',
  },
};

export function instanceTitle(instance: string, lang: Lang): string {
  return (
    TITLES[instance]?.[lang] ??
    (lang === 'nl' ? `Eindpunten van ${instance}` : `${instance} endpoints`)
  );
}
