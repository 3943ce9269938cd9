import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Loading Microsoft's Kusto language service takes about a second per worker.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest's default on 2 cores is one worker; many of our tests wait (a browser, a child
    // process, an emulated server), so two keep both cores busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Test files share their worker's modules: the Kusto global state, the catalog and the query
    // analyses are made once per worker instead of once per file (the suite's wall time halves).
    // So no test may change shared state (process.env, module mocks): pass seams instead.
    isolate: false,
  },
});
