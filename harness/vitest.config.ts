import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['harness/test/**/*.test.ts', 'seeds/**/*.test.ts'],
    globalSetup: ['harness/test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2 cores: two files at a time, each on its own scratch databases.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
