/**
 * Run the client under test once: a shell command in its own process group, bounded in time (the
 * whole group is killed at the deadline), with the tail of its output kept for the report — JWTs
 * masked, so a client that prints its tokens does not leak them into a CI artifact.
 */
import { spawn } from 'node:child_process';

export interface RunResult {
  exitCode: number | null;
  signal?: string | null;
  timedOut: boolean;
  durationMs: number;
  /** Last lines of output (JWTs masked). */
  output?: string;
}

export type ClientRunner = (label: string) => Promise<RunResult>;

const TAIL = 4000;

export function maskTokens(s: string): string {
  return s.replace(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[JWT masked]');
}

export function shellRunner(command: string, options: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {}): ClientRunner {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return (label) =>
    new Promise<RunResult>((resolve) => {
      const t0 = performance.now();
      const child = spawn(command, {
        shell: true,
        detached: true,
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), NO_COLOR: '1', XAA_SCORECARD_RUN: label },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let tail = '';
      const keep = (b: Buffer) => {
        tail = (tail + b.toString('utf8')).slice(-TAIL * 2);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      let timedOut = false;
      const kill = (sig: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, sig);
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill('SIGTERM');
        setTimeout(() => kill('SIGKILL'), 2000).unref();
      }, timeoutMs);
      const done = (exitCode: number | null, signal: string | null) => {
        clearTimeout(timer);
        resolve({ exitCode, signal, timedOut, durationMs: Math.round(performance.now() - t0), output: maskTokens(tail).slice(-TAIL) });
      };
      child.once('error', (e) => {
        tail += `\n${e.message}`;
        done(null, null);
      });
      child.once('close', (code, signal) => done(code, signal));
    });
}
