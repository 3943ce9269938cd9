import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Loading Microsoft's Kusto language service takes about a second per worker.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
