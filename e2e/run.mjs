#!/usr/bin/env node
// The e2e entry point used by the root `npm test` (scripts/test.mjs): builds the console SPA fresh
// (so the journeys test the current source; old assets are kept for a console that may be serving them), then runs Playwright with a readable list reporter on
// stdout and the JSON reporter into $PLAYWRIGHT_JSON_OUTPUT_NAME.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
mkdirSync(join(here, 'screenshots'), { recursive: true });

const build = spawnSync(
  process.execPath,
  [join(root, 'apps', 'console', 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn', '--emptyOutDir', 'false'],
  {
    cwd: join(root, 'apps', 'console'),
    stdio: 'inherit',
  },
);
if (build.status !== 0) {
  console.error('e2e: the console SPA did not build.');
  process.exit(build.status ?? 1);
}

const require = createRequire(join(here, 'package.json'));
const cli = join(dirname(require.resolve('@playwright/test/package.json')), 'cli.js');
// Outside the checkout (linters and watchers never see it), one folder per run.
const outputDir = join(tmpdir(), 'xaa-e2e-results', `run-${Date.now()}-${process.pid}`);
console.log(`e2e: traces and failure screenshots go to ${outputDir}`);
const r = spawnSync(process.execPath, [cli, 'test', ...process.argv.slice(2)], {
  cwd: here,
  stdio: 'inherit',
  env: { ...process.env, XAA_E2E_OUTPUT_DIR: outputDir },
});
process.exit(r.status ?? 1);
