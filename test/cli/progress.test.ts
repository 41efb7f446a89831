/**
 * The progress line of `ipurl copy` and `ipurl classify` (src/cli/progress.ts): drawn on a
 * terminal, silent when stderr is not one (cron, a pipe), silent with --json; the output itself
 * is the same either way. Real commands over a store seeded from the bundled data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress, progressBar } from '../../src/cli/progress.js';
import { createSeededStoreFile } from '../helpers/seeded-store.js';
import { runIpurl } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-progress-'));
const seeded = join(dir, 'seeded.db');
const log = join(dir, 'access.log');
beforeAll(async () => {
  await createSeededStoreFile(seeded);
  const lines = [];
  for (let i = 0; i < 2000; i++) {
    lines.push(
      `1700000000.${i} 5 10.0.0.${i % 250} TCP_TUNNEL/200 1000 CONNECT outlook.office365.com:443 - HIER_DIRECT/52.97.1.1 -`,
    );
  }
  writeFileSync(log, `${lines.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeStream(isTTY: boolean): { isTTY: boolean; text: string; write(s: string): boolean } {
  return {
    isTTY,
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

describe('createProgress', () => {
  it('draws over one line on a terminal, at most once per interval, and clears or keeps it', () => {
    let t = 0;
    const stream = fakeStream(true);
    const progress = createProgress({ stream, intervalMs: 100, now: () => t });
    expect(progress.active).toBe(true);
    progress.update('one');
    t = 50;
    progress.update('two'); // too soon: not drawn
    t = 150;
    progress.update('three');
    progress.done();
    expect(stream.text).toBe('\r\x1b[Kone\r\x1b[Kthree\r\x1b[K');
    const kept = fakeStream(true);
    const second = createProgress({ stream: kept });
    second.update('half');
    second.done({ keep: true, text: 'all' });
    expect(kept.text).toBe('\r\x1b[Khalf\r\x1b[Kall\n');
  });

  it('writes nothing when the stream is not a terminal, or in --json mode', () => {
    for (const [stream, json] of [
      [fakeStream(false), false],
      [fakeStream(true), true],
    ] as const) {
      const progress = createProgress({ stream, json });
      expect(progress.active).toBe(false);
      progress.update('x');
      progress.done({ keep: true });
      expect(stream.text).toBe('');
    }
  });

  it('draws a bar of the fraction done', () => {
    expect(progressBar(0, 10)).toBe('[..........]   0%');
    expect(progressBar(0.5, 10)).toBe('[#####.....]  50%');
    expect(progressBar(1.7, 10)).toBe('[##########] 100%');
  });
});

describe('ipurl classify and copy', () => {
  it('classify: a bar on a terminal, nothing without one or with --json; the same report', async () => {
    const args = ['classify', log, '--db', seeded];
    const tty = await runIpurl(args, { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stderr.endsWith(`\r\x1b[K[${'#'.repeat(30)}] 100% 2000 lines\n`)).toBe(true);
    const cron = await runIpurl(args);
    expect(cron.stderr).toBe('');
    expect(cron.stdout).toBe(tty.stdout);
    const json = await runIpurl([...args, '--json'], { tty: true });
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ requests: 2000 });
  });

  it('copy: counts on a terminal and clears the line; nothing without one or with --json', async () => {
    const tty = await runIpurl(['copy', '--from', seeded, '--to', join(dir, 'a.db')], {
      tty: true,
    });
    expect(tty.code, tty.stderr).toBe(0);
    expect(tty.stderr.startsWith('\r\x1b[Kcopying ')).toBe(true);
    expect(tty.stderr).toMatch(/copying .*: \d+\/\d+/);
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    const cron = await runIpurl(['copy', '--from', seeded, '--to', join(dir, 'b.db')]);
    expect(cron.code).toBe(0);
    expect(cron.stderr).toBe('');
    expect(cron.stdout.replaceAll('b.db', 'a.db')).toBe(tty.stdout);
    const json = await runIpurl(['copy', '--from', seeded, '--to', join(dir, 'c.db'), '--json'], {
      tty: true,
    });
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toHaveProperty('to');
  });
});
