/** `ipurl migrate`: applies pending migrations once, reports each step, text and --json. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres/migrations.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import {
  POSTGRES_URL,
  dropSchema,
  postgresReachable,
  uniqueSchemaName,
} from './helpers/postgres.js';
import { describeWith } from './helpers/system.js';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('ipurl migrate on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipurl-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies every migration to a new file, then finds it up to date', async () => {
    const db = join(dir, 'new.db');
    const first = await cli(['migrate', '--db', db]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `sqlite store ${db}: applied ${SQLITE_MIGRATIONS.length} migration(s)`,
    );
    expect(first.stdout).toMatch(/ {4}1 {2}initial schema: .* \(applied now\)/);
    const second = await cli(['migrate', '--db', db, '--json']);
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
    const result = await cli(['migrate', '--db', join(dir, 'missing-dir', 'x.db')]);
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
    const first = await cli(['migrate', '--db', url]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      `postgres store postgres://127.0.0.1:5432/test (schema ${schema}): applied ${POSTGRES_MIGRATIONS.length} migration(s)`,
    );
    const second = await cli(['migrate', '--db', url]);
    expect(second.stdout).toContain('already up to date');
  });
});
