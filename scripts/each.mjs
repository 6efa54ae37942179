#!/usr/bin/env node
// `npm run typecheck` (and any other per-package verb): run one script in every workspace package
// that has it, one after the other, with npm, so it works on a machine without a global pnpm. The
// workspace folders are the ones pnpm-workspace.yaml lists. Stops at the first failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/each.mjs <script> [args…]');
  process.exit(2);
}

const block = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8').match(/^packages:\n((?:[ \t]+-.*\n)+)/m)?.[1] ?? '';
const globs = [...block.matchAll(/-\s+['"]?([^'"\s]+)/g)].map((m) => m[1]);
const dirs = globs.flatMap((g) =>
  g.endsWith('/*')
    ? readdirSync(join(root, g.slice(0, -2)), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(root, g.slice(0, -2), e.name))
    : [join(root, g)],
);

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
for (const dir of dirs) {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) continue;
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  if (!pkg.scripts?.[script]) continue;
  process.stderr.write(`\x1b[2m›\x1b[0m ${relative(root, dir)}: ${pkg.scripts[script]}\n`);
  const r = spawnSync(npm, ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], {
    cwd: dir,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) {
    console.error(`${script} failed in ${relative(root, dir)}.`);
    process.exit(r.status ?? 1);
  }
}
