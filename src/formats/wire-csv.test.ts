import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import type { ChangeRecord } from '../core/change-record.js';
import type { EndpointSet } from '../core/endpoint-set.js';
import { removalDraft, sampleAttributes } from '../core/sample-data.fixture.js';
import { renderChangesCsv, renderEndpointsCsv, renderVersionCsv } from './wire-csv.js';

const SET: EndpointSet = {
  id: 2,
  serviceArea: 'Exchange',
  serviceAreaDisplayName: 'Exchange Online',
  urls: ['outlook.office365.com'],
  ips: ['13.107.6.152/31', '2603:1006::/40'],
  tcpPorts: '143, 587, 993, 995',
  expressRoute: true,
  category: 'Allow',
  required: false,
  notes: 'POP3, IMAP4, "SMTP" Client traffic',
};

it('renders endpoint sets as wire CSV: CRLF, quoted lists, True/False, RFC 4180 quotes', () => {
  const text = renderEndpointsCsv([SET]);
  expect(text).toBe(
    'id,serviceArea,serviceAreaDisplayName,urls,ips,tcpPorts,udpPorts,expressRoute,category,required,notes\r\n' +
      '2,Exchange,Exchange Online,"outlook.office365.com","13.107.6.152/31,2603:1006::/40","143, 587, 993, 995",,True,Allow,False,"POP3, IMAP4, ""SMTP"" Client traffic"\r\n',
  );
  const [row] = parse<Record<string, string>>(text, { columns: true });
  expect(row!.notes).toBe(SET.notes);
  expect(row!.ips!.split(',')).toEqual(SET.ips);
});

it('renders /version with and without the versions column', () => {
  expect(renderVersionCsv([{ instance: 'Worldwide', latest: '2018063000' }], false)).toBe(
    'instance,latest\r\nWorldwide,2018063000\r\n',
  );
  expect(renderVersionCsv([{ instance: 'China', latest: '2', versions: ['2', '1'] }], true)).toBe(
    'instance,latest,versions\r\nChina,2,"2,1"\r\n',
  );
});

it('flattens change records into one row each', () => {
  const record: ChangeRecord = {
    id: 530,
    ...removalDraft(67, '2025013000', sampleAttributes({ required: 'false', tcpPorts: '443' }), {
      urls: ['*.blob.core.windows.net'],
    }),
  };
  const [row] = parse<Record<string, string>>(renderChangesCsv([record]), { columns: true });
  expect(row).toMatchObject({
    id: '530',
    disposition: 'Remove',
    previousExpressRoute: 'False',
    previousServiceArea: 'Common',
    previousTcpPorts: '443',
    currentRequired: '',
    addEffectiveDate: '',
    removeUrls: '*.blob.core.windows.net',
  });
});
