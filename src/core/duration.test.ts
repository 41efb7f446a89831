import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads units and combinations', () => {
    expect(parseDuration('1h', '--interval')).toBe(3600);
    expect(parseDuration('7d', '--expire')).toBe(604_800);
    expect(parseDuration('1h30m', '--interval')).toBe(5400);
    expect(parseDuration('90', '--interval')).toBe(90);
    expect(parseDuration(' 2W ', '--expire')).toBe(1_209_600);
  });

  it('refuses an unknown unit, naming the flag and the value', () => {
    expect(() => parseDuration('7y', '--expire')).toThrow(
      /--expire: "7y" has an unknown unit "y"; expected a whole number with a unit s, m, h, d or w/,
    );
    expect(() => parseDuration('soon', '--interval')).toThrow(
      /--interval: "soon" is not a duration/,
    );
    expect(() => parseDuration('0s', '--interval')).toThrow(/shorter than 1 s/);
    expect(() => parseDuration('1.5h', '--interval')).toThrow(/is not a duration/);
  });

  it('formats back', () => {
    expect(formatDuration(86_400)).toBe('1d');
    expect(formatDuration(5400)).toBe('1h30m');
  });
});
