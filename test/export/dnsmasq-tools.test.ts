/**
 * The dnsmasq target checked by the real programs (issue 12):
 * - `dnsmasq --test` accepts every generated configuration (every bundled instance's latest
 *   version, no aggregation, hostile data with skip, nftset and ipset forms); `nft -c -f` accepts
 *   the sets file; `ipset restore` loads the ipset form twice in a namespace.
 * - End to end in a network namespace made here (`ip netns add`): the generated nftables sets
 *   loaded with `nft -f`; an "upstream" dnsmasq on 127.0.0.1:5300 answers real Microsoft 365
 *   names from host-records (addresses inside Microsoft's published ranges); the dnsmasq under
 *   test on 127.0.0.1:53 runs the generated conf-file and forwards to it (dnsmasq fills sets from
 *   forwarded answers, not from its own host-records, so two are needed, as in real use with an
 *   upstream resolver). After a lookup through it, each address is in the set of its category,
 *   a name outside the data is in none, and reloading the sets file keeps what was learned.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ExportRequest } from '../../src/service/export.js';
import { describeWith, hasCommand } from '../helpers/system.js';
import { GOLDEN_INSTANCE, GOLDEN_VERSION } from './fixture.js';
import { NS, ROOT, realProgramCases, sh } from './real-programs.js';

const { cases, exportTo } = realProgramCases('ipurl-dnsmasq-', [
  { label: 'hostile (skip)', request: { instance: 'Hostile', onUnsupported: 'skip' } },
]);

/** The dnsmasq files of `request`, in a folder of their own. */
async function dnsmasqFolder(
  request: Omit<ExportRequest, 'target'>,
  extra: Partial<ExportRequest> = {},
): Promise<string> {
  return (await exportTo('dnsmasq', request, extra)).folder;
}

describeWith('dnsmasq (dnsmasq-base)', hasCommand('dnsmasq'))('dnsmasq --test', () => {
  it('accepts every generated configuration, nftset and ipset forms; nft -c accepts the sets file', async () => {
    for (const { label, request } of cases) {
      for (const ipset of [false, true]) {
        const folder = await dnsmasqFolder(request, ipset ? { ipset: true } : {});
        const test = sh('dnsmasq', ['--test', `--conf-file=${join(folder, 'm365.dnsmasq.conf')}`]);
        expect(test.status, `${label} ipset=${ipset}: ${test.out}`).toBe(0);
        expect(test.out).toMatch(/syntax check OK/);
        if (!ipset && hasCommand('nft') && ROOT) {
          const nft = sh('nft', ['-c', '-f', join(folder, 'm365-dnsmasq.nft')]);
          expect(nft.status, `${label}: ${nft.out}`).toBe(0);
        }
        if (ipset && hasCommand('ipset') && NS) {
          const file = join(folder, 'm365-dnsmasq.ipset');
          const loaded = sh('unshare', [
            '-n',
            'sh',
            '-c',
            `ipset restore -exist -f ${file} && ipset restore -exist -f ${file} && ipset list -n`,
          ]);
          expect(loaded.status, `${label}: ${loaded.out}`).toBe(0);
          expect(loaded.out).toMatch(/^m365-dns-\w+-v4$/m);
        }
      }
    }
  });
});

describeWith(
  'dnsmasq, nft and ip netns (root)',
  hasCommand('dnsmasq') && hasCommand('nft') && hasCommand('ip') && ROOT,
)('dnsmasq fills the generated nftables sets', () => {
  it('a lookup through dnsmasq puts each answer into the set of its category', async () => {
    const folder = await dnsmasqFolder({
      instance: GOLDEN_INSTANCE,
      version: GOLDEN_VERSION,
      onUnsupported: 'skip',
    });
    const ns = `ipurl-dns-${process.pid}`;
    // Real Microsoft 365 names; addresses inside Microsoft's published ranges (public, not
    // documentation ranges), so no sanity policy would refuse them. Nothing leaves the namespace.
    const records = [
      ['outlook.office365.com', '52.98.151.66', '2603:1046:c09:1::2', 'optimize'],
      ['contoso.sharepoint.com', '13.107.136.9', '2620:1ec:8f8::9', 'optimize'],
      ['login.microsoftonline.com', '20.190.151.68', '2603:1037:1:c8::8', 'allow'],
      ['www.microsoft365.com', '150.171.22.17', '2603:1061:1312::17', 'default'],
      ['example.org', '93.184.215.14', '2606:2800:21f:cb07::1', 'none'],
    ] as const;
    const hostRecords = records
      .map(([name, v4, v6]) => `--host-record=${name},${v4},${v6},300`)
      .join(' ');
    const lookups =
      `const d=require('node:dns').promises;const r=new d.Resolver();r.setServers(['127.0.0.1']);` +
      `Promise.all(${JSON.stringify(records.map((r) => r[0]))}.flatMap(n=>[r.resolve4(n),r.resolve6(n)])).then(x=>console.log(JSON.stringify(x)))`;
    writeFileSync(join(folder, 'lookup.cjs'), lookups);
    const nftFile = join(folder, 'm365-dnsmasq.nft');
    const script = [
      'set -e',
      'ip link set lo up',
      `nft -f ${nftFile}`,
      `dnsmasq --conf-file=/dev/null --listen-address=127.0.0.1 --bind-interfaces --port=5300 --no-resolv --no-hosts ${hostRecords} --pid-file=${folder}/up.pid`,
      `dnsmasq --conf-file=${join(folder, 'm365.dnsmasq.conf')} --listen-address=127.0.0.1 --bind-interfaces --port=53 --no-resolv --no-hosts --server=127.0.0.1#5300 --pid-file=${folder}/front.pid`,
      'sleep 0.5',
      `${process.execPath} ${join(folder, 'lookup.cjs')}`,
      `nft -f ${nftFile}`, // a reload keeps what dnsmasq learned
      'nft -j list table inet m365_dns',
      `kill $(cat ${folder}/up.pid) $(cat ${folder}/front.pid)`,
    ].join('\n');
    expect(sh('ip', ['netns', 'add', ns]).status).toBe(0);
    let result: { status: number | null; out: string };
    try {
      result = sh('ip', ['netns', 'exec', ns, 'sh', '-c', script]);
    } finally {
      sh('ip', ['netns', 'del', ns]);
    }
    expect(result.status, result.out).toBe(0);
    const json = JSON.parse(result.out.slice(result.out.indexOf('{"nftables"'))) as {
      nftables: Array<{ set?: { name: string; elem?: Array<string | { elem: { val: string } }> } }>;
    };
    const members = new Map<string, string[]>();
    for (const item of json.nftables) {
      if (item.set === undefined) continue;
      members.set(
        item.set.name,
        (item.set.elem ?? []).map((e) => (typeof e === 'string' ? e : e.elem.val)),
      );
    }
    for (const [name, v4, v6, category] of records) {
      for (const [family, address] of [
        ['v4', v4],
        ['v6', v6],
      ] as const) {
        const holding = [...members]
          .filter(([, elems]) => elems.includes(address))
          .map(([set]) => set);
        expect(holding, `${name} ${address}`).toEqual(
          category === 'none' ? [] : [`${category}_${family}`],
        );
      }
    }
  });
});
