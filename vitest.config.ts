import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end and real-tool tests start servers and child processes; two cores.
    maxWorkers: 2,
    // Test files share their worker's loaded modules instead of each importing the sources anew
    // (a fresh import per file was a quarter of the suite's CPU). So a test file leaves the
    // process as it found it: no timer armed, no listener, environment variable or working folder
    // changed past its own afterAll (test/cli/run-cli.ts restores what an in-process run changes).
    isolate: false,
    reporters: ['default', './test/summary-reporter.ts'],
    // One store seeded from data/ per run; test files copy it (test/helpers/seeded-store.ts).
    globalSetup: ['./test/helpers/global-setup.ts'],
  },
});
