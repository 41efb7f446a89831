/**
 * Child process for the store crash tests: appends versions of 2,000 sets (three change records
 * each version) to one store forever, printing each committed version id. The test kills it with
 * SIGKILL at an arbitrary moment and then checks the store holds only whole versions.
 * Usage: node --import tsx test/helpers/append-loop.ts <sqlite-file | postgres-url> [schema]
 */
import type { EndpointSet } from '../../src/core/endpoint-set.js';
import type { AppendVersionInput, Store } from '../../src/core/store.js';

export const LOOP_SETS = 2000;
export const LOOP_CHANGES = 3;

export function loopSets(n: number): EndpointSet[] {
  return Array.from({ length: LOOP_SETS }, (_, i) => ({
    id: i + 1,
    serviceArea: 'Common',
    serviceAreaDisplayName: 'Microsoft 365 Common and Office Online',
    ips: Array.from({ length: 20 }, (_, j) => `10.${j}.${i % 250}.${n % 250}/32`),
    tcpPorts: '443',
    expressRoute: false,
    category: 'Default',
    required: true,
    notes: '',
  }));
}

/** The n-th append of the loop on top of `latest`: versions count up from 2026000100. */
export function loopInput(n: number, latest: string | null): AppendVersionInput {
  const next = latest === null ? '2026000100' : String(Number(latest) + 1).padStart(10, '0');
  return {
    instance: 'Crash',
    version: next,
    expectedLatest: latest,
    sets: loopSets(n),
    changes: Array.from({ length: LOOP_CHANGES }, (_, i) => ({
      endpointSetId: i + 1,
      disposition: 'Change' as const,
      version: next,
      impact: 'AddedIp' as const,
      add: { effectiveDate: '20260201', ips: [`10.0.${i}.${n % 250}/32`] },
    })),
  };
}

async function run(target: string, schema: string | undefined): Promise<void> {
  let store: Store;
  if (/^postgres(ql)?:\/\//.test(target)) {
    const { createPostgresStore } = await import('../../src/store/postgres/postgres-store.js');
    store = await createPostgresStore({
      connectionString: target,
      ...(schema === undefined ? {} : { schema }),
    });
  } else {
    const { createSqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
    store = await createSqliteStore({ filename: target });
  }
  for (let n = 1; ; n++) {
    const latest = (await store.listVersions('Crash'))[0]?.version ?? null;
    const input = loopInput(n, latest);
    await store.appendVersion(input);
    const next = input.version;
    process.stdout.write(`${next}\n`);
  }
}

if (/append-loop\.m?[jt]s$/.test(process.argv[1] ?? ''))
  await run(process.argv[2]!, process.argv[3]);
