/**
 * Real history never trips the change guard's defaults (issue 14): every pair of consecutive
 * bundled versions of every instance (data/) goes through the guard, nothing is held, and the
 * largest real figures are the ones docs/operations.md records ("Change guard").
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GUARD_THRESHOLDS,
  evaluateChange,
  type GuardReport,
} from '../src/core/change-guard.js';
import { bundledInstances, bundledVersions, readBundled } from './helpers/bundled-data.js';

interface Step {
  readonly instance: string;
  readonly from: string;
  readonly to: string;
  readonly report: GuardReport;
}

const steps: Step[] = [];
for (const instance of bundledInstances()) {
  const versions = bundledVersions(instance);
  for (let i = 1; i < versions.length; i++) {
    const from = versions[i - 1]!;
    const to = versions[i]!;
    steps.push({
      instance,
      from,
      to,
      report: evaluateChange(readBundled(instance, from), readBundled(instance, to)),
    });
  }
}

function largest(pick: (report: GuardReport) => number): Step {
  return steps.reduce((best, step) => (pick(step.report) > pick(best.report) ? step : best));
}

const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

describe('the whole bundled history through the change guard', () => {
  it('holds nothing with the default thresholds', () => {
    expect(steps.length).toBeGreaterThanOrEqual(122);
    const held = steps.filter((step) => step.report.held);
    expect(
      held.map(
        (s) =>
          `${s.instance} ${s.from}→${s.to}: ${s.report.trips.map((t) => t.message).join('; ')}`,
      ),
    ).toEqual([]);
    expect(DEFAULT_GUARD_THRESHOLDS).toEqual({
      maxSpaceRemoval: 0.5,
      maxUrlRemoval: 0.5,
      maxIpv4Growth: 3,
    });
  });

  it('a service area appearing for the first time (MEM) is reported, not held', () => {
    const fresh = steps.filter((step) => step.report.newServiceAreas.length > 0);
    for (const step of fresh) expect(step.report.held).toBe(false);
    const mem = fresh.filter((step) => step.report.newServiceAreas.includes('MEM'));
    // The bundled data gains MEM with the 2025 versions (Worldwide at least).
    if (steps.some((s) => s.instance === 'Worldwide' && s.to > '2025013000')) {
      expect(mem.map((s) => s.instance)).toContain('Worldwide');
    }
  });

  it('the largest real figures are the ones the operations guide records', () => {
    const v4 = largest((r) => r.ipv4.removedFraction);
    const v6 = largest((r) => r.ipv6.removedFraction);
    const urls = largest((r) => r.urls.removedFraction);
    const growth = largest((r) => r.ipv4Growth ?? 0);
    const figures = {
      ipv4Removal: `${v4.instance} ${v4.from}→${v4.to} ${pct(v4.report.ipv4.removedFraction)}`,
      ipv6Removal: `${v6.instance} ${v6.from}→${v6.to} ${pct(v6.report.ipv6.removedFraction)}`,
      urlRemoval: `${urls.instance} ${urls.from}→${urls.to} ${pct(urls.report.urls.removedFraction)}`,
      ipv4Growth: `${growth.instance} ${growth.from}→${growth.to} ${(growth.report.ipv4Growth ?? 0).toFixed(2)}×`,
    };
    // Each across a gap in the bundled data (versions in between are missing).
    expect(figures).toEqual({
      ipv4Removal: 'China 2020070800→2024032900 17.7 %',
      ipv6Removal: 'Worldwide 2021010400→2022072800 13.8 %',
      urlRemoval: 'Worldwide 2021010400→2022072800 33.4 %',
      ipv4Growth: 'USGovGCCHigh 2020072800→2024073100 1.48×',
    });
  });
});
