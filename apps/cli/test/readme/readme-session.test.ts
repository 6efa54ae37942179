/**
 * The README's CLI session, as written, on a machine with Node and npm and no pnpm: a fresh
 * `git clone` of this repository (what is committed), a PATH without pnpm, `npm start` (which
 * installs the dependencies through the pnpm that bootstrap borrows with npx, builds and starts
 * the playground), then every line of the README's agent session run by `sh` in the clone.
 *
 * The clone installs from the local pnpm store (`--frozen-lockfile`, as bootstrap runs it), so it
 * takes seconds, not the minutes of a first download; nothing of this checkout's node_modules is
 * reused. Each README command goes through `npx xaa`, the root package's bin.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freeBasePort } from '@xaa/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The shell lines of the first ```sh block after `marker` (comments and blank lines dropped). */
function shellBlockAfter(marker: string): string[] {
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}"`);
  const block = readme.slice(at).match(/```sh\n([\s\S]*?)```/)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** The README's own words say these end in a denial (exit code 3); every other line exits 0. */
const EXPECTED_EXIT: Record<string, number> = {
  'npx xaa connect --headless': 3, // "CRM is not approved for Acme Agent: the IdP says access_denied"
};

const work = mkdtempSync(join(tmpdir(), 'xaa-readme-'));
const clone = join(work, 'clone');
const bin = join(work, 'bin');
let playground: ChildProcess | undefined;

/** A PATH with every program of the current one except pnpm (a machine that never installed it). */
function pathWithoutPnpm(): string {
  mkdirSync(bin);
  // The first of a name on PATH wins, as for the shell (existsSync would follow a dangling link).
  const linked = new Set<string>();
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || !existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (/^pnp[mx](\.cmd|\.ps1)?$/.test(name) || linked.has(name)) continue;
      linked.add(name);
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  return bin;
}

/** The environment of a fresh shell: no npm/pnpm lifecycle variables, no playground settings. */
function freshEnv(path: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|XAA_|INIT_CWD$|VITEST|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, PATH: path, NO_COLOR: '1', CI: '1' };
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`npm start: no ${pattern} within ${timeoutMs} ms. Output:\n${buf.slice(-4000)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      buf += d;
      if (pattern.test(buf)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before it was ready. Output:\n${buf.slice(-4000)}`));
    });
  });
}

let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const cloned = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone], { encoding: 'utf8' });
  if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr}`);
  env = freshEnv(pathWithoutPnpm());
  expect(spawnSync('sh', ['-c', 'command -v pnpm'], { env }).status).not.toBe(0);
  const base = await freeBasePort();
  // detached: its own process group, so the stop below reaches npm, bootstrap and the playground.
  playground = spawn('npm', ['start', '--', '--port', String(base)], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // Installing, building the console and bundling share the machine with every other test file.
  await waitForOutput(playground, /XAA Playground is ready/, 420_000);
}, 450_000);

afterAll(async () => {
  const child = playground;
  const running = () => child?.exitCode === null && child.signalCode === null;
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child?.pid) process.kill(-child.pid, sig);
    } catch {
      // the group has gone already
    }
  };
  if (child && running()) {
    const closed = new Promise((r) => child.on('close', r));
    signal('SIGINT');
    await Promise.race([closed, new Promise((r) => setTimeout(r, 15_000))]);
    if (running()) signal('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
}, 30_000);

describe('the README on a machine with Node and npm only', () => {
  it('the fresh clone installed its own dependencies (none borrowed from this checkout)', () => {
    expect(existsSync(join(clone, 'node_modules', '.modules.yaml'))).toBe(true);
    expect(existsSync(join(clone, '.data', 'playground.json'))).toBe(true);
  });

  it('runs the agent session, the scenarios, the playground scorecard and add-client as written, line by line', () => {
    const session = shellBlockAfter('A session with the sample agent');
    const scenarios = shellBlockAfter('Run them from the console');
    // The scorecard block's other lines name your own AS or client; this one is the playground's.
    const scorecard = shellBlockAfter('## Test your own AS or client').filter((l) => l.startsWith('npx xaa test-as --server '));
    expect(session.length).toBeGreaterThan(5);
    expect(scenarios.length).toBe(2);
    expect(scorecard.length).toBe(1);
    const addClient = shellBlockAfter('Register it at the IdP in one step');
    expect(addClient).toHaveLength(1);
    for (const line of [...session, ...scenarios, ...scorecard, ...addClient, 'npx xaa --help']) {
      const r = spawnSync('sh', ['-c', line], { cwd: clone, env, encoding: 'utf8', timeout: 120_000 });
      const shown = `$ ${line}\n${r.stdout}${r.stderr}`;
      expect(r.status, shown).toBe(EXPECTED_EXIT[line] ?? 0);
      if (line.includes('echo "exit $?"')) expect(r.stdout, shown).toMatch(/exit 3/);
      if (line.startsWith('npx xaa call tasks')) expect(r.stdout, shown).toMatch(/Review the Q3 roadmap/);
      if (line === 'npx xaa --help') expect(r.stdout, shown).toMatch(/npx xaa <command>/);
    }
  }, 400_000);
});
