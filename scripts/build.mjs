#!/usr/bin/env node
// Builds what `npm start` runs, when its sources changed: the console SPA (Vite) and the `xaa` CLI
// as one ESM bundle (esbuild) — loading one prebuilt file instead of compiling hundreds of TypeScript
// modules at every start is most of the difference between a 3 s and a 9 s start on a small machine.
// Tests and `pnpm xaa` run the sources directly (tsx); this is only the fast path for `npm start`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const consoleDir = join(root, 'apps', 'console');
export const BUNDLE = join(root, 'apps', 'cli', 'dist', 'xaa.mjs');

function newest(dir, skip = new Set(['node_modules', 'dist', 'test'])) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p, skip) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = (output, since) => !existsSync(output) || statSync(output).mtimeMs < since;
const say = (line) => process.stderr.write(`\x1b[2m›\x1b[0m ${line}\n`);

export function buildConsole() {
  const sources = Math.max(newest(join(consoleDir, 'src')), statSync(join(consoleDir, 'index.html')).mtimeMs);
  if (!stale(join(consoleDir, 'dist', 'index.html'), sources)) return true;
  say('building the console (Vite)');
  const r = spawnSync(process.execPath, [join(consoleDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: consoleDir,
    stdio: 'inherit',
  });
  return r.status === 0;
}

export async function buildCli() {
  const sources = Math.max(
    ...['apps', 'packages'].flatMap((d) => readdirSync(join(root, d)).map((p) => newest(join(root, d, p)))),
    statSync(join(root, 'pnpm-lock.yaml')).mtimeMs,
    // How it is bundled counts as much as what.
    statSync(fileURLToPath(import.meta.url)).mtimeMs,
  );
  if (!stale(BUNDLE, sources)) return true;
  say('bundling the playground (esbuild)');
  const { build, stop } = await import('esbuild');
  try {
    // Old chunks would pile up (their names carry a content hash).
    rmSync(dirname(BUNDLE), { recursive: true, force: true });
    await build({
      entryPoints: { xaa: join(root, 'apps', 'cli', 'src', 'main.ts') },
      outdir: dirname(BUNDLE),
      // Each part's app (loaded with import() by parts.ts) in chunks of its own: a worker thread
      // compiles and keeps only the code it runs, not the whole playground's.
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20.19',
      // Native code and the console's build tool stay packages; everything else is in the bundle.
      // The SAML schema validator (xmllint-wasm) starts a worker thread from its own files.
      external: ['better-sqlite3', 'vite', '@vitejs/plugin-react', 'esbuild', 'xmllint-wasm'],
      banner: { js: "import { createRequire as __xaaCreateRequire } from 'node:module'; const require = __xaaCreateRequire(import.meta.url);" },
      logLevel: 'warning',
      legalComments: 'none',
      write: false,
    }).then((result) => {
      for (const file of result.outputFiles) {
        mkdirSync(dirname(file.path), { recursive: true });
        // esbuild escapes every non-ASCII character in code but keeps comments as written; one "§" or
        // "—" left in a comment makes V8 hold the whole file as two-byte text (twice its size, in
        // every thread). In a comment, an escape is as good as the character.
        writeFileSync(
          file.path,
          file.text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
        );
      }
    });
    return true;
  } catch {
    return false;
  } finally {
    // esbuild's service process (~450 MB resident after a bundle) would otherwise live as long as
    // start.mjs, that is as long as the playground runs.
    await stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ok = buildConsole() && (await buildCli());
  process.exit(ok ? 0 : 1);
}
