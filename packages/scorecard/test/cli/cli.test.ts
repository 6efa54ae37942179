/**
 * `xaa test-as` and `xaa test-client` through the real CLI entry (apps/cli/src/main.ts, spawned with
 * tsx) against the in-process playground: discovery from playground.json, exit codes, JSON and JUnit.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAsCommand } from '../../src/cli/index.ts';
import type { ScorecardReport } from '../../src/report/types.ts';
import { type Stack, startStack } from '../support/stack.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const xaaMain = join(root, 'apps', 'cli', 'src', 'main.ts');

function xaa(args: string[], dataDir: string, timeout = 90_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tsx, [xaaMain, ...args], { cwd: root, env: { ...process.env, XAA_DATA_DIR: dataDir, NO_COLOR: '1' }, timeout }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const silent = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), color: false }, out, err };
};

let s: Stack;
beforeAll(async () => {
  s = await startStack({ servers: ['tasks', 'docs'] });
});
afterAll(async () => s?.close());

describe('xaa test-as', () => {
  it('--server tasks: 100%, exit 0, JSON report and JUnit file', async () => {
    const junit = join(s.dataDir, 'as.xml');
    const r = await xaa(['test-as', '--server', 'tasks', '--json', '--junit', junit], s.dataDir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as ScorecardReport;
    expect(report).toMatchObject({ kind: 'as', ok: true, summary: { score: 100 } });
    expect(report.target).toMatchObject({ issuer: s.server('tasks').issuer, client_id: 'acme-agent-at-tasks' });
    const xml = readFileSync(junit, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(report.summary.total).toBeGreaterThanOrEqual(39);
    expect(xml).toContain(`tests="${report.summary.total}" failures="0"`);
  }, 120_000);

  it('exits 1 and names the failing case when the AS is weakened (re-presentation allowed)', async () => {
    const admin = s.server('tasks').admin;
    await s.admin.callAdmin(admin, 'PATCH', '/settings', { allow_representation: true });
    try {
      const { io, out } = silent();
      const code = await testAsCommand(['--server', 'tasks', '--cases', 'replay', '--data-dir', s.dataDir], { io });
      expect(code).toBe(1);
      expect(out.join('')).toMatch(/✗ FAIL\s+replay\.jti/);
      expect(out.join('')).toContain('The AS redeemed the same ID-JAG twice.');
    } finally {
      await s.admin.callAdmin(admin, 'PATCH', '/settings', { allow_representation: false });
    }
  });

  it('usage errors exit 2 with help; an unreachable AS fails the discovery case', async () => {
    const a = silent();
    expect(await testAsCommand(['--issuer', 'http://127.0.0.1:9'], { io: a.io, dataDir: s.dataDir })).toBe(2);
    expect(a.err.join('')).toContain('Missing --resource, --client-id, --client-secret');
    const b = silent();
    expect(await testAsCommand(['--bogus'], { io: b.io })).toBe(2);
    const c = silent();
    expect(await testAsCommand(['--server', 'nope', '--data-dir', s.dataDir], { io: c.io })).toBe(2);
    const d = silent();
    const code = await testAsCommand(
      ['--issuer', 'http://127.0.0.1:9', '--resource', 'http://127.0.0.1:9/mcp', '--client-id', 'x', '--client-secret', 'y', '--data-dir', s.dataDir, '--json'],
      { io: d.io },
    );
    expect(code).toBe(1);
    const report = JSON.parse(d.out.join('')) as ScorecardReport;
    expect(report.cases).toHaveLength(1);
    expect(report.cases[0]).toMatchObject({ id: 'metadata.discovery', outcome: 'fail' });
  });

  it('reads its options from --config', async () => {
    const tasks = s.server('tasks');
    const reg = s.registration('acme-agent', 'tasks');
    const file = join(s.dataDir, 'scorecard.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      file,
      JSON.stringify({ issuer: tasks.issuer, resource: tasks.resource, clientId: reg.client_id, 'client-secret': reg.client_secret, cases: 'signature' }),
    );
    const { io, out } = silent();
    expect(await testAsCommand(['--config', file, '--data-dir', s.dataDir, '--json'], { io })).toBe(0);
    expect((JSON.parse(out.join('')) as ScorecardReport).cases.map((c) => c.id)).toContain('signature.alg-none');
    writeFileSync(file, JSON.stringify({ issuer: tasks.issuer, colour: 'red' }));
    const bad = silent();
    expect(await testAsCommand(['--config', file], { io: bad.io })).toBe(2);
    expect(bad.err.join('')).toContain('unknown option "colour"');
  });
});

describe('xaa test-client', () => {
  it('grades the sample agent run as a shell command (clean run)', async () => {
    const login = await xaa(['login', '--app', 'acme-agent', '--user', 'alice', '--headless'], s.dataDir);
    expect(login.code, login.stderr).toBe(0);
    const agent = `${tsx} ${xaaMain}`;
    const r = await xaa(
      ['test-client', '--command', `${agent} connect tasks && ${agent} call tasks list_tasks`, '--faults', 'none', '--json'],
      s.dataDir,
      110_000,
    );
    expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
    const report = JSON.parse(r.stdout) as ScorecardReport;
    expect(report).toMatchObject({ kind: 'client', ok: true, summary: { score: 100 } });
    expect(report.cases.map((c) => c.id)).toContain('bearer.fresh-id-jag');
  }, 120_000);

  it('usage: --command is required, unknown faults are refused', async () => {
    const { testClientCommand } = await import('../../src/cli/index.ts');
    const a = silent();
    expect(await testClientCommand([], { io: a.io })).toBe(2);
    expect(a.err.join('')).toContain('--command');
    const b = silent();
    expect(await testClientCommand(['--command', 'true', '--faults', 'typ,meteor'], { io: b.io })).toBe(2);
    expect(b.err.join('')).toContain('meteor');
  });
});
