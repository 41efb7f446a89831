/** `ipurl migrate`: applies pending migrations once, reports each step, text and --json. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import {
  POSTGRES_URL,
  dropSchema,
  postgresReachable,
  uniqueSchemaName,
} from './helpers/postgres.js';
import { describeWith } from './helpers/system.js';
import { runIpurl } from './cli/run-cli.js';

describe('ipurl migrate on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies every migration to a new file, then finds it up to date', async () => {
    const db = join(dir, 'new.db');
    const first = await runIpurl(['migrate', '--db', db]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `sqlite store ${db}: applied ${SQLITE_MIGRATIONS.length} migration(s)`,
    );
    expect(first.stdout).toMatch(/ {4}1 {2}initial schema: .* \(applied now\)/);
    const second = await runIpurl(['migrate', '--db', db, '--json']);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report).toMatchObject({
      store: 'sqlite',
      target: db,
      schemaVersion: SQLITE_MIGRATIONS.length,
    });
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual(
      SQLITE_MIGRATIONS.map(() => 'already-applied'),
    );
  });

  it('fails with exit 5 and the path when the file cannot be created', async () => {
    const result = await runIpurl(['migrate', '--db', join(dir, 'missing-dir', 'x.db')]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/missing-dir\/x\.db.*\[ERR_STORAGE\]/);
  });
});

const reachable = await postgresReachable();

describeWith('PostgreSQL at 127.0.0.1:5432', reachable)('ipurl migrate on PostgreSQL', () => {
  const schema = uniqueSchemaName('ipurl_migrate');
  afterAll(() => dropSchema(schema));

  it('migrates the schema named in the URL', async () => {
    const url = `${POSTGRES_URL}?schema=${schema}`;
    const first = await runIpurl(['migrate', '--db', url]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `postgres store postgres://127.0.0.1:5432/test (schema ${schema}): applied ${POSTGRES_MIGRATIONS.length} migration(s)`,
    );
    const second = await runIpurl(['migrate', '--db', url]);
    expect(second.stdout).toContain('already up to date');
  });
});
