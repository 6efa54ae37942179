/**
 * Authenticated MCP `tools/call` throughput on a sample server (Tasks: list_tasks) against the same
 * MCP handler and tools served without authentication, in the same run. The authenticated path adds
 * the DNS-rebinding guard, the RFC 9068 access-token check (ES256 signature, iss/aud/typ/exp), the
 * local user and client lookups and the SDK's per-tool scope challenge; everything else (SDK
 * handler, per-request McpServer, the SQLite query, flow events) is the same code on both sides.
 * The two sides run in alternating slices.
 * Target: authenticated / unauthenticated ≥ 0.85.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { nodeMcpHandler, toolModules } from '@xaa/mcp-server/mcp';
import { FlowLog, openDatabase } from '@xaa/node-kit';
import { interleaved } from '../interleave.ts';
import type { BenchSuite, Measurement } from '../measure.ts';
import { startTasksWithBenchIdp } from '../support/tasks-with-bench-idp.ts';

const suite: BenchSuite = async (ctx) => {
  // A bench IdP key the AS trusts, to obtain one real user access token through the jwt-bearer grant.
  const bench = await startTasksWithBenchIdp(ctx);
  const { tasks, reg } = bench;

  // Baseline: the same handler and tools module, no authentication, a fixed actor.
  const tasksModule = toolModules.tasks;
  if (!tasksModule) throw new Error('no tools module for tasks');
  const db = openDatabase(join(ctx.dataDir, 'baseline.db'), []);
  db.exec(tasksModule.tables);
  tasksModule.seedUser(db, 'tasks', 'bench-user', Math.floor(Date.now() / 1000));
  const handler = nodeMcpHandler(
    {
      def: tasks,
      tools: tasksModule,
      db,
      flowLog: new FlowLog(),
      nowSeconds: () => Math.floor(Date.now() / 1000),
      party: { as: 'as:tasks', mcp: 'mcp:tasks' },
    },
    4 * 1024 * 1024,
  );
  const actor = { userId: 'bench-user', username: 'bench', clientId: reg.client_id, clientTitle: 'Acme Agent' };
  const baseline = createServer((req, res) => {
    Object.assign(req, {
      auth: { token: 'none', clientId: reg.client_id, scopes: ['tasks.read', 'tasks.write'], expiresAt: Date.now() / 1000 + 3600, extra: { actor } },
    });
    void handler.handle(req as never, res as never);
  });
  await new Promise<void>((r) => baseline.listen(0, '127.0.0.1', r));
  const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}/mcp`;

  try {
    const jag = await bench.mint({ sub: 'bench-user', email: 'alice@acme.test', ttl: 300 });
    const tokenRes = await fetch(`${tasks.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: bench.basicAuth,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jag }),
    });
    const accessToken = ((await tokenRes.json()) as { access_token: string }).access_token;
    if (!accessToken) throw new Error(`no access token (${tokenRes.status})`);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tasks', arguments: {} } });
    const call = async (url: string, token?: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      });
      const text = await res.text();
      if (res.status !== 200 || !text.includes('"result"')) throw new Error(`${res.status} ${text.slice(0, 80)}`);
    };
    const [authed, plain] = (await interleaved(
      [
        { name: 'tools/call with bearer check', fn: () => call(tasks.resource, accessToken) },
        { name: 'tools/call, unauthenticated baseline', fn: () => call(baselineUrl) },
      ],
      { concurrency: ctx.concurrency, durationMs: ctx.durationMs, warmupCalls: 50, rounds: ctx.quick ? 2 : 5 },
    )) as [Measurement, Measurement];
    return {
      suite: 'mcp-tools-call',
      measurements: [authed, plain],
      ratios: [{ name: 'authenticated / unauthenticated', value: authed.throughput / plain.throughput, target: 0.85, higherIsBetter: true }],
    };
  } finally {
    await handler.close();
    await new Promise((r) => baseline.close(r));
    await bench.close();
    db.close();
  }
};

export default suite;
