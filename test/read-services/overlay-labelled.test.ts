/**
 * What a local overlay excludes from Microsoft's data stays out when it comes back as a labelled
 * entry: a removal still in grace (`--grace`) or an address observed for a name (`--include-
 * observed`). Real data: Worldwide 2025013000 → 2025092900 removes 14 entries (set 68 as a whole,
 * URLs of sets 18, 32, 75, 114, 125, 180, two addresses of set 12), all in grace on 2025-10-12.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '../../src/core/observation.js';
import type { OverlayChange, OverlayExclusion } from '../../src/core/overlay.js';
import { openCatalog } from '../../src/service/catalog.js';
import { exportEndpoints } from '../../src/service/export.js';
import { MemoryCatalogSource } from '../../src/store/memory/memory-catalog-source.js';
import { appendGraceReplay } from '../helpers/grace-replay.js';

const IN_GRACE = new Date('2025-10-12T12:00:00Z');

/** Observations of names of the URL-only set 114 (as `ipurl observe` records them). */
const OBSERVED: Observation[] = [
  {
    instance: 'Worldwide',
    setId: 114,
    name: 'c.bing.com',
    address: '203.0.113.10',
    family: 4,
    firstSeen: '2025-10-11T10:00:00.000Z',
    lastSeen: '2025-10-12T10:00:00.000Z',
    ttl: 300,
  },
  {
    instance: 'Worldwide',
    setId: 114,
    name: 'signup.live.com',
    address: '203.0.113.20',
    family: 4,
    firstSeen: '2025-10-11T10:00:00.000Z',
    lastSeen: '2025-10-12T10:00:00.000Z',
    ttl: 300,
  },
];

let source: MemoryCatalogSource;

beforeAll(async () => {
  source = new MemoryCatalogSource();
  await appendGraceReplay(source);
});

function exclusions(...entries: OverlayExclusion[]): OverlayChange[] {
  return entries.map((entry, i) => ({
    id: i + 1,
    at: '2025-10-01T09:00:00.000Z',
    instance: 'Worldwide',
    entry,
    by: 'alice',
    note: 'change CHG-1',
  }));
}

/** The json export of Worldwide with grace 14d and the observed addresses, on 2025-10-12. */
async function exported(): Promise<string> {
  const outcome = await exportEndpoints(await openCatalog(source), {
    instance: 'Worldwide',
    target: 'json',
    now: IN_GRACE,
    device: {
      graceSeconds: 14 * 86_400,
      includeObserved: true,
      observations: { listObservations: async () => OBSERVED },
    },
  });
  if (!('files' in outcome)) throw new Error(`export refused: ${JSON.stringify(outcome)}`);
  return outcome.files.map((file) => file.content).join('\n');
}

describe('overlay exclusions and labelled entries', () => {
  it('without an overlay: every removal in grace and both observed addresses are written', async () => {
    source.setOverlayChanges([]);
    const text = await exported();
    for (const value of [
      'firstpartyapps.oaspapps.com',
      'docs.live.net',
      'ssw.live.com',
      '52.238.119.141/32',
      '52.244.160.207/32',
      '203.0.113.10/32',
      '203.0.113.20/32',
    ])
      expect(text).toContain(value);
  });

  it('an excluded set id, URL or prefix stays out in grace; an address observed for an excluded name stays out', async () => {
    source.setOverlayChanges(
      exclusions(
        { action: 'exclude', setIds: [68] },
        { action: 'exclude', urls: ['ssw.live.com', 'docs.live.net', 'c.bing.com'] },
        { action: 'exclude', ips: ['52.238.119.141/32'] },
      ),
    );
    const text = await exported();
    // Set 68 left the data with 2025092900; excluded by id, none of its removals comes back.
    expect(text).not.toContain('oaspapps.com');
    expect(text).not.toMatch(/"ssw\.live\.com"|"docs\.live\.net"/);
    expect(text).not.toContain('52.238.119.141');
    expect(text).not.toContain('203.0.113.10');
    // What no exclusion names is still kept, labelled.
    for (const value of [
      'd.docs.live.net',
      '52.244.160.207/32',
      'compass-ssl.microsoft.com',
      '203.0.113.20/32',
    ])
      expect(text).toContain(value);
  });
});
