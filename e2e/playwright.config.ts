import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, devices } from '@playwright/test';

/**
 * Browser journeys against the whole playground, started in-process on loopback with a temp data
 * dir (fixtures/stack.ts). Real Chromium from the system (/usr/bin/chromium) when present.
 */
const systemChromium = '/usr/bin/chromium';

export default defineConfig({
  testDir: './specs',
  // run.mjs gives each run its own output dir, so two runs in one checkout cannot delete each other's traces.
  outputDir: process.env.XAA_E2E_OUTPUT_DIR ?? join(tmpdir(), 'xaa-e2e-results', 'latest'),
  fullyParallel: false,
  // One browser at a time: each spec file starts its own stack; two cores cannot run two stacks and two browsers well.
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json']],
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      ...(existsSync(systemChromium) ? { executablePath: systemChromium } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
