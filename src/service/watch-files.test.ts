/**
 * Issue 14 item 6: `writeFileAtomic` keeps an existing file's mode and owner (a firewall file
 * readable only by root stays so), and the `--on-change` stdin summary keeps data on one line.
 */
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../core/change-record.js';
import { escapeControl, summarizeChanges } from './watch.js';
import { writeFileAtomic } from './write-file-atomic.js';

const dir = mkdtempSync(join(tmpdir(), 'ipurl-watch-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('keeps the mode of the file it replaces; a new file is 0644', async () => {
    const secret = join(dir, 'm365.nft');
    writeFileSync(secret, 'old');
    chmodSync(secret, 0o600);
    await writeFileAtomic(secret, 'new');
    expect(readFileSync(secret, 'utf8')).toBe('new');
    expect(statSync(secret).mode & 0o7777).toBe(0o600);
    const script = join(dir, 'reload.sh');
    writeFileSync(script, '#!/bin/sh');
    chmodSync(script, 0o750);
    await writeFileAtomic(script, '#!/bin/sh\nexit 0\n');
    expect(statSync(script).mode & 0o7777).toBe(0o750);
    const fresh = join(dir, 'sub', 'fresh.pac');
    await writeFileAtomic(fresh, 'x');
    expect(statSync(fresh).mode & 0o7777).toBe(0o644);
  });

  it('keeps the owner and group when the process may set them (root)', async (context) => {
    if (process.getuid?.() !== 0) {
      context.skip(); // only root can give a file to another user; covered where tests run as root
      return;
    }
    const file = join(dir, 'owned.txt');
    writeFileSync(file, 'old');
    chownSync(file, 4321, 4322);
    await writeFileAtomic(file, 'new');
    expect(statSync(file)).toMatchObject({ uid: 4321, gid: 4322 });
  });
});

describe('--on-change stdin summary', () => {
  it('escapes newlines and control characters from the data: one line per record', () => {
    const record: ChangeRecord = {
      id: 7,
      endpointSetId: 3,
      disposition: 'Add',
      version: '2025022800',
      impact: 'AddedUrl',
      add: {
        effectiveDate: '20250301',
        urls: ['evil.example.com\nrm -rf /', 'x\u001b[31m.example.com'],
        ips: ['1.2.3.0/24'],
      },
    };
    const text = summarizeChanges('Worldwide', '2025013000', '2025022800', [record]);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('evil.example.com\\nrm -rf /');
    expect(lines[1]).toContain('x\\x1b[31m.example.com');
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/); // eslint-disable-line no-control-regex
  });
  it('escapeControl is reversible text: backslashes doubled, tabs and CR named', () => {
    expect(escapeControl('a\\b\tc\rd\u2028e\u0085')).toBe('a\\\\b\\tc\\rd\\u2028e\\x85');
  });
});
