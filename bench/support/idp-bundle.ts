/**
 * bench/support/idp-process.ts as one plain ES module (esbuild, with the target, module format and
 * `require` banner scripts/build.mjs gives the `npm start` bundle), so the IdP runs under plain Node as
 * it does for a user, not under the TypeScript loader the bench itself runs on: a peer server run as
 * its compiled JavaScript is then measured against the same kind of process. Native and
 * worker-spawning packages stay outside the bundle, imported from where the IdP's package resolves them.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

/** Packages that cannot be inlined: a native addon, and a validator that starts a worker from its own files. */
const OUTSIDE = ['better-sqlite3', 'xmllint-wasm'];

/** Writes the bundle into `outDir` and returns its path. */
export async function bundleIdpProcess(outDir: string): Promise<string> {
  const idpRequire = createRequire(createRequire(import.meta.url).resolve('@xaa/idp'));
  const outside: Plugin = {
    name: 'outside',
    setup(build) {
      const filter = new RegExp(`^(${OUTSIDE.join('|')})$`);
      build.onResolve({ filter }, (args) => ({ path: idpRequire.resolve(args.path), external: true }));
    },
  };
  const outfile = join(outDir, 'idp-process.mjs');
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(import.meta.dirname, 'idp-process.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    plugins: [outside],
    // CommonJS dependencies inside an ES module bundle call `require`.
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
    logLevel: 'warning',
    legalComments: 'none',
  });
  return outfile;
}
