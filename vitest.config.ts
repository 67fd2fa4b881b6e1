import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file that needs storage starts its own Azurite (test/support/azurite.ts).
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
