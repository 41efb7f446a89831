import { describe, expect, it } from 'vitest';
import { IpurlError } from './errors.js';
import { isDefaultServiceAreas, parseServiceAreas } from './service-areas.js';

function failure(fn: () => unknown): IpurlError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IpurlError) return error;
    throw error;
  }
  throw new Error('expected an IpurlError');
}

describe('parseServiceAreas (the one ServiceAreas parser of /endpoints, /pac, /export, CLI)', () => {
  it('any case, spaces ignored, Common always included, in the canonical order', () => {
    expect(parseServiceAreas(' skype , EXCHANGE', 'ServiceAreas')).toEqual([
      'Exchange',
      'Skype',
      'Common',
    ]);
    expect(parseServiceAreas('mem', '--service-areas')).toEqual(['MEM', 'Common']);
    expect(parseServiceAreas('Common', 'serviceAreas')).toEqual(['Common']);
  });

  it('a list naming no area counts as absent (the caller applies the default)', () => {
    expect(parseServiceAreas('', 'ServiceAreas')).toBeUndefined();
    expect(parseServiceAreas(' , ,', 'serviceAreas')).toBeUndefined();
  });

  it('an unknown area names the parameter, the item and the five accepted areas', () => {
    const error = failure(() => parseServiceAreas('Exchange,Intune', '--service-areas'));
    expect(error.code).toBe('ERR_UNKNOWN_SERVICE_AREA');
    expect(error.message).toContain('--service-areas contains "Intune"');
    expect(error.message).toContain('Exchange, SharePoint, Skype, MEM, Common');
  });

  it('isDefaultServiceAreas: exactly every area but MEM', () => {
    expect(isDefaultServiceAreas(parseServiceAreas('Exchange,SharePoint,Skype', 'x')!)).toBe(true);
    expect(isDefaultServiceAreas(parseServiceAreas('Exchange,SharePoint,Skype,MEM', 'x')!)).toBe(
      false,
    );
    expect(isDefaultServiceAreas(parseServiceAreas('Exchange', 'x')!)).toBe(false);
  });
});
