import { describe, expect, it } from 'vitest';
import { isIpurlError } from '../core/errors.js';
import {
  getBoolean,
  getClientRequestId,
  getFormat,
  getParam,
  getServiceAreas,
  normalizeGuid,
  parseRawQuery,
} from './query.js';

const GUID = 'b10c5ed1-bad1-445f-b386-b919946339a7';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return isIpurlError(error) ? error.code : 'not an IpurlError';
  }
}

describe('parseRawQuery / getParam', () => {
  it('matches names in any case and keeps bare flags as empty values', () => {
    const q = parseRawQuery(`AllVersions&clientRequestId=${GUID}&FORMAT=rss`);
    expect(getParam(q, 'allversions')).toBe('');
    expect(getParam(q, 'ClientRequestId')).toBe(GUID);
    expect(getParam(q, 'Format')).toBe('rss');
    expect(getParam(q, 'NoIPv6')).toBeUndefined();
  });

  it('decodes percent-encoding and +, lazily', () => {
    const q = parseRawQuery('TenantName=con%74oso&x=%ZZ&ServiceAreas=Exchange,+Skype');
    expect(getParam(q, 'TenantName')).toBe('contoso');
    expect(getParam(q, 'ServiceAreas')).toBe('Exchange, Skype');
    expect(code(() => getParam(q, 'x'))).toBe('ERR_INVALID_PARAMETER');
  });

  it('rejects conflicting repeats, control characters and oversized input', () => {
    expect(code(() => getParam(parseRawQuery('format=json&Format=csv'), 'Format'))).toBe(
      'ERR_INVALID_PARAMETER',
    );
    expect(getParam(parseRawQuery('format=json&Format=JSON'), 'Format')).toBe('json');
    expect(code(() => getParam(parseRawQuery('a=%00'), 'a'))).toBe('ERR_INVALID_PARAMETER');
    expect(code(() => getParam(parseRawQuery(`a=${'x'.repeat(513)}`), 'a'))).toBe(
      'ERR_INVALID_PARAMETER',
    );
    expect(code(() => parseRawQuery('a='.padEnd(5000, 'x')))).toBe('ERR_INVALID_PARAMETER');
  });
});

describe('typed parameters', () => {
  it('booleans: bare, true, false in any case; anything else is ERR_INVALID_BOOLEAN', () => {
    for (const [query, value] of [
      ['NoIPv6', true],
      ['NoIPv6=', true],
      ['NoIPv6=TRUE', true],
      ['noipv6=False', false],
      ['', false],
    ] as const) {
      expect(getBoolean(parseRawQuery(query), 'NoIPv6'), query).toBe(value);
    }
    expect(code(() => getBoolean(parseRawQuery('NoIPv6=1'), 'NoIPv6'))).toBe('ERR_INVALID_BOOLEAN');
  });

  it('GUIDs in the N, D, B and P forms normalise to lower-case D', () => {
    for (const form of [
      GUID,
      GUID.toUpperCase(),
      `{${GUID}}`,
      `(${GUID})`,
      GUID.replace(/-/g, ''),
      ` ${GUID} `,
    ]) {
      expect(normalizeGuid(form), form).toBe(GUID);
    }
    for (const bad of [
      '',
      'x',
      `{${GUID})`,
      `${GUID}0`,
      GUID.replace(/-/g, '').slice(1),
      `{${GUID.replace(/-/g, '')}}`,
    ]) {
      expect(normalizeGuid(bad), bad).toBeUndefined();
    }
    expect(code(() => getClientRequestId(parseRawQuery('')))).toBe('ERR_MISSING_PARAMETER');
    expect(code(() => getClientRequestId(parseRawQuery('clientrequestid=nope')))).toBe(
      'ERR_INVALID_CLIENT_REQUEST_ID',
    );
  });

  it('formats: default first, any case, others rejected', () => {
    expect(getFormat(parseRawQuery(''), ['JSON', 'CSV'] as const)).toBe('JSON');
    expect(getFormat(parseRawQuery('format=csv'), ['JSON', 'CSV'] as const)).toBe('CSV');
    expect(code(() => getFormat(parseRawQuery('format=rss'), ['JSON', 'CSV'] as const))).toBe(
      'ERR_INVALID_FORMAT',
    );
  });

  it('service areas: canonical, Common always in, all four = no filter', () => {
    expect(getServiceAreas(parseRawQuery('ServiceAreas=sharepoint,SKYPE'))).toEqual([
      'SharePoint',
      'Skype',
      'Common',
    ]);
    expect(getServiceAreas(parseRawQuery('ServiceAreas=Exchange,'))).toEqual([
      'Exchange',
      'Common',
    ]);
    expect(
      getServiceAreas(parseRawQuery('ServiceAreas=Exchange,SharePoint,Skype')),
    ).toBeUndefined();
    expect(getServiceAreas(parseRawQuery(''))).toBeUndefined();
    expect(code(() => getServiceAreas(parseRawQuery('ServiceAreas=Teams')))).toBe(
      'ERR_UNKNOWN_SERVICE_AREA',
    );
  });
});
