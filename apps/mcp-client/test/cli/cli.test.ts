/**
 * The agent's CLI commands in-process against the real IdP: one progress line per step with timing,
 * `--json` for scripts, and exit codes that tell success (0), denied (3), error (1) and usage (2) apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIO, EXIT, runClientCli } from '../../src/cli.ts';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    tty: false,
    out: (t: string) => {
      io.stdout += t;
    },
    err: (t: string) => {
      io.stderr += t;
    },
  };
  return io;
}

const run = async (...argv: string[]) => {
  const io = capture();
  const code = await runClientCli(argv, { dataDir: stack.dataDir, io });
  return { code, ...io };
};

describe('xaa agent commands', () => {
  it('login --headless prints one timed line per step and exits 0', async () => {
    const r = await run('login', '--app', 'acme-agent', '--user', 'alice', '--headless');
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stderr).toMatch(/^\s*\d+ ms {2}✓ sso /m);
    expect(r.stdout).toContain('signed in as alice via Acme Agent');
  });

  it('--json prints one JSON object and no progress lines', async () => {
    const r = await run('login', '--app', 'acme-chat', '--user', 'dave', '--headless', '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { outcome: string; user: string; traceId: string; steps: unknown[] };
    expect(out).toMatchObject({ outcome: 'ok', user: 'dave' });
    expect(out.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(out.steps.length).toBeGreaterThan(0);
  });

  it('status shows the current session', async () => {
    const r = await run('status', '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout).session).toMatchObject({ user: 'dave', app: 'acme-chat', refreshToken: true });
  });

  it('exits 3 when the login is refused', async () => {
    const r = await run('login', '--app', 'acme-agent', '--user', 'alice', '--headless', '--password', 'nope');
    expect(r.code).toBe(EXIT.denied);
    expect(r.stderr).toContain('login_failed');
  });

  it('exits 2 on usage errors', async () => {
    expect((await run('login', '--user', 'alice')).code).toBe(EXIT.usage);
    expect((await run('login', '--app', 'no-such-app', '--headless', '--user', 'alice')).code).toBe(EXIT.usage);
    expect((await run('call', 'tasks')).code).toBe(EXIT.usage);
    expect((await run('call', 'tasks', 'list_tasks', '[1]')).code).toBe(EXIT.usage);
    expect((await run('call', 'tasks', 'list_tasks', '{oops')).code).toBe(EXIT.usage);
    expect((await run('connect', '--bogus')).code).toBe(EXIT.usage);
    expect((await run('frobnicate')).code).toBe(EXIT.usage);
    expect((await run('connect', 'no-such-server')).code).toBe(EXIT.usage);
  });

  it('exits 1 when the configuration is missing', async () => {
    const io = capture();
    const code = await runClientCli(['status'], { dataDir: `${stack.dataDir}/nowhere`, io });
    expect(code).toBe(EXIT.error);
    expect(io.stderr).toContain('playground.json');
  });
});
