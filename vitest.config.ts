import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/node/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    // The `burrow` command the tests spawn is the compiled bundle: build it first.
    globalSetup: ['test/support/build-cli.ts'],
    // Generous: CI runs two files at once on a loaded machine; only a failing test waits this long.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // No test may be skipped in CI.
    allowOnly: false,
  },
});
