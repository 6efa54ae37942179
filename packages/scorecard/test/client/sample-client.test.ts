/**
 * The client scorecard against the sample agent (apps/mcp-client, used as a library in-process):
 * it scores 100% — right exchange parameters, each credential at its own party, a fresh ID-JAG per
 * jwt-bearer request, the token in the header, and a clean failure (no loop) under every IdP fault.
 */
import { call, connect, login } from '@xaa/mcp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/client/command.ts';
import { runClientScorecard } from '../../src/client/run.ts';
import { renderTable } from '../../src/report/table.ts';
import { type Stack, startStack } from '../support/stack.ts';

const io = { out: () => {}, err: () => {}, tty: false };
let s: Stack;
beforeAll(async () => {
  s = await startStack({ servers: ['tasks', 'docs'] });
  const code = await login({ dataDir: s.dataDir, topology: s.topology, app: 'acme-agent', user: 'alice', headless: true, password: 'demo', io });
  expect(code).toBe(0);
});
afterAll(async () => s?.close());

/** One "command": connect to Tasks (fresh ID-JAG and token), then call a tool with that token. */
async function sampleAgent(): Promise<RunResult> {
  const t0 = performance.now();
  const ctx = { dataDir: s.dataDir, topology: s.topology, io };
  let exitCode = await connect({ ...ctx, servers: ['tasks'] });
  if (exitCode === 0) exitCode = await call({ ...ctx, server: 'tasks', tool: 'list_tasks' });
  return { exitCode, timedOut: false, durationMs: Math.round(performance.now() - t0) };
}

describe('client scorecard: the sample agent', () => {
  it('scores 100% on the protocol checks and under every fault', async () => {
    const report = await runClientScorecard({ idp: s.admin, run: sampleAgent, label: 'sample agent: connect tasks + call list_tasks', slowMs: 1500 });
    if (!report.ok) console.log(renderTable(report));
    expect(report.cases.filter((c) => c.outcome !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expect(report.cases.map((c) => c.id)).toEqual([
      'run.clean',
      'exchange.params',
      'exchange.audience',
      'exchange.resource',
      'auth.idp-credentials',
      'auth.as-credentials',
      'bearer.fresh-id-jag',
      'bearer.right-as',
      'mcp.bearer-header',
      'fault.typ',
      'fault.aud',
      'fault.expired',
      'fault.missing_jti',
      'fault.unknown_kid',
      'fault.slow',
      'fault.server_error',
      'fault.access_denied',
    ]);
    expect(report.target.client).toBe('acme-agent');
    // the fault switches are off again afterwards
    expect((await s.admin.getFaults()).faults).toEqual([]);
  }, 120_000);

  it('sends correct DPoP proofs when the playground asks for them (RFC 9449)', async () => {
    const report = await runClientScorecard({ idp: s.admin, run: sampleAgent, label: 'sample agent', faults: [], dpop: true });
    if (!report.ok) console.log(renderTable(report));
    const dpop = report.cases.filter((c) => c.group === 'dpop');
    expect(dpop.map((c) => `${c.id}:${c.outcome}`)).toEqual(['dpop.exchange-proof:pass', 'dpop.token-proof:pass', 'dpop.same-key:pass', 'dpop.mcp-proof:pass']);
    // the servers are back to accepting Bearer afterwards
    const tasks = s.topology.servers.find((x) => x.name === 'tasks');
    const prm = (await (await fetch(`${tasks?.issuer}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(prm.dpop_bound_access_tokens_required).toBe(false);
  }, 120_000);
});
