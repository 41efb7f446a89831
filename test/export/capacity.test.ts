/**
 * Capacity caps on the real data (issue 11): the Worldwide 2025013000 Optimize IPv4 bucket
 * capped to half its entries is a valid nftables set (`nft -c`) whose added address space equals
 * the exhaustive optimum, and the cap is reported in the file header and the summary.
 *
 * The exhaustive optimum enumerates every way to cut the sorted, exactly aggregated prefixes
 * into at most N contiguous runs and covers each run with the smallest prefix holding it. That
 * is every candidate worth trying: covers can be taken disjoint (a cover inside another one is
 * redundant), so each covers a contiguous run of the sorted list, and any prefix holding a run
 * holds its smallest covering prefix; a listed prefix split over several covers inside it is
 * never better than the prefix itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateCidrs } from '../../src/core/cidr-aggregate.js';
import { parseCidr, type Cidr } from '../../src/core/cidr.js';
import type { CatalogSource } from '../../src/service/catalog.js';
import { describeWith, hasCommand } from '../helpers/system.js';
import { run, sourceWith } from './fixture.js';

const ROOT = process.getuid?.() === 0;
let source: CatalogSource;
let dir: string;

beforeAll(async () => {
  source = await sourceWith([{ instance: 'Worldwide', version: '2025013000' }]);
  dir = mkdtempSync(join(tmpdir(), 'ipurl-capacity-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

const size = (c: Cidr): bigint => 1n << BigInt(32 - c.prefix);

/** Smallest prefix holding first..last (sorted, IPv4). */
function smallestCover(first: Cidr, last: Cidr): Cidr {
  const end = last.network + size(last) - 1n;
  for (let prefix = Math.min(first.prefix, last.prefix); prefix >= 0; prefix--) {
    const shift = BigInt(32 - prefix);
    if (first.network >> shift === end >> shift) {
      const network = (first.network >> shift) << shift;
      return parseCidr(
        `${[24, 16, 8, 0].map((s) => Number((network >> BigInt(s)) & 255n)).join('.')}/${prefix}`,
      );
    }
  }
  throw new Error('unreachable');
}

function unionSize(covers: readonly Cidr[]): bigint {
  const ranges = covers
    .map((c) => [c.network, c.network + size(c) - 1n] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let total = 0n;
  let end = -1n;
  for (const [a, b] of ranges) {
    if (b <= end) continue;
    total += b - (a > end ? a : end + 1n) + 1n;
    end = b;
  }
  return total;
}

function exhaustiveOptimum(prefixes: readonly Cidr[], k: number): bigint {
  const listed = prefixes.reduce((n, c) => n + size(c), 0n);
  let best: bigint | undefined;
  const covers: Cidr[] = [];
  const walk = (start: number): void => {
    if (start === prefixes.length) {
      const cost = unionSize(covers) - listed;
      if (best === undefined || cost < best) best = cost;
      return;
    }
    if (covers.length === k) return;
    for (let end = start; end < prefixes.length; end++) {
      covers.push(smallestCover(prefixes[start] as Cidr, prefixes[end] as Cidr));
      walk(end + 1);
      covers.pop();
    }
  };
  walk(0);
  return best ?? 0n;
}

describe('Worldwide Optimize IPv4 capped to half its entries', () => {
  it('nftables: one bucket (merged across ports), added space = exhaustive optimum, reported', async () => {
    const plain = await run(source, {
      instance: 'Worldwide',
      target: 'json',
      categories: ['Optimize'],
      family: 4,
    });
    const rows = JSON.parse(plain.files[0]?.content ?? '[]') as { kind: string; value: string }[];
    const input = aggregateCidrs(
      rows.filter((r) => r.kind === 'ipv4').map((r) => parseCidr(r.value)),
    ).prefixes;
    expect(input.length).toBeGreaterThanOrEqual(12);
    const half = Math.floor(input.length / 2);
    const outcome = await run(source, {
      instance: 'Worldwide',
      target: 'nftables',
      categories: ['Optimize'],
      family: 4,
      maxEntries: half,
      mergeAcrossPorts: true,
    });
    const capacity = outcome.summary.capacity;
    expect(capacity?.buckets).toHaveLength(1);
    const bucket = capacity?.buckets[0];
    expect(bucket?.before).toBe(input.length);
    expect(bucket?.after).toBe(half);
    expect(bucket?.method).toBe('exact');
    expect(BigInt(bucket?.addedSpace ?? '-1')).toBe(exhaustiveOptimum(input, half));
    const content = outcome.files[0]?.content ?? '';
    const elements =
      /elements = \{([^}]*)\}/
        .exec(content)?.[1]
        ?.split(',')
        .map((s) => s.trim()) ?? [];
    expect(elements).toHaveLength(half);
    // Every published prefix is inside one of the written elements.
    for (const c of input) {
      expect(
        elements.some((e) => {
          const cover = parseCidr(e);
          const shift = BigInt(32 - cover.prefix);
          return cover.prefix <= c.prefix && cover.network >> shift === c.network >> shift;
        }),
      ).toBe(true);
    }
    expect(content).toContain(
      `# Capacity cap: at most ${half} entries per bucket (merged across ports)`,
    );
    expect(content).toContain(`added ${bucket?.addedSpace} addresses`);
    expect(content).toContain('optimal)');
    const file = join(dir, 'capped.nft');
    writeFileSync(file, content);
    if (ROOT && hasCommand('nft')) {
      const check = spawnSync('nft', ['-c', '-f', file], { encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`).toBe('');
      expect(check.status).toBe(0);
    }
  });

  it('without --merge-across-ports every (category, ports) bucket is capped on its own', async () => {
    const outcome = await run(source, {
      instance: 'Worldwide',
      target: 'nftables',
      family: 4,
      maxEntries: 3,
    });
    const content = outcome.files[0]?.content ?? '';
    for (const block of content.split('\tset ').slice(1)) {
      const elements = /elements = \{([^}]*)\}/.exec(block)?.[1]?.split(',') ?? [];
      expect(elements.length).toBeLessThanOrEqual(3);
    }
    expect(outcome.summary.capacity?.portMerges).toEqual([]);
    expect(outcome.summary.capacity?.buckets.length).toBeGreaterThan(0);
  });

  it('refuses what cannot be met, naming the parameter, the value and what is accepted', async () => {
    await expect(
      run(source, { instance: 'Worldwide', target: 'squid', maxEntries: 10 }),
    ).rejects.toThrow(/maxEntries .*IP targets .*nftables.*squid does not merge/);
    await expect(
      run(source, { instance: 'Worldwide', target: 'nftables', maxEntries: 10, aggregate: false }),
    ).rejects.toThrow(/aggregate=false/);
    await expect(
      run(source, { instance: 'Worldwide', target: 'nftables', mergeAcrossPorts: true }),
    ).rejects.toThrow(/only applies with maxEntries/);
  });
});

describeWith('nft (root)', hasCommand('nft') && ROOT)('capped nftables loads with nft -c', () => {
  it('every target-wide cap from 1 to 8 gives a file nft -c accepts', async () => {
    for (const maxEntries of [1, 2, 4, 8]) {
      const outcome = await run(source, { instance: 'Worldwide', target: 'nftables', maxEntries });
      const file = join(dir, `cap-${maxEntries}.nft`);
      writeFileSync(file, outcome.files[0]?.content ?? '');
      const check = spawnSync('nft', ['-c', '-f', file], { encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`).toBe('');
      expect(check.status).toBe(0);
    }
  });
});
