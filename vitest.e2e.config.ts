// The browser tests (`npm run test:e2e`, also the last part of `npm test`): the built app in
// Debian's headless chromium, driven by playwright-core. See test/e2e/README.md.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    // One browser at a time: training in the page is CPU-bound and CI has 2 cores.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // A failing browser test leaves a screenshot under .cache/e2e/failures/ (see helpers).
    reporters: ['default'],
  },
});
