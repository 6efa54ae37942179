import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from './output.ts';

/** Resolve and check the data directory up front, so a bad one is a sentence, not a stack trace. */
export function ensureDataDir(dir: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
    accessSync(abs, constants.W_OK | constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`The data directory ${abs} is not writable (${code ?? 'error'}). Choose another with --data-dir or XAA_DATA_DIR.`);
  }
  return abs;
}
