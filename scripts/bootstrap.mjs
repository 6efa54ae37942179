#!/usr/bin/env node
// The two README commands land here: `npm start` and `npm test`. On a fresh machine with only Node
// and npm this installs what is missing (pnpm, the workspace's dependencies, a system Chromium for the
// browser tests), then hands over to the real command. Plain Node, no dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command = 'start', ...rest] = process.argv.slice(2);
const PNPM_VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

function say(line) {
  process.stderr.write(`\x1b[2m›\x1b[0m ${line}\n`);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`XAA Playground needs Node.js 20.19 or newer; this is ${process.version}.`);
    process.exit(1);
  }
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && /^10\./.test(probe.stdout.trim())) return ['pnpm', []];
  say(`pnpm ${PNPM_VERSION} not found; using it through npx`);
  return ['npx', ['--yes', `pnpm@${PNPM_VERSION}`]];
}

function installed() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, 'pnpm-lock.yaml')).mtimeMs;
}

checkNode();
const [pnpm, pnpmArgs] = pnpmCommand();
if (!installed()) {
  say('installing dependencies (first run: about two minutes, better-sqlite3 compiles from source)');
  const status = run(pnpm, [...pnpmArgs, 'install', '--frozen-lockfile']);
  if (status !== 0) {
    console.error('Installing dependencies failed; see the output above.');
    process.exit(status);
  }
}

const script = { start: 'scripts/start.mjs', test: 'scripts/test.mjs' }[command];
if (!script) {
  console.error(`Unknown command ${command}; use start or test.`);
  process.exit(2);
}
if (command === 'start') {
  // In this process, not a child: one Node process fewer (~45 MB resident) for as long as the
  // playground runs. start.mjs reads its arguments from process.argv and forwards stop signals.
  process.chdir(root);
  process.argv = [process.argv[0], join(root, script), ...rest];
  await import(pathToFileURL(join(root, script)).href);
} else {
  runChild();
}

function runChild() {
  const child = spawn(process.execPath, [join(root, script), ...rest], { cwd: root, stdio: 'inherit' });
  // Pass stop signals on and wait for the children to finish (a Ctrl-C from a terminal may arrive
  // twice; the playground ignores the repeat).
  process.on('SIGINT', () => child.kill('SIGINT'));
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
