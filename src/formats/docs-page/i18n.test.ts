import { describe, expect, it } from 'vitest';
import { chooseLanguage, formatDate, fromAcceptLanguage, MESSAGES, type Messages } from './i18n.js';

describe('language choice', () => {
  it('takes ?lang= first, in any case and with a region', () => {
    expect(chooseLanguage('nl', 'en')).toEqual({ lang: 'nl', explicit: true });
    expect(chooseLanguage('NL-be', undefined)).toEqual({ lang: 'nl', explicit: true });
    expect(chooseLanguage('en', 'nl')).toEqual({ lang: 'en', explicit: true });
  });

  it('ignores an unsupported ?lang= and falls back to Accept-Language, then English', () => {
    expect(chooseLanguage('fr', 'nl-NL,nl;q=0.9')).toEqual({ lang: 'nl', explicit: false });
    expect(chooseLanguage(undefined, 'fr-FR, de;q=0.5')).toEqual({ lang: 'en', explicit: false });
    expect(chooseLanguage(undefined, undefined)).toEqual({ lang: 'en', explicit: false });
  });

  it('honours q-values and order (RFC 9110 §12.5.4)', () => {
    expect(fromAcceptLanguage('fr;q=1, nl;q=0.8, en;q=0.9')).toBe('en');
    expect(fromAcceptLanguage('de, nl;q=0.5')).toBe('nl');
    expect(fromAcceptLanguage('nl;q=0, en;q=0.1')).toBe('en');
    expect(fromAcceptLanguage('nl;q=0')).toBeUndefined();
    expect(fromAcceptLanguage('fr, *;q=0.1')).toBe('en');
    expect(fromAcceptLanguage('garbage;;;q=x,')).toBeUndefined();
  });
});

describe('messages', () => {
  /** Every key of the English messages exists in Dutch with the same shape, and differs in text. */
  function shape(value: unknown): unknown {
    if (typeof value === 'function') return 'function';
    if (Array.isArray(value)) return value.map(shape);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
    }
    return typeof value;
  }

  it('has the same keys and shapes in both languages', () => {
    expect(shape(MESSAGES.nl)).toEqual(shape(MESSAGES.en));
  });

  it('translates the chrome (the Dutch texts are not the English ones)', () => {
    const en = MESSAGES.en;
    const nl = MESSAGES.nl;
    const same: string[] = [];
    const compare = (key: string, a: unknown, b: unknown) => {
      if (typeof a === 'string' && a === b) same.push(key);
    };
    for (const key of Object.keys(en) as (keyof Messages)[]) compare(key, en[key], nl[key]);
    // Terms that are the same in both languages: the ER column, "Set", "Status".
    expect(same.filter((key) => !['locale', 'languageName'].includes(key))).toEqual([]);
    expect(nl.required).toBe('Vereist');
    expect(nl.changesHeading('2025013000')).toBe('Wat er veranderde in versie 2025013000');
  });

  it('formats dates in the page language', () => {
    expect(formatDate('20250130', 'en')).toBe('30 January 2025');
    expect(formatDate('20250130', 'nl')).toBe('30 januari 2025');
  });
});
