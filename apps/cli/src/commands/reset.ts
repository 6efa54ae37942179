import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDir } from '../data-dir.ts';
import { CliError, EXIT, Progress } from '../output.ts';

const DATABASES = ['idp.db', 'resource.db', 'client.db', 'console.db'];

export function runningPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'playground.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * `xaa reset`: back to the seed. Removes every app's database (users, policies, sessions, keys, audit,
 * tool data); keeps `secrets.json`, so `playground.json` and configured external tools stay valid.
 */
export function resetCommand(options: { dataDir: string; json: boolean }): number {
  const dataDir = ensureDataDir(options.dataDir);
  const pid = runningPid(dataDir);
  if (pid !== undefined) throw new CliError(`The playground is running (pid ${pid}) on ${dataDir}. Stop it with Ctrl-C, then reset.`, EXIT.error);
  const progress = new Progress(options.json);
  const removed: string[] = [];
  for (const db of DATABASES) {
    for (const suffix of ['', '-wal', '-shm']) {
      const file = join(dataDir, db + suffix);
      if (existsSync(file)) {
        rmSync(file);
        if (suffix === '') removed.push(db);
      }
    }
  }
  progress.step('Reset to the seed', removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove');
  if (options.json) process.stdout.write(`${JSON.stringify({ reset: true, removed })}\n`);
  else process.stdout.write('The next `npm start` seeds the demo afresh.\n');
  return EXIT.ok;
}
