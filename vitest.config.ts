import { defineConfig } from 'vitest/config';

// Unit tests import workspace packages from their TypeScript sources (the
// "source" export condition), so they never run against a stale build.
// End-to-end tests spawn the built CLIs, so `npm test` builds first.
const sourceFirst = { conditions: ['source', 'module', 'node', 'import', 'default'] };

export default defineConfig({
  resolve: sourceFirst,
  ssr: { resolve: { conditions: sourceFirst.conditions, externalConditions: ['source'] } },
  test: {
    // Quiet the services' JSON logs in test output unless asked for.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Benches' own pure parts (analysis, scenario tables) are unit-tested too.
          include: ['{protocol,gateway,edge-agent,client-sdk}/src/**/*.test.ts', 'test/bench/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: ['test/bench/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
