#!/usr/bin/env node
// `npx xaa <command>` from the repository root: the root package's `bin`, so a machine with only Node
// and npm runs the CLI without a global pnpm (npx runs the bin of the package.json nearest to the
// current folder; inside a workspace package that is another package.json). It loads the CLI's
// TypeScript sources through tsx (installed by `npm start` / `npm test`) in this same process. Plain
// Node, no dependencies of its own.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'node_modules', 'tsx', 'package.json'))) {
  process.stderr.write(
    `error: the playground's dependencies are not installed in ${root}.\nRun \`npm start\` (or \`npm test\`) there once: it installs them.\n`,
  );
  process.exit(1);
}
// The default data directory is the checkout's own `.data` (as for `npm start`), from whichever folder
// npx was started; --data-dir and XAA_DATA_DIR still win.
process.env.XAA_DATA_DIR ??= join(root, '.data');
const { register } = await import('tsx/esm/api');
register();
await import(pathToFileURL(join(root, 'apps', 'cli', 'src', 'main.ts')).href);
