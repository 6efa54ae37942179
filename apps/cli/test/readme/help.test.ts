/**
 * The README's table of `xaa` commands and `xaa --help` name the same commands, and the help says how
 * to run it from the checkout (`npx xaa`, the root package's bin).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..', '..');

function readmeCommands(): Set<string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The `xaa` CLI'), readme.indexOf('A session with the sample agent'));
  const firstCells = [...section.matchAll(/^\| (`.+?) +\| /gm)].map((m) => m[1] as string);
  return new Set(firstCells.flatMap((cell) => [...cell.matchAll(/`([a-z][a-z-]*)/g)].map((m) => m[1] as string)));
}

function helpCommands(help: string): Set<string> {
  const out = new Set<string>();
  for (const m of help.matchAll(/^ {2}xaa ([a-z][a-z-]*(?: \| [a-z-]+)*)/gm)) for (const c of (m[1] as string).split(' | ')) out.add(c);
  return out;
}

describe('README and xaa --help', () => {
  it('list the same commands', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'xaa.mjs'), '--help'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('npx xaa <command>');
    expect(readmeCommands().size).toBe(16);
    expect([...helpCommands(r.stdout)].sort()).toEqual([...readmeCommands()].sort());
  });
});
