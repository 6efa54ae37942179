import { defineConfig } from 'vitest/config';

/** Runs the harnesses' short (CI) mode on its own: `pnpm --filter @xaa/harness test`. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
