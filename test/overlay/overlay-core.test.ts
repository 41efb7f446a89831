/**
 * The overlay model over the real Worldwide data: validation through the publish validator and
 * the sanity policy (relaxed per entry), refusals naming path and value, and the device view.
 */
import { describe, expect, it } from 'vitest';
import { bundledVersions, readBundled } from '../helpers/bundled-data.js';
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import {
  activeOverlay,
  describeOverlayEntry,
  type OverlayChange,
  type OverlayEntry,
} from '../../src/core/overlay.js';
import { applyOverlay, isLocalSet } from '../../src/core/overlay-apply.js';
import { validateOverlayEntry, type OverlayContext } from '../../src/core/overlay-validate.js';

const LATEST = bundledVersions('Worldwide').at(-1)!;
const SETS: EndpointSet[] = readBundled('Worldwide', LATEST);
const CONTEXT: OverlayContext = {
  instance: 'Worldwide',
  knownSetIds: new Map(SETS.map((s) => [s.id, s.serviceArea])),
  sets: SETS,
  history: [],
};

function change(id: number, entry: OverlayEntry, instance = 'Worldwide'): OverlayChange {
  return { id, instance, entry, by: 'alice', note: 'test', at: '2026-12-01T10:00:00.000Z' };
}

describe('validateOverlayEntry', () => {
  it('accepts an addition and normalises it like published data', () => {
    const result = validateOverlayEntry(
      {
        action: 'add',
        urls: ['Proxy.Contoso.NET'],
        category: 'Allow',
        tcpPorts: '443',
        by: 'alice',
      },
      CONTEXT,
    );
    expect(result.issues).toEqual([]);
    expect(result.entry).toEqual({
      action: 'add',
      urls: ['proxy.contoso.net'],
      category: 'Allow',
      serviceArea: 'Common',
      tcpPorts: '443',
    });
  });

  it('refuses a private range unless the entry relaxes rule private, and records the relaxation', () => {
    const raw = {
      action: 'add',
      ips: ['10.20.0.0/16'],
      category: 'Optimize',
      tcpPorts: '443',
      by: 'alice',
    };
    const refused = validateOverlayEntry(raw, CONTEXT);
    expect(refused.entry).toBeUndefined();
    expect(refused.issues).toEqual([
      expect.objectContaining({ path: 'ips[0]', value: '10.20.0.0/16', rule: 'private' }),
    ]);
    expect(refused.issues[0]!.reason).toContain('--allow private');
    const allowed = validateOverlayEntry({ ...raw, allow: ['private'] }, CONTEXT);
    expect(allowed.issues).toEqual([]);
    expect(allowed.relaxedRules).toEqual(['private']);
    // Relaxing private does not relax the others.
    const broad = validateOverlayEntry({ ...raw, ips: ['0.0.0.0/1'], allow: ['private'] }, CONTEXT);
    expect(broad.issues.map((i) => i.rule)).toEqual(['unspecified']);
  });

  it('reports every problem of an addition with path and value', () => {
    const result = validateOverlayEntry(
      {
        action: 'add',
        ips: ['10.20.0.1/16', 'nope'],
        urls: ['bad host'],
        category: 'Fast',
        tcpPorts: '70000',
        setIds: [1],
        by: 'alice',
      },
      CONTEXT,
    );
    const paths = result.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['setIds', 'category', 'ips[0]', 'ips[1]', 'urls[0]', 'tcpPorts']),
    );
    expect(result.issues.find((i) => i.path === 'ips[0]')!.reason).toContain('10.20.0.0/16');
    expect(result.issues.find((i) => i.path === 'setIds')!.reason).toContain('exclude');
  });

  it('refuses an address addition without ports and an entry without who', () => {
    const result = validateOverlayEntry(
      { action: 'add', ips: ['13.107.6.0/24'], category: 'Allow' },
      CONTEXT,
    );
    expect(result.issues.map((i) => i.path)).toEqual(['by', 'tcpPorts']);
  });

  it('refuses an unknown set id or service area; warns about an exclusion that matches nothing', () => {
    const refused = validateOverlayEntry(
      { action: 'exclude', setIds: [99999], serviceAreas: ['Teams'], by: 'bob' },
      CONTEXT,
    );
    expect(refused.issues).toEqual([
      expect.objectContaining({ path: 'setIds[0]', value: '99999' }),
      expect.objectContaining({ path: 'serviceAreas[0]', value: 'Teams' }),
    ]);
    const warned = validateOverlayEntry(
      { action: 'exclude', urls: ['*.nothing-here.com'], by: 'bob' },
      CONTEXT,
    );
    expect(warned.issues).toEqual([]);
    expect(warned.entry).toEqual({ action: 'exclude', urls: ['*.nothing-here.com'] });
    expect(warned.warnings).toEqual([
      expect.stringContaining('*.nothing-here.com excludes nothing'),
    ]);
  });

  it('a removal names an existing, unremoved change of the instance', () => {
    const history = [
      change(1, { action: 'exclude', setIds: [56] }),
      change(2, { action: 'remove', target: 1 }),
    ];
    const context = { ...CONTEXT, history };
    expect(
      validateOverlayEntry({ action: 'remove', target: 1, by: 'a' }, context).issues[0]!.reason,
    ).toContain('already removed by #2');
    expect(
      validateOverlayEntry({ action: 'remove', target: 7, by: 'a' }, context).issues[0]!.reason,
    ).toContain('no overlay change #7');
  });
});

describe('applyOverlay on Worldwide', () => {
  const history = [
    change(1, { action: 'exclude', setIds: [56] }),
    change(2, { action: 'exclude', urls: ['*.yammer.com'] }),
    change(3, {
      action: 'add',
      ips: ['10.20.0.0/16'],
      category: 'Optimize',
      serviceArea: 'Common',
      tcpPorts: '443',
    }),
    change(4, { action: 'exclude', ips: ['52.112.0.0/14'] }),
    change(5, { action: 'remove', target: 4 }),
    change(6, { action: 'exclude', serviceAreas: ['Skype'] }, 'China'),
  ];
  const overlay = activeOverlay('Worldwide', history);
  const view = applyOverlay(SETS, overlay);

  it('drops set 56 and the *.yammer.com pattern exactly, keeps the rest', () => {
    expect(overlay.revision).toBe(5);
    expect(view.sets.find((s) => s.id === 56)).toBeUndefined();
    const urls = view.sets.flatMap((s) => s.urls ?? []);
    expect(urls).not.toContain('*.yammer.com');
    expect(urls).toContain('*.yammerusercontent.com');
    expect(urls).toContain('*.assets-yammer.com');
    const before = SETS.filter((s) => s.id !== 56);
    expect(view.sets.map((s) => s.id)).toEqual(before.map((s) => s.id));
    expect(urls.length).toBe(before.flatMap((s) => s.urls ?? []).length - 1);
    expect(view.excluded).toEqual({ sets: 1, urls: 1, ips: 0 });
  });

  it('marks the addition local with the change id and the revision', () => {
    expect(view.local).toHaveLength(1);
    const local = view.local[0]!;
    expect(isLocalSet(local)).toBe(true);
    expect(local).toMatchObject({
      ips: ['10.20.0.0/16'],
      category: 'Optimize',
      tcpPorts: '443',
      origin: { kind: 'local', change: 3, revision: 5, by: 'alice' },
    });
    expect(describeOverlayEntry(history[2]!.entry)).toBe(
      'add 10.20.0.0/16 Optimize Common tcp 443',
    );
  });

  it('splits a published prefix around an excluded one', () => {
    const split = applyOverlay(
      SETS,
      activeOverlay('Worldwide', [change(1, { action: 'exclude', ips: ['52.113.0.0/16'] })]),
    );
    expect(split.sets.find((s) => s.id === 11)!.ips).toEqual(
      expect.arrayContaining(['52.112.0.0/16', '52.114.0.0/15']),
    );
    expect(split.sets.find((s) => s.id === 11)!.ips).not.toContain('52.112.0.0/14');
    expect(split.excluded.ips).toBe(2);
  });

  it('leaves the sets untouched without an overlay', () => {
    expect(applyOverlay(SETS, activeOverlay('Worldwide', [])).sets).toEqual(SETS);
  });
});
