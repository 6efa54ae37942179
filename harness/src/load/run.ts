/**
 * Load: N simulated clients, each with its own SSO session (ID token obtained once, up front, via the
 * headless login), run complete XAA flows in a closed loop for a fixed time: token exchange at the IdP
 * (ID token → ID-JAG) → jwt-bearer at the server's AS (ID-JAG → access token) → MCP `tools/call`.
 * Reports flows/s, p50/p99 per flow and per leg, and errors by kind. Latency is measured from the
 * first byte sent to the last byte received of each leg, nothing subtracted.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type HttpResponse, keepAliveAgent } from '../http.ts';
import { runPool } from '../pool.ts';
import { type Check, type HarnessResult, percentile } from '../report.ts';
import { ssoLogin } from '../sso.ts';
import type { Manifest } from '../stack.ts';
import { asMetadata, type ClientDef, idpTokenEndpoint, jwtBearer, mcpModernToolCall, mcpToolCall, type ServerDef, tokenExchange } from '../xaa.ts';

export interface LoadOptions {
  mode: 'quick' | 'full';
  concurrency: number;
  durationMs: number;
  /** Flows per simulated client before measuring (JIT, caches, keep-alive sockets). */
  warmupFlows: number;
  timeoutMs: number;
  /** Targets from the issue (checked in full mode). */
  targetP99Ms?: number;
  /** Server process id, to sample its CPU time (Linux /proc). */
  serverPid?: number;
  /** MCP wire era: one stateless 2026-07-28 request (default), or the 2025 initialize handshake first. */
  mcpEra?: 'modern' | 'legacy';
}

/** A simulated client: one user's SSO session and the server it works with. */
export interface SimulatedClient {
  user: string;
  client: ClientDef;
  server: ServerDef;
  idToken: string;
  tool: { name: string; args: unknown };
}

export interface FlowTarget {
  server: string;
  tool: { name: string; args: unknown };
  /** Users the seeded policy lets reach this server through the client. */
  users: string[];
}

function oauthKind(leg: string, res: HttpResponse): string {
  let code = '';
  try {
    code = (JSON.parse(res.body) as { error?: string }).error ?? '';
  } catch {
    // not JSON
  }
  return `${leg} ${res.status}${code ? ` ${code}` : ''}`;
}

function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat (index 11 and 12 after the command name).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export async function prepareClients(
  manifest: Manifest,
  clientName: string,
  targets: FlowTarget[],
  count: number,
  concurrency = 8,
): Promise<SimulatedClient[]> {
  const client = manifest.clients.find((c) => c.name === clientName);
  if (!client) throw new Error(`no client ${clientName} in the manifest`);
  const plan: Array<{ user: string; target: FlowTarget }> = [];
  for (let i = 0; plan.length < count; i++) {
    const target = targets[i % targets.length] as FlowTarget;
    plan.push({ user: target.users[Math.floor(i / targets.length) % target.users.length] as string, target });
  }
  const out: SimulatedClient[] = [];
  await runPool(plan.entries(), concurrency, async ([, p]) => {
    const u = manifest.users.find((x) => x.username === p.user);
    const server = manifest.servers.find((s) => s.name === p.target.server);
    if (!u || !server) throw new Error(`unknown user ${p.user} or server ${p.target.server}`);
    const redirect_uri = client.idp.redirect_uris[0] as string;
    const tokens = await ssoLogin(
      manifest.idp.issuer,
      { client_id: client.idp.client_id, client_secret: client.idp.client_secret, redirect_uri },
      u.username,
      u.password,
    );
    out.push({ user: u.username, client, server, idToken: tokens.id_token, tool: p.target.tool });
  });
  return out;
}

export async function runLoad(manifest: Manifest, sims: SimulatedClient[], o: LoadOptions): Promise<HarnessResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const agent = keepAliveAgent(o.concurrency * 4);
  const idpToken = await idpTokenEndpoint(manifest.idp.issuer);
  const asToken = new Map<string, string>();
  for (const s of new Set(sims.map((x) => x.server))) asToken.set(s.name, (await asMetadata(s.issuer)).token_endpoint);

  const errors: Record<string, number> = {};
  const samples: Record<string, string> = {};
  const flow: number[] = [];
  const legs = { exchange: [] as number[], 'jwt-bearer': [] as number[], 'mcp tools/call': [] as number[] };
  let measuring = false;
  let httpRequests = 0;
  const mcpCall = o.mcpEra === 'legacy' ? mcpToolCall : mcpModernToolCall;

  const one = async (sim: SimulatedClient): Promise<void> => {
    const t0 = performance.now();
    const fail = (kind: string, body: string) => {
      if (!measuring) return;
      errors[kind] = (errors[kind] ?? 0) + 1;
      samples[kind] ??= body.slice(0, 300);
    };
    let leg = 'exchange';
    try {
      const ex = await tokenExchange(idpToken, sim.client, sim.idToken, sim.server, undefined, { agent, timeoutMs: o.timeoutMs });
      const t1 = performance.now();
      if (ex.status !== 200) return fail(oauthKind('exchange', ex), ex.body);
      const idJag = (JSON.parse(ex.body) as { access_token: string }).access_token;
      leg = 'jwt-bearer';
      const jb = await jwtBearer(asToken.get(sim.server.name) as string, sim.client, sim.server, idJag, { agent, timeoutMs: o.timeoutMs });
      const t2 = performance.now();
      if (jb.status !== 200) return fail(oauthKind('jwt-bearer', jb), jb.body);
      const at = (JSON.parse(jb.body) as { access_token: string }).access_token;
      leg = 'mcp tools/call';
      const call = await mcpCall(sim.server.resource, at, sim.tool.name, sim.tool.args, { agent, timeoutMs: o.timeoutMs });
      const t3 = performance.now();
      if (!call.ok) return fail(call.kind, call.body);
      if (measuring) {
        httpRequests += 2 + call.requests;
        flow.push(t3 - t0);
        legs.exchange.push(t1 - t0);
        legs['jwt-bearer'].push(t2 - t1);
        legs['mcp tools/call'].push(t3 - t2);
      }
    } catch (e) {
      fail(`transport ${(e as NodeJS.ErrnoException).code ?? (e as Error).name} during ${leg}`, (e as Error).message);
    }
  };

  // Warm-up: every simulated client runs a few flows, unmeasured.
  await runPool(sims, o.concurrency, async (sim) => {
    for (let i = 0; i < o.warmupFlows; i++) await one(sim);
  });

  measuring = true;
  const cpu0 = cpuSeconds(o.serverPid);
  const t0 = performance.now();
  const deadline = t0 + o.durationMs;
  await Promise.all(
    sims.slice(0, o.concurrency).map(async (sim) => {
      while (performance.now() < deadline) await one(sim);
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  measuring = false;
  const cpu1 = cpuSeconds(o.serverPid);
  agent.destroy();

  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  const f = sorted(flow);
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  const p99 = percentile(f, 99);
  const figures: HarnessResult['figures'] = [
    { name: 'concurrent flows', value: o.concurrency },
    { name: 'duration', value: elapsed, unit: 's' },
    { name: 'flows completed', value: f.length },
    { name: 'throughput', value: f.length / elapsed, unit: 'flows/s' },
    { name: `HTTP requests/s (${o.mcpEra === 'legacy' ? 'MCP 2025 handshake' : 'MCP 2026-07-28 stateless'})`, value: httpRequests / elapsed, unit: 'req/s' },
    { name: 'flow p50', value: percentile(f, 50), unit: 'ms' },
    { name: 'flow p99', value: p99, unit: 'ms', ...(o.targetP99Ms ? { target: `< ${o.targetP99Ms}` } : {}) },
    { name: 'flow max', value: f.at(-1) ?? Number.NaN, unit: 'ms' },
    ...Object.entries(legs).flatMap(([leg, xs]) => {
      const s = sorted(xs);
      return [
        { name: `${leg} p50`, value: percentile(s, 50), unit: 'ms' },
        { name: `${leg} p99`, value: percentile(s, 99), unit: 'ms' },
      ];
    }),
    { name: 'errors', value: errorCount, target: '0' },
  ];
  if (cpu0 !== undefined && cpu1 !== undefined) figures.push({ name: 'server CPU (of one core)', value: ((cpu1 - cpu0) / elapsed) * 100, unit: '%' });
  const checks: Check[] = [
    {
      name: 'no errors',
      ok: errorCount === 0,
      detail: errorCount
        ? Object.entries(errors)
            .map(([k, v]) => `${k} ×${v}`)
            .join('; ')
        : '',
    },
    { name: 'flows completed', ok: f.length > 0 },
  ];
  if (o.targetP99Ms) checks.push({ name: `p99 < ${o.targetP99Ms} ms`, ok: p99 < o.targetP99Ms, detail: `p99 ${p99.toFixed(1)} ms` });
  return {
    harness: 'load',
    mode: o.mode,
    startedAt,
    durationMs: performance.now() - started,
    figures,
    checks,
    details: {
      errors,
      errorSamples: samples,
      simulatedClients: sims.length,
      users: [...new Set(sims.map((s) => s.user))],
      servers: [...new Set(sims.map((s) => s.server.name))],
    },
  };
}
