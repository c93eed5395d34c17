import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/integration/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites share one Azurite; files still run in parallel, each with its own tables.
    pool: 'forks',
    reporters: ['default'],
  },
});
