import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../core/change-record.js';
import { ENDPOINT_SET_MEMBERS } from '../core/endpoint-set.js';
import { scrambledSet } from '../core/sample-data.fixture.js';
import { CHANGE_RECORD_MEMBERS } from '../core/validate-changes.js';
import {
  renderChangesJson,
  renderEndpointsJson,
  renderVersionJson,
  stringifyIndented,
} from './wire-json.js';

describe('stringifyIndented (Json.NET Formatting.Indented)', () => {
  it('writes two-space indentation, CRLF, no final newline, [] and {} inline', () => {
    expect(stringifyIndented({ a: [1, 'x'], b: [], c: {}, d: true, e: null })).toBe(
      '{\r\n  "a": [\r\n    1,\r\n    "x"\r\n  ],\r\n  "b": [],\r\n  "c": {},\r\n  "d": true,\r\n  "e": null\r\n}',
    );
  });

  it('parses back to the same value', () => {
    const value = { s: 'quote " backslash \\ tab \t é', n: [1, 2, { k: 'v' }] };
    expect(JSON.parse(stringifyIndented(value))).toEqual(value);
  });
});

describe('wire renderers', () => {
  it('orders endpoint-set members in wire order, omits empty lists and echoes stored ports', () => {
    const set = scrambledSet({ id: 7, udpPorts: '', ips: [] });
    const [wire] = JSON.parse(renderEndpointsJson([set])) as object[];
    // The empty ips list is left out; every other member stands, in wire order.
    expect(Object.keys(wire!)).toEqual(ENDPOINT_SET_MEMBERS.filter((member) => member !== 'ips'));
  });

  it('renders /version as one object or an array', () => {
    expect(JSON.parse(renderVersionJson({ instance: 'Worldwide', latest: '2025013000' }))).toEqual({
      instance: 'Worldwide',
      latest: '2025013000',
    });
    expect(
      JSON.parse(
        renderVersionJson([{ instance: 'China', latest: '2025013000', versions: ['2025013000'] }]),
      ),
    ).toEqual([{ instance: 'China', latest: '2025013000', versions: ['2025013000'] }]);
  });

  it('orders change-record members in wire order, previous/current members too', () => {
    const record = {
      remove: { urls: ['b'], ips: ['1.2.3.4/32'] },
      add: { urls: ['a'], effectiveDate: '20250301' },
      current: { notes: 'n', expressRoute: 'true' },
      previous: { tcpPorts: '443', category: 'Allow' },
      impact: 'AddedUrl',
      version: '2025013000',
      disposition: 'Change',
      changeDescription: 'legacy',
      endpointSetId: 12,
      id: 522,
    } as unknown as ChangeRecord;
    const text = renderChangesJson([record]);
    const [wire] = JSON.parse(text) as Array<Record<string, object>>;
    expect(Object.keys(wire!)).toEqual(CHANGE_RECORD_MEMBERS);
    expect(Object.keys(wire!.previous!)).toEqual(['category', 'tcpPorts']);
    expect(Object.keys(wire!.current!)).toEqual(['expressRoute', 'notes']);
    expect(Object.keys(wire!.add!)).toEqual(['effectiveDate', 'urls']);
    expect(Object.keys(wire!.remove!)).toEqual(['ips', 'urls']);
  });
});
