import { describe, expect, it } from 'vitest';
import type { ChangeDraft, ChangeRecord } from '../core/change-record.js';
import { removalDraft, sampleAttributes } from '../core/sample-data.fixture.js';
import { renderChangesTable, renderTable, renderVersionsTable } from './history-table.js';
import { renderPlanText, type PlanView } from './plan-text.js';

const drafts: ChangeDraft[] = [
  {
    endpointSetId: 500,
    disposition: 'Add',
    version: '2026112800',
    impact: 'AddedUrl',
    current: sampleAttributes({ tcpPorts: '443' }),
    add: { effectiveDate: '20261228', urls: ['*.contoso.com'] },
  },
  {
    endpointSetId: 9,
    disposition: 'Change',
    version: '2026112800',
    impact: 'ChangedIsExpressRoute',
    previous: { expressRoute: 'true' },
    current: { expressRoute: 'false' },
  },
  {
    endpointSetId: 1,
    disposition: 'Change',
    version: '2026112800',
    impact: 'AddedIp',
    add: { effectiveDate: '20261228', ips: ['198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24'] },
  },
  removalDraft(
    11,
    '2026112800',
    { serviceArea: 'Skype', category: 'Optimize' },
    { ips: ['52.112.0.0/14'] },
  ),
];

const plan: PlanView = {
  instance: 'Worldwide',
  newInstance: false,
  previousVersion: '2025013000',
  version: '2026112800',
  effectiveDate: '20261228',
  unchanged: false,
  setCount: 67,
  previousSetCount: 67,
  changes: drafts,
};

describe('renderPlanText', () => {
  it('groups records by disposition with counts, attributes and every item', () => {
    const text = renderPlanText(plan, { mode: 'dry-run' });
    expect(text).toMatch(/^Plan \(dry run\): Worldwide 2026112800, after 2025013000\n/);
    expect(text).toContain('change records: 4 (1 Add, 2 Change, 1 Remove)');
    expect(text).toContain('IPs:            +3 -1');
    expect(text.indexOf('Add (1)')).toBeLessThan(text.indexOf('Change (2)'));
    expect(text.indexOf('Change (2)')).toBeLessThan(text.indexOf('Remove (1)'));
    expect(text).toContain('      Common, Default, required, TCP 443');
    expect(text).toContain('      expressRoute: "true" → "false"');
    expect(text).toContain('      + ip  203.0.113.0/24');
    expect(text).toContain('      - ip  52.112.0.0/14');
    expect(text.trimEnd().endsWith('Dry run: nothing was stored.')).toBe(true);
  });

  it('caps long lists when asked and says how many are left out', () => {
    const text = renderPlanText(plan, { mode: 'published', maxItems: 1 });
    expect(text).toContain('      + ip  198.51.100.0/24\n      + ip  … and 2 more');
    expect(text.trimEnd().endsWith('Stored as Worldwide 2026112800.')).toBe(true);
  });

  it('says plainly when nothing would change', () => {
    expect(
      renderPlanText(
        { ...plan, unchanged: true, changes: [], previousVersion: '2025013000' },
        { mode: 'dry-run' },
      ),
    ).toBe(
      'No change: Worldwide 2025013000 already holds exactly this data (67 endpoint sets); publishing it would do nothing.\n',
    );
  });
});

describe('history tables', () => {
  it('aligns columns, right-aligns numbers and trims trailing space', () => {
    expect(
      renderTable(
        [{ header: 'A' }, { header: 'N', align: 'right' }],
        [
          ['xx', '5'],
          ['y', '100'],
        ],
      ),
    ).toBe('A     N\n--  ---\nxx    5\ny   100\n');
  });

  it('renders versions newest first with per-version counts', () => {
    const text = renderVersionsTable(
      'Germany',
      [
        {
          version: '2021102900',
          publishedAt: '2021-10-29T00:00:00.000Z',
          setCount: 40,
          records: drafts,
        },
      ],
      { retired: true },
    );
    expect(text).toMatch(/^Germany \(retired\): 1 version, latest 2021102900\n/);
    expect(text).toMatch(/2021102900 {2}2021-10-29 00:00Z +40 +4 +1\/2\/1 +\+3 -1 +\+1 -0/);
  });

  it('renders change records with what each adds and removes', () => {
    const records: ChangeRecord[] = drafts.map((d, i) => ({ ...d, id: 600 + i }));
    const text = renderChangesTable('Worldwide', records, { version: '2026112800' });
    expect(text).toMatch(/^Worldwide: 4 change records in version 2026112800\n/);
    expect(text).toMatch(
      /2026112800 +601 +9 +Change +ChangedIsExpressRoute +- +- +- +expressRoute/,
    );
    expect(text).toMatch(/2026112800 +602 +1 +Change +AddedIp +20261228 +3 IPs +-/);
    expect(renderChangesTable('Worldwide', [], { after: '2026112800' })).toBe(
      'Worldwide: no change records in any version after 2026112800\n',
    );
  });
});
