/**
 * `xaa start` as a user runs it: a child process, a JSON "ready" line, a manifest, a clean stop on
 * SIGINT, and sentences (not stack traces) for the usual mistakes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeBasePort as freeBase } from '@xaa/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const main = join(root, 'apps', 'cli', 'src', 'main.ts');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'xaa-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(args: string[], timeoutMs = 60_000): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(tsx, [main, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, done };
}

async function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got: ${buf}`)), timeoutMs);
    child.stdout?.on('data', (d) => {
      buf += d;
      const line = buf.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.on('close', () => reject(new Error(`exited before ${pattern}; got: ${buf}`)));
  });
}

describe('xaa start', () => {
  it('starts every part, writes playground.json, and stops cleanly on SIGINT', async () => {
    const dataDir = tmp();
    const base = await freeBase();
    const { child, done } = run(['start', '--data-dir', dataDir, '--port', String(base), '--json']);
    const ready = JSON.parse(await waitForLine(child, /"ready":true/));
    expect(ready.console).toBe(`http://localhost:${base + 300}`);
    // The part threads, with the OS thread ids a tool reads their CPU time under (/proc/<pid>/task/<tid>).
    const threads = ready.threads as Array<{ part: string; servers?: string[]; tid?: number }>;
    expect(threads.map((t) => t.part)).toEqual(['idp', 'servers']);
    expect(threads[1]?.servers).toEqual(['tasks', 'docs', 'crm', 'wiki']);
    if (process.platform === 'linux') {
      const tids = threads.map((t) => t.tid);
      expect(new Set([ready.pid, ...tids]).size).toBe(3);
      for (const tid of tids) expect(existsSync(`/proc/${ready.pid}/task/${tid}`)).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(dataDir, 'playground.json'), 'utf8'));
    expect(manifest.idp.issuer).toBe(`http://localhost:${base}`);
    expect(manifest.servers.map((s: { name: string }) => s.name)).toEqual(['tasks', 'docs', 'crm', 'wiki']);
    expect(manifest.users.find((u: { username: string }) => u.username === 'carol')).toMatchObject({ password: 'demo' });
    const discovery = await fetch(`http://localhost:${base}/.well-known/openid-configuration`).then((r) => r.json() as Promise<{ issuer: string }>);
    expect(discovery.issuer).toBe(`http://localhost:${base}`);
    expect(existsSync(join(dataDir, 'playground.pid'))).toBe(true);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
    expect(existsSync(join(dataDir, 'playground.pid'))).toBe(false);
    // Its data directory now names these URLs: on another port it is refused with what to do instead.
    const elsewhere = await run(['start', '--data-dir', dataDir, '--port', base === 44000 ? '45000' : '44000']).done;
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(`was set up for a playground at http://localhost:${base}`);
    expect(elsewhere.stderr).toContain(`(--port ${base})`);
    expect(elsewhere.stderr).toMatch(/npx xaa reset --data-dir /);
    // On the same port it starts again.
    const again = run(['start', '--data-dir', dataDir, '--port', String(base), '--json']);
    await waitForLine(again.child, /"ready":true/);
    again.child.kill('SIGINT');
    expect((await again.done).code).toBe(0);
  }, 120_000);

  it('refuses a data directory set up for another host, and starts it once it is reset', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'idp.db'), '');
    writeFileSync(join(dir, 'playground.json'), JSON.stringify({ idp: { issuer: 'http://xaa.test:44000' } }));
    const r = await run(['start', '--data-dir', dir, '--port', '44000']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('was set up for a playground at http://xaa.test:44000');
    expect(r.stderr).toContain('(--port 44000 --host xaa.test)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const reset = await run(['reset', '--data-dir', dir]).done;
    expect(reset.code).toBe(0);
    expect(existsSync(join(dir, 'idp.db'))).toBe(false);
  });

  it('says which port is taken instead of a stack trace', async () => {
    const base = await freeBase();
    const blocker = createServer().listen(base + 102, '127.0.0.1');
    try {
      const { done } = run(['start', '--data-dir', tmp(), '--port', String(base)]);
      const r = await done;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`port ${base + 102} .*already in use`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  }, 90_000);

  it('refuses a non-loopback address with the demo credentials unless allowed', async () => {
    const r = await run(['start', '--data-dir', tmp(), '--listen', '0.0.0.0']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Refusing to listen on 0\.0\.0\.0/);
    expect(r.stderr).toMatch(/--allow-remote/);
  });

  it('says the data directory is not writable', async (ctx) => {
    if (process.getuid?.() === 0) ctx.skip(); // root writes anywhere; a file in the way still fails below
    const dir = tmp();
    chmodSync(dir, 0o500);
    const r = await run(['start', '--data-dir', join(dir, 'sub')]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not writable/);
  });

  it('says the data directory is not usable when a file is in the way', async () => {
    const dir = tmp();
    const file = join(dir, 'file');
    rmSync(file, { force: true });
    await import('node:fs').then((fs) => fs.writeFileSync(file, 'x'));
    const r = await run(['start', '--data-dir', join(file, 'data')]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not writable/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('xaa reset / info / decode', () => {
  it('info explains that nothing has started yet', async () => {
    const r = await run(['info', '--data-dir', tmp()]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/npm start/);
  });

  it('reset removes the databases but keeps the secrets', async () => {
    const dir = tmp();
    for (const f of ['idp.db', 'resource.db', 'secrets.json']) await import('node:fs').then((fs) => fs.writeFileSync(join(dir, f), ''));
    const r = await run(['reset', '--data-dir', dir, '--json']).done;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).removed).toEqual(['idp.db', 'resource.db']);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(true);
    expect(existsSync(join(dir, 'idp.db'))).toBe(false);
  });

  it('decode refuses what is not a JWT with a usage exit code', async () => {
    const r = await run(['decode', 'hello']).done;
    expect(r.code).toBe(2);
  });

  it('unknown commands are usage errors', async () => {
    const r = await run(['frobnicate']).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown command/);
  });
});
