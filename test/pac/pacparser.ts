/**
 * Run PAC files in the real PAC engine pacparser (Debian python3-pacparser, SpiderMonkey inside)
 * through pacparser-driver.py: one Python process evaluates many hosts per PAC and answers JSON.
 * Used by the PAC tests and by bench/pac/run.ts.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON } from '../helpers/system.js';

export const PACPARSER_DRIVER = join(
  dirname(fileURLToPath(import.meta.url)),
  'pacparser-driver.py',
);

export interface PacJob {
  readonly name: string;
  readonly pac: string;
  readonly hosts: readonly string[];
}

function run(request: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PACPARSER_DRIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(
          new Error(
            `pacparser driver exited with ${code}: ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`,
          ),
        );
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}

/** The answer of FindProxyForURL for every host of every job (or "ERROR: ..."). */
export async function evaluatePacs(jobs: readonly PacJob[]): Promise<Map<string, string[]>> {
  const response = (await run({ mode: 'eval', jobs })) as { results: Record<string, string[]> };
  return new Map(Object.entries(response.results));
}

/** Hosts per second of each job (best of `rounds`, jobs interleaved within each round). */
export async function benchPacs(
  jobs: readonly PacJob[],
  rounds: number,
): Promise<Map<string, { hostsPerSecond: number; samples: number[] }>> {
  const response = (await run({ mode: 'bench', rounds, jobs })) as {
    results: Record<string, { hostsPerSecond: number; samples: number[] }>;
  };
  return new Map(Object.entries(response.results));
}
