import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from './change-record.js';
import { graceEntries, graceRemovals, observedEntries, originText } from './device-entry.js';
import type { EndpointSet } from './endpoint-set.js';

const set = (id: number, extra: Partial<EndpointSet> = {}): EndpointSet => ({
  id,
  serviceArea: 'Exchange',
  serviceAreaDisplayName: 'Exchange Online',
  expressRoute: false,
  category: 'Allow',
  required: true,
  tcpPorts: '443',
  notes: 'never copied into a labelled entry',
  ...extra,
});

const record = (version: string, ips: string[], urls: string[] = []): ChangeRecord =>
  ({
    id: 1,
    endpointSetId: 9,
    disposition: 'Change',
    version,
    remove: { ips, urls },
  }) as unknown as ChangeRecord;

describe('graceRemovals', () => {
  it('keeps removals whose version date plus the period is after today; the latest removal wins', () => {
    const records = [
      record('2025090100', ['10.1.0.0/16']),
      record('2025092900', ['10.2.0.0/16'], ['a.example.com']),
      record('2025092900', ['10.1.0.0/16']),
      record('2025110100', ['10.3.0.0/16']),
    ];
    const kept = graceRemovals(records, '2025092900', '20251012', 14);
    expect(kept.map((r) => [r.value, r.removedIn, r.leavesOn])).toEqual([
      ['10.1.0.0/16', '2025092900', '20251013'],
      ['10.2.0.0/16', '2025092900', '20251013'],
      ['a.example.com', '2025092900', '20251013'],
    ]);
    expect(graceRemovals(records, '2025092900', '20251013', 14)).toEqual([]);
  });
});

describe('labelled entries', () => {
  it('take the attributes of their set, one entry each, never its notes', () => {
    const [entry] = graceEntries(
      graceRemovals([record('2025092900', ['10.2.0.0/16'])], '2025092900', '20251001', 14),
      [],
      () => set(9),
    );
    expect(entry!.set).toEqual({ ...set(9, { ips: ['10.2.0.0/16'] }), notes: undefined });
    expect('notes' in entry!.set).toBe(false);
    const observed = observedEntries(
      [
        {
          instance: 'Worldwide',
          setId: 9,
          name: 'aka.ms',
          address: '2603:1030::1',
          family: 6,
          firstSeen: '2026-11-01T10:00:00.000Z',
          lastSeen: '2026-11-02T10:00:00.000Z',
          ttl: 60,
        },
      ],
      [set(9)],
    );
    expect(observed[0]!.set.ips).toEqual(['2603:1030::1/128']);
    expect(originText(observed[0]!.origin)).toBe('observed: aka.ms, last seen 2026-11-02');
  });

  it('a removal the version publishes again in the same set is not in grace', () => {
    const removals = graceRemovals(
      [record('2025092900', ['10.2.0.0/16'])],
      '2025092900',
      '20251001',
      14,
    );
    expect(graceEntries(removals, [set(9, { ips: ['10.2.0.0/16'] })], () => set(9))).toEqual([]);
  });

  it('origin text can close no comment or string in any format', () => {
    const text = originText({
      kind: 'observed',
      name: 'evil"\n*/ comment "x',
      lastSeen: '2026-11-02"\n',
    });
    expect(text).toMatch(/^[A-Za-z0-9.:_\-?, ]+$/);
    expect(originText({ kind: 'local', revision: '7' })).toBe('local: overlay revision 7');
  });
});
