/**
 * The system under test: the whole playground as a child process (`xaa start --json`), exactly as a
 * user runs it, on a free block of loopback ports and a temporary data directory. A separate process
 * keeps the harness's own work off the servers' event loop, lets a crash of the servers show as what
 * it is, and makes `kill -9` real.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NamedThread, type StackContext, startStack as startParts } from '@xaa/testkit';
import type { playgroundManifest } from '@xaa/topology';

export type Manifest = ReturnType<typeof playgroundManifest>;

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackOptions {
  /** Reuse this data directory (crash harness: restart on the same files). */
  dataDir?: string;
  basePort?: number;
  readyTimeoutMs?: number;
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** Extra Node options for the child (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Run the bundled CLI (apps/cli/dist/xaa.mjs, built by scripts/build.mjs) as `npm start` does. */
  bundle?: boolean;
  /**
   * Run `npm start` itself (npm → scripts/bootstrap.mjs → the bundle): the process tree is exactly the
   * one a user gets, so its memory figures are the README's. Not with `nodeArgs`.
   */
  npmStart?: boolean;
}

/** The ready line's part threads (`xaa start --json`), plus the main thread (its id is the pid). */
function threadsOf(pid: number, listed: unknown): NamedThread[] {
  const threads: NamedThread[] = [{ name: 'main (console, sample client)', tid: pid }];
  for (const t of Array.isArray(listed) ? (listed as Array<{ part?: unknown; servers?: unknown; tid?: unknown }>) : []) {
    if (typeof t.tid !== 'number' || typeof t.part !== 'string') continue;
    threads.push({ name: Array.isArray(t.servers) ? `${t.part}: ${t.servers.join(', ')}` : t.part, tid: t.tid });
  }
  return threads;
}

export interface Stack {
  dataDir: string;
  basePort: number;
  manifest: Manifest;
  /** The server process id (from the ready line). */
  pid: number;
  /** Its main thread and the threads that run parts, by name (`idp`, `servers: tasks, crm`), with their OS thread ids (Linux). */
  threads: NamedThread[];
  /** The root of the process tree to measure: `npm` under `npmStart`, else the server process. */
  rootPid: number;
  readyMs: number;
  child: ChildProcess;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Lines the child wrote to stderr (kept for reports; capped). */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** `kill -9`: no shutdown code runs. */
  kill9(): Promise<void>;
  /** Stop and delete the data directory (unless it was given). */
  close(): Promise<void>;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const t = setTimeout(() => done(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      done(true);
    });
  });
}

async function spawnPlayground({ dataDir, basePort }: StackContext, options: StackOptions): Promise<Stack> {
  const startArgs = ['--data-dir', dataDir, '--port', String(basePort), '--json'];
  if (options.npmStart && options.nodeArgs?.length) throw new Error('npmStart runs npm itself: no extra Node options');
  const [command, args] = options.npmStart
    ? [process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start', '--silent', '--', ...startArgs]]
    : [
        process.execPath,
        [...(options.nodeArgs ?? []), ...(options.bundle ? ['apps/cli/dist/xaa.mjs'] : ['--import', 'tsx', 'apps/cli/src/main.ts']), 'start', ...startArgs],
      ];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    // --bundle: the environment scripts/start.mjs gives the bundle too.
    env: { ...(options.bundle ? { MALLOC_ARENA_MAX: '2' } : {}), ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'test', FORCE_COLOR: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err = (err + c).slice(-20_000);
  });
  const ready = await new Promise<{ readyMs: number; pid: number; threads: unknown }>((resolveReady, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`playground not ready within ${options.readyTimeoutMs ?? 90_000} ms\n${err.slice(-2000)}`)),
      options.readyTimeoutMs ?? 90_000,
    );
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const msg = JSON.parse(line) as { ready?: boolean; readyMs?: number; pid?: number; threads?: unknown };
          if (msg.ready) {
            clearTimeout(timer);
            resolveReady({ readyMs: msg.readyMs ?? 0, pid: msg.pid ?? child.pid ?? 0, threads: msg.threads });
          }
        } catch {
          // a progress line, not the ready line
        }
      }
      out = out.slice(out.lastIndexOf('\n') + 1);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`playground exited (${code ?? signal}) before it was ready\n${err.slice(-2000)}`), { stderr: err }));
    });
  });
  child.stdout?.resume();
  const manifest = JSON.parse(readFileSync(join(dataDir, 'playground.json'), 'utf8')) as Manifest;
  const alive = () => child.exitCode === null && child.signalCode === null;
  // Under npm, signals go to the playground itself (npm's shell does not pass them on); npm and the
  // bootstrap then exit with it.
  const signal = (sig: NodeJS.Signals) => {
    if (!options.npmStart) return void child.kill(sig);
    try {
      process.kill(ready.pid, sig);
    } catch {
      child.kill(sig);
    }
  };
  const stop = async (graceMs = 10_000) => {
    if (!alive()) return;
    signal('SIGTERM');
    if (!(await waitExit(child, graceMs))) {
      signal('SIGKILL');
      child.kill('SIGKILL');
      await waitExit(child, 5_000);
    }
  };
  return {
    dataDir,
    basePort,
    manifest,
    pid: ready.pid,
    threads: threadsOf(ready.pid, ready.threads),
    rootPid: options.npmStart ? (child.pid ?? ready.pid) : ready.pid,
    readyMs: ready.readyMs,
    child,
    alive,
    stderr: () => err,
    stop,
    kill9: async () => {
      if (!alive()) return;
      signal('SIGKILL');
      await waitExit(child, 5_000);
    },
    // The data directory is the kit's to remove (unless it was given).
    close: () => stop(),
  };
}

/**
 * Starts the playground on a free port block (the test kit's `startStack`, which also retries when
 * another program took a port meanwhile).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const stack = await startParts({
    tmpPrefix: 'xaa-harness-',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.basePort ? { basePort: options.basePort } : {}),
    parts: { playground: (ctx) => spawnPlayground(ctx, options) },
  });
  return { ...stack.playground, close: () => stack.close() };
}
