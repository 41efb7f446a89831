/**
 * `ipurl migrate [--db X] [--json]`: apply the store's pending schema migrations and show every
 * step (SQLite file or PostgreSQL; both also migrate on open, this makes it an explicit,
 * reviewable step of an upgrade: docs/operations.md).
 */
import type { Command } from 'commander';
import { isPostgresUrl } from '../open-store.js';
import { addStoreOptions, EXIT_TEXT, printJson, resolveDb } from '../options.js';

interface Step {
  readonly version: number;
  readonly name: string;
  readonly status: 'applied' | 'already-applied';
  readonly appliedAt: string;
}

/** Open (and so migrate) the store behind `db`; return where it is and the steps. */
export async function migrateDb(
  db: string,
): Promise<{ kind: string; target: string; steps: readonly Step[] }> {
  if (isPostgresUrl(db)) {
    const { createPostgresStore } = await import('../../store/postgres/postgres-store.js');
    const store = await createPostgresStore({ connectionString: db });
    await store.close();
    const url = new URL(db);
    return {
      kind: store.kind,
      target: `postgres://${url.host}${url.pathname} (schema ${store.schema})`,
      steps: store.migrations,
    };
  }
  const { createSqliteStore } = await import('../../store/sqlite/sqlite-store.js');
  const store = await createSqliteStore({ filename: db });
  await store.close();
  return { kind: store.kind, target: db, steps: store.migrations };
}

export function register(program: Command): void {
  const command = program
    .command('migrate')
    .description(
      'apply pending schema migrations to the store (SQLite file or postgres:// URL) and list every step',
    );
  addStoreOptions(command, {
    0: 'migrated, or already up to date',
    1: EXIT_TEXT.failed,
    2: EXIT_TEXT.usage,
    5: EXIT_TEXT.storage,
  });
  command.action(async (flags: { db?: string; json?: boolean }) => {
    const db = resolveDb(flags.db);
    const { kind, target, steps } = await migrateDb(db);
    const schemaVersion = Math.max(0, ...steps.map((s) => s.version));
    if (flags.json === true) {
      printJson({ store: kind, target, schemaVersion, steps });
      return;
    }
    const applied = steps.filter((s) => s.status === 'applied').length;
    const lines = [
      `${kind} store ${target}: ${applied === 0 ? 'already up to date' : `applied ${applied} migration(s)`}`,
    ];
    for (const step of steps) {
      const when = step.status === 'applied' ? 'applied now' : `already applied ${step.appliedAt}`;
      lines.push(`  ${String(step.version).padStart(3)}  ${step.name}  (${when})`);
    }
    lines.push(`schema version ${schemaVersion}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
