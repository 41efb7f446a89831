/**
 * PostgreSQL schema migrations (`ipurl migrate`, and on every open; the list: ../migrations.ts),
 * applied in one transaction under an advisory lock, so replicas starting together on a new
 * database migrate it once. Recorded in `schema_migrations` inside the store's schema.
 */
import type pg from 'pg';
import {
  afterMigration,
  checkNotNewer,
  migrationStep,
  POSTGRES_SCHEMA,
  type MigrationStep,
} from '../migrations.js';
import { numbered } from './postgres-placeholders.js';

export const POSTGRES_MIGRATIONS = POSTGRES_SCHEMA.migrations;

/** Quote an identifier for SQL text. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Apply every pending migration in `schema` (created when missing). */
export async function migratePostgres(
  client: pg.ClientBase,
  schema: string,
): Promise<MigrationStep[]> {
  await client.query('BEGIN');
  try {
    // One migrator per schema at a time, across every process on this database.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `ipurl-migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    await client.query(POSTGRES_SCHEMA.migrationsTable);
    const applied = await client.query<{ version: number; applied_at: Date }>(
      'SELECT version, applied_at FROM schema_migrations ORDER BY version',
    );
    checkNotNewer(`schema ${schema}`, applied.rows.at(-1)?.version ?? 0, POSTGRES_SCHEMA.known);
    const steps: MigrationStep[] = [];
    for (const migration of POSTGRES_MIGRATIONS) {
      const row = applied.rows.find((r) => r.version === migration.version);
      if (row) {
        steps.push(migrationStep(migration, 'already-applied', row.applied_at.toISOString()));
        continue;
      }
      const appliedAt = new Date().toISOString();
      await client.query(migration.sql);
      for (const { sql, values } of afterMigration(migration, appliedAt))
        await client.query(numbered(sql), values);
      steps.push(migrationStep(migration, 'applied', appliedAt));
    }
    await client.query('COMMIT');
    return steps;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
