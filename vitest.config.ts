import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.{ts,tsx}',
      'e2e/unit/**/*.test.ts',
      'harness/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', 'e2e/specs/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
