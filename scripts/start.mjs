#!/usr/bin/env node
// `npm start`: build what changed (the console, the bundled CLI), then run the playground (the xaa
// CLI's `start`) and wait for its clean stop. Arguments after `--` go to `xaa start`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BUNDLE, buildCli, buildConsole } from './build.mjs';

if (!buildConsole()) {
  console.error('Building the console failed; see the output above.');
  process.exit(1);
}
// The bundle is the fast path; if it cannot be built, the sources still run (slower start).
const bundled = await buildCli();
const [cmd, args] = bundled
  ? [process.execPath, [BUNDLE]]
  : [join(BUNDLE, '..', '..', '..', '..', 'node_modules', '.bin', 'tsx'), [join(BUNDLE, '..', '..', 'src', 'main.ts')]];
// Two glibc malloc arenas instead of up to eight per core: the playground's threads otherwise each
// keep memory in their own arena (about 50 MB resident in all, measured); the environment can override.
const child = spawn(cmd, [...args, 'start', ...process.argv.slice(2)], { stdio: 'inherit', env: { MALLOC_ARENA_MAX: '2', ...process.env } });
// Pass stop signals on and wait for the clean stop (a Ctrl-C from a terminal may arrive twice; the
// playground ignores the repeat).
process.on('SIGINT', () => child.kill('SIGINT'));
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
