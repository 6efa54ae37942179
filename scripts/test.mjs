#!/usr/bin/env node
// `npm test`: every suite, one summary. Runs the vitest projects, then the browser end-to-end suite
// (when a Chromium is available), and ends with a plain `N passed, N failed` line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const out = join(root, '.test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSuites = 0;

function add(label, file, status) {
  if (!existsSync(file)) {
    console.error(`\n${label}: no results (exit ${status}); counted as one failure.`);
    totals.failed += 1;
    failedSuites += 1;
    return;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  // vitest's json reporter and Playwright's json reporter both summarise differently.
  if ('numPassedTests' in r) {
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    if (r.numFailedTests === 0 && status !== 0) {
      console.error(`\n${label}: exit ${status} with no failed test (suite error); counted as one failure.`);
      totals.failed += 1;
    }
  } else if (r.stats) {
    totals.passed += r.stats.expected + (r.stats.flaky ?? 0);
    totals.failed += r.stats.unexpected;
    totals.skipped += r.stats.skipped;
    if (r.stats.unexpected === 0 && status !== 0) totals.failed += 1;
  }
  if (status !== 0) failedSuites += 1;
}

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

if (want('unit')) {
  const file = join(out, 'vitest.json');
  const r = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`], { cwd: root, stdio: 'inherit' });
  add('vitest', file, r.status ?? 1);
}

/**
 * The browser suite runs in the system Chromium (browsers cannot be downloaded here). On a fresh
 * Debian machine where we are root, install it the way the README says; elsewhere say what is missing.
 */
function ensureChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  if (candidates.some((p) => existsSync(p))) return true;
  const isRoot = process.getuid?.() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
  if (isRoot && apt.status === 0) {
    console.error('› installing Chromium for the browser tests (apt-get install chromium)');
    const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'], { stdio: 'inherit' });
    if (r.status === 0 && existsSync('/usr/bin/chromium')) return true;
  }
  return false;
}

if (want('e2e') && existsSync(join(root, 'e2e', 'playwright.config.ts')) && !ensureChromium()) {
  console.error('\ne2e: no Chromium found (install the "chromium" package, or set CHROMIUM_PATH); counted as one failure.');
  totals.failed += 1;
  failedSuites += 1;
} else if (want('e2e') && existsSync(join(root, 'e2e', 'playwright.config.ts'))) {
  const file = join(out, 'playwright.json');
  const r = spawnSync(process.execPath, [join(root, 'e2e', 'run.mjs')], {
    cwd: join(root, 'e2e'),
    stdio: 'inherit',
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: file },
  });
  add('e2e', file, r.status ?? 1);
}

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || failedSuites > 0 ? 1 : 0);
