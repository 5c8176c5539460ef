import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'e2e/**/*.test.ts'],
    globalSetup: ['packages/cni/test/natsetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: the process-spawning suites compete for CPU, so keep parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
