import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end and real-tool tests start servers and child processes; two cores.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    // One store seeded from data/ per run; test files copy it (test/helpers/seeded-store.ts).
    globalSetup: ['./test/helpers/global-setup.ts'],
  },
});
