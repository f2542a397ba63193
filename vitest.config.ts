import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ from the current sources before any test spawns bin/mmreview.js.
    globalSetup: ['test/helpers/build-dist.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The V8 code cache of `check` (bin/code-cache.js) goes to a temporary directory, not the user's cache.
    env: { LOG_LEVEL: 'fatal', MMREVIEW_CACHE_DIR: join(tmpdir(), 'mmreview-test-code-cache') },
  },
});
