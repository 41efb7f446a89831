/**
 * The empty-store rule and read-only opening, as a user meets them on the command line:
 * - the default store (no --db) is created and filled from the bundled data on first use;
 * - a store given explicitly that is missing or empty is never created: one line says what to run;
 * - read commands open an existing SQLite file read-only: a read-only file or folder is readable;
 * - a write that a read-only file or folder refuses names the path and what was attempted.
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI } from '../helpers/system.js';
import { canDropPrivileges, runInProcess, runIpurl } from './run-cli.js';
import { createSeededStoreFile } from '../helpers/seeded-store.js';

const hint = (db: string, missing: boolean): string =>
  `ipurl: ${missing ? `no store at ${db}` : `the store ${db} holds no version yet`}: run "ipurl seed --db ${db}" to fill it from the bundled data, or "ipurl sync --db ${db} --upstream https://endpoints.office.com" [ERR_NOT_FOUND]\n`;

/** Every command that reads data, with arguments that succeed on a seeded store. */
const READ_COMMANDS: ReadonlyArray<readonly string[]> = [
  ['versions', 'Worldwide'],
  ['changes', 'Worldwide', '--since', '2024073100'],
  ['diff', 'Worldwide', 'previous', 'latest'],
  ['export', 'Worldwide', 'nftables'],
  ['pac', 'Worldwide'],
  ['docs', 'Worldwide'],
  ['lookup', '52.112.0.1'],
  ['classify', '-'],
  ['webhooks', 'list'],
];

describe('the empty-store rule and read-only stores', { timeout: 300_000 }, () => {
  let dir: string;
  let seeded: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ipurl-empty-store-'));
    chmodSync(dir, 0o755);
    seeded = join(dir, 'seeded.db');
    await createSeededStoreFile(seeded);
  });
  afterAll(() => {
    for (const sub of readdirSync(dir)) chmodSync(join(dir, sub), 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the default store is created and filled from the bundled data on first use, once', async () => {
    const cwd = join(dir, 'fresh');
    mkdirSync(cwd);
    const first = await runIpurl(['lookup', '52.112.0.1'], { cwd });
    expect(first.stderr).toMatch(
      /^ipurl: filled ipurl\.db from the bundled data \(\d+ versions, \d+ change records\)\n$/,
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Worldwide \d{10}\n52\.112\.0\.1: Optimize\n/);
    expect(existsSync(join(cwd, 'ipurl.db'))).toBe(true);
    const second = await runIpurl(['versions', 'Worldwide'], { cwd });
    expect(second.code).toBe(0);
    expect(second.stderr).toBe('');
    expect(second.stdout).toMatch(/^Worldwide: \d+ versions, latest \d{10}/);
  });

  it.each(READ_COMMANDS)(
    'an explicit --db that does not exist: %s … exits 3 with one line, creates nothing',
    async (...args) => {
      const db = join(dir, `missing-${args[0]}.db`);
      const run = await runInProcess([...args, '--db', db]);
      expect(run.stderr).toBe(hint(db, true));
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(existsSync(db)).toBe(false);
    },
  );

  it('an explicit store that exists but is empty (IPURL_DB too) says what to run', async () => {
    const db = join(dir, 'migrated-only.db');
    expect((await runInProcess(['migrate', '--db', db])).code).toBe(0);
    for (const args of [
      ['versions', 'Worldwide'],
      ['export', 'Worldwide', 'list'],
    ]) {
      const run = await runInProcess(args, { IPURL_DB: db });
      expect(run.stderr).toBe(hint(db, false));
      expect(run.code).toBe(3);
    }
    const zero = join(dir, 'zero.db');
    copyFileSync('/dev/null', zero);
    const run = await runInProcess(['lookup', 'outlook.com', '--db', zero]);
    expect(run.stderr).toBe(hint(zero, false));
    // status reports an empty store instead of failing, with the same advice.
    const status = await runInProcess(['status', '--db', db]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`(no version stored) run "ipurl seed --db ${db}"`);
  });

  it('ipurl seed fills an explicit store, and a second run adds nothing', async () => {
    const db = join(dir, 'seed-me.db');
    const run = await runInProcess(['seed', '--db', db]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^filled ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} from the bundled data: \\d+ versions, \\d+ change records\\n  Worldwide +\\+\\d+ versions\\n`,
      ),
    );
    const again = await runInProcess(['seed', '--db', db]);
    expect(again.stdout).toBe(`${db} already holds every bundled version; nothing was added\n`);
    expect((await runInProcess(['versions', 'China', '--db', db])).code).toBe(0);
  });

  const privileged = canDropPrivileges();
  if (!privileged && IN_CI) throw new Error('CI: read-only tests need setpriv to drop root');
  (privileged ? describe : describe.skip)(
    'read-only files and folders (as an unprivileged user)',
    () => {
      it('a read-only file is read; a publish into it names the file and that it is read-only', async () => {
        const folder = join(dir, 'ro-file');
        mkdirSync(folder);
        chmodSync(folder, 0o777);
        const db = join(folder, 'ipurl.db');
        copyFileSync(seeded, db);
        chmodSync(db, 0o444);
        for (const args of [READ_COMMANDS[0]!, READ_COMMANDS[3]!, READ_COMMANDS[6]!]) {
          const run = await runIpurl([...args, '--db', db], { unprivileged: true, cwd: folder });
          expect(run.stderr, args.join(' ')).not.toContain('readonly database');
          expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
        }
        const publish = await runIpurl(['publish', 'Worldwide', '-', '--db', db], {
          unprivileged: true,
          cwd: folder,
          stdin: '[]',
        });
        expect(publish.code).toBe(5);
        expect(publish.stderr).toMatch(new RegExp(`cannot write ${db}.*the file is read-only`));
      });

      it('a file in a read-only folder is read; creating the default store there names the folder', async () => {
        const folder = join(dir, 'ro-folder');
        mkdirSync(folder);
        copyFileSync(seeded, join(folder, 'ipurl.db'));
        chmodSync(folder, 0o555);
        const read = await runIpurl(['docs', 'Worldwide'], { unprivileged: true, cwd: folder });
        expect(read.stderr).toBe('');
        expect(read.code).toBe(0);
        expect(read.stdout).toContain('<!--Worldwide endpoints version');
        const lookup = await runIpurl(
          ['lookup', 'outlook.office365.com', '--db', join(folder, 'ipurl.db')],
          {
            unprivileged: true,
          },
        );
        expect(lookup.code).toBe(0);
        expect(readdirSync(folder)).toEqual(['ipurl.db']);

        const empty = join(dir, 'ro-empty');
        mkdirSync(empty);
        chmodSync(empty, 0o555);
        const seed = await runIpurl(['versions', 'Worldwide'], { unprivileged: true, cwd: empty });
        expect(seed.code).toBe(5);
        expect(seed.stderr).toMatch(
          /^ipurl: the default store ipurl\.db is missing and could not be created to fill it from the bundled data \(cannot open ipurl\.db \(open\): the folder \. does not let ipurl create or open the file .*\); run ipurl in a folder you can write, or give --db PATH \[ERR_STORAGE\]\n$/,
        );
        const explicit = join(empty, 'new.db');
        const publish = await runIpurl(['publish', 'Contoso', '-', '--db', explicit], {
          unprivileged: true,
          stdin: '[]',
        });
        expect(publish.code).toBe(5);
        expect(publish.stderr).toContain(`cannot open ${explicit}`);
        expect(publish.stderr).toContain(
          `the folder ${empty} does not let ipurl create or open the file`,
        );
      });
    },
  );
});
