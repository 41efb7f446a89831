/**
 * Every device output is loaded into the real program (issue 4): `nft -c -f` and a real load in a
 * throwaway network namespace (`unshare -n`), `iptables-restore --test` / `ip6tables-restore
 * --test` and a real `--noflush` load in a namespace, `ipset restore` twice in a namespace (first
 * load and atomic swap over existing sets), and `squid -k parse` on a squid.conf that includes the
 * generated ACL files. Inputs: the golden version, the latest version of every bundled instance,
 * without aggregation, and the hostile fixture (policy skip). Needs root (CI runs as root).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWith, hasCommand } from '../helpers/system.js';
import { NS, ROOT, realProgramCases, sh } from './real-programs.js';

const { cases, exportTo } = realProgramCases('ipurl-export-tools-', [
  {
    label: 'Worldwide 2025013000 not aggregated',
    request: {
      instance: 'Worldwide',
      version: '2025013000',
      aggregate: false,
      onUnsupported: 'skip',
    },
  },
  {
    label: 'hostile data (skip)',
    request: { instance: 'Hostile', onUnsupported: 'skip' },
  },
]);

it('covers every bundled instance, no aggregation and hostile data', () => {
  expect(cases.length).toBeGreaterThanOrEqual(7);
});

describeWith('nft (root)', hasCommand('nft') && ROOT)('nftables output loads with nft', () => {
  it('nft -c -f accepts every case; a real load in a namespace, twice (the delete-table reload), creates every set', async () => {
    for (const { label, request } of cases) {
      const { outcome, folder } = await exportTo('nftables', request);
      const file = join(folder, 'm365.nft');
      const check = sh('nft', ['-c', '-f', file]);
      expect(check.status, `${label}: ${check.out}`).toBe(0);
      if (!NS) continue;
      const loaded = sh('unshare', [
        '-n',
        'sh',
        '-c',
        `nft -f ${file} && nft -f ${file} && nft list table inet m365`,
      ]);
      expect(loaded.status, `${label}: ${loaded.out}`).toBe(0);
      // auto-merge may join adjacent prefixes inside a set, so count sets, not elements.
      const sets = (loaded.out.match(/^\s*set \w+ \{/gm) ?? []).length;
      expect(sets, label).toBe(outcome.files[0]!.content.match(/^\tset \w+ \{/gm)?.length ?? 0);
    }
  });
});

describeWith(
  'iptables-restore and ip6tables-restore (root)',
  hasCommand('iptables-restore') && hasCommand('ip6tables-restore') && ROOT,
)('iptables output loads with iptables-restore', () => {
  it('--test accepts both files of every case; a namespace load has one rule per line', async () => {
    for (const { label, request } of cases) {
      const { outcome, folder } = await exportTo('iptables', request);
      for (const [tool, name] of [
        ['iptables-restore', 'm365.iptables'],
        ['ip6tables-restore', 'm365.ip6tables'],
      ] as const) {
        const file = join(folder, name);
        const check = sh(tool, ['--test', file]);
        expect(check.status, `${label} ${name}: ${check.out}`).toBe(0);
        if (!NS) continue;
        const list = tool === 'iptables-restore' ? 'iptables' : 'ip6tables';
        const loaded = sh('unshare', [
          '-n',
          'sh',
          '-c',
          `${tool} --noflush ${file} && ${tool} --noflush ${file} && ${list} -S`,
        ]);
        expect(loaded.status, `${label} ${name}: ${loaded.out}`).toBe(0);
        const content = outcome.files.find((f) => f.name === name)!.content;
        const rules = content.split('\n').filter((line) => line.startsWith('-A ')).length;
        expect(
          loaded.out.split('\n').filter((line) => line.startsWith('-A M365-')).length,
          label,
        ).toBe(rules);
      }
    }
  });
});

describeWith('ipset with a network namespace (root, unshare)', hasCommand('ipset') && NS)(
  'ipset output loads with ipset restore',
  () => {
    it('restores twice (create, then atomic swap over live sets) with exactly the written entries', async () => {
      for (const { label, request } of cases) {
        const { outcome, folder } = await exportTo('ipset', request);
        const file = join(folder, 'm365.ipset');
        const loaded = sh('unshare', [
          '-n',
          'sh',
          '-c',
          `ipset restore -f ${file} && ipset restore -f ${file} && ipset save`,
        ]);
        expect(loaded.status, `${label}: ${loaded.out}`).toBe(0);
        const adds = loaded.out.split('\n').filter((line) => line.startsWith('add m365-'));
        expect(adds.length, label).toBe(
          outcome.summary.written.ipv4 + outcome.summary.written.ipv6,
        );
        expect(loaded.out, label).not.toMatch(/-tmp/);
      }
    });
  },
);

describeWith('squid', hasCommand('squid'))('squid output parses with squid -k parse', () => {
  it('a squid.conf including the generated ACLs parses without a warning', async () => {
    for (const { label, request } of cases) {
      const { folder } = await exportTo('squid', request);
      const conf = join(folder, 'squid.conf');
      writeFileSync(
        conf,
        [
          'http_port 127.0.0.1:3128',
          `pid_filename ${join(folder, 'squid.pid')}`,
          `cache_log ${join(folder, 'cache.log')}`,
          'access_log none',
          `include ${join(folder, 'm365-acls.conf')}`,
          'http_access deny all',
          '',
        ].join('\n'),
      );
      const parsed = sh('squid', ['-k', 'parse', '-f', conf]);
      expect(parsed.status, `${label}: ${parsed.out}`).toBe(0);
      expect(parsed.out, label).toMatch(/Processing: acl m365_/);
      expect(parsed.out, label).not.toMatch(/WARNING|ERROR|FATAL/);
    }
  });
});
