/**
 * Load: N simulated clients, each with its own SSO session (ID token obtained once, up front, via the
 * headless login), run complete XAA flows in a closed loop for a fixed time: token exchange at the IdP
 * (ID token → ID-JAG) → jwt-bearer at the server's AS (ID-JAG → access token) → MCP `tools/call`.
 * Reports flows/s, p50/p99 per flow and per leg, and errors by kind. Latency is measured from the
 * first byte sent to the last byte received of each leg, nothing subtracted.
 */
import { performance } from 'node:perf_hooks';
import { cpuSnapshot, type NamedThread, type ThreadCpu, threadCpuBetween } from '@xaa/testkit';
import { type HttpResponse, keepAliveAgent } from '../http.ts';
import { runPool } from '../pool.ts';
import { type Check, type HarnessResult, percentile } from '../report.ts';
import { treeRssMb } from '../rss.ts';
import { ssoLogin } from '../sso.ts';
import type { Manifest } from '../stack.ts';
import { asMetadata, type ClientDef, idpTokenEndpoint, jwtBearer, mcpModernToolCall, mcpToolCall, type ServerDef, tokenExchange } from '../xaa.ts';
import { measureLegCosts } from './leg-costs.ts';

export interface LoadOptions {
  mode: 'quick' | 'full';
  concurrency: number;
  durationMs: number;
  /** Flows per simulated client before measuring (JIT, caches, keep-alive sockets). */
  warmupFlows: number;
  /**
   * Each closed loop first runs this long unmeasured, at its own concurrency, and is measured from
   * then on without stopping: every client starting its first flow at the same instant is a burst
   * the loop takes a few seconds to spread out of, not the steady load the figures describe. Errors
   * in the ramp still count.
   */
  rampMs?: number;
  timeoutMs: number;
  /** Targets from the issue (checked in full mode). */
  targetP99Ms?: number;
  /** Server process id, to sample its CPU time (Linux /proc). */
  serverPid?: number;
  /** Its part threads (and main thread), to say which one the CPU goes to. */
  serverThreads?: NamedThread[];
  /** Root of the process tree whose resident memory is reported (default: the server process). */
  treePid?: number;
  /** Targets for that tree's resident memory (shown beside the figures). */
  rssTargetsMb?: { ready: number; afterLoad: number };
  /** MCP wire era: one stateless 2026-07-28 request (default), or the 2025 initialize handshake first. */
  mcpEra?: 'modern' | 'legacy';
  /**
   * After the main run, shorter runs at these concurrencies (same clients, same flows): where the
   * latency target holds on this machine, and how throughput and latency move with concurrency.
   */
  sweep?: { concurrencies: number[]; durationMs: number };
  /** Server CPU per request of each leg alone (`requests` of each, one after the other). */
  legCosts?: { requests: number; concurrency: number };
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

interface RunStats {
  concurrency: number;
  /** The flows that started in the ramp, before the measured window (errors there count too). */
  ramp?: RunStats;
  elapsed: number;
  flow: number[];
  legs: Record<'exchange' | 'jwt-bearer' | 'mcp tools/call', number[]>;
  httpRequests: number;
  errors: Record<string, number>;
  samples: Record<string, string>;
  /** Server CPU seconds used during the run (Linux /proc), when the pid is known. */
  cpuSeconds: number | undefined;
  /** The same by thread: each part thread, then the rest of the process. */
  threadCpu: ThreadCpu[] | undefined;
}

/** The rest of the playground process's CPU: threads that run no part. */
const OTHER_THREADS = 'other threads (V8 garbage collection, libuv)';

export async function runLoad(manifest: Manifest, sims: SimulatedClient[], o: LoadOptions): Promise<HarnessResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const rssReady = treeRssMb(o.treePid ?? o.serverPid);
  const agent = keepAliveAgent(o.concurrency * 4);
  const idpToken = await idpTokenEndpoint(manifest.idp.issuer);
  const asToken = new Map<string, string>();
  for (const s of new Set(sims.map((x) => x.server))) asToken.set(s.name, (await asMetadata(s.issuer)).token_endpoint);
  const mcpCall = o.mcpEra === 'legacy' ? mcpToolCall : mcpModernToolCall;

  /** One complete flow; `into` (when measuring) gets its timings or its error. */
  const one = async (sim: SimulatedClient, into?: RunStats): Promise<void> => {
    const t0 = performance.now();
    const fail = (kind: string, body: string) => {
      if (!into) return;
      into.errors[kind] = (into.errors[kind] ?? 0) + 1;
      into.samples[kind] ??= body.slice(0, 300);
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
      if (into) {
        into.httpRequests += 2 + call.requests;
        into.flow.push(t3 - t0);
        into.legs.exchange.push(t1 - t0);
        into.legs['jwt-bearer'].push(t2 - t1);
        into.legs['mcp tools/call'].push(t3 - t2);
      }
    } catch (e) {
      fail(`transport ${(e as NodeJS.ErrnoException).code ?? (e as Error).name} during ${leg}`, (e as Error).message);
    }
  };

  const emptyStats = (concurrency: number): RunStats => ({
    concurrency,
    elapsed: 0,
    flow: [],
    legs: { exchange: [], 'jwt-bearer': [], 'mcp tools/call': [] },
    httpRequests: 0,
    errors: {},
    samples: {},
    cpuSeconds: undefined,
    threadCpu: undefined,
  });

  /**
   * A closed loop: `concurrency` clients each run flows back to back until the time is up. Flows that
   * start in the first `rampMs` go to `ramp`; the window (its flows, CPU and duration) begins after.
   */
  const closedLoop = async (concurrency: number, durationMs: number, rampMs = 0): Promise<RunStats> => {
    const stats = emptyStats(concurrency);
    const ramp = emptyStats(concurrency);
    const t0 = performance.now() + rampMs;
    const deadline = t0 + durationMs;
    let cpu0 = rampMs > 0 ? undefined : cpuSnapshot(o.serverPid, o.serverThreads);
    const rampEnd = rampMs > 0 ? setTimeout(() => (cpu0 = cpuSnapshot(o.serverPid, o.serverThreads)), rampMs) : undefined;
    await Promise.all(
      sims.slice(0, concurrency).map(async (sim) => {
        for (let now = performance.now(); now < deadline; now = performance.now()) await one(sim, now < t0 ? ramp : stats);
      }),
    );
    clearTimeout(rampEnd);
    stats.elapsed = (performance.now() - t0) / 1000;
    if (rampMs > 0) {
      ramp.elapsed = rampMs / 1000;
      stats.ramp = ramp;
      for (const [kind, n] of Object.entries(ramp.errors)) {
        stats.errors[kind] = (stats.errors[kind] ?? 0) + n;
        stats.samples[kind] ??= ramp.samples[kind] as string;
      }
    }
    const cpu1 = cpuSnapshot(o.serverPid, o.serverThreads);
    if (cpu0 !== undefined && cpu1 !== undefined) {
      stats.cpuSeconds = cpu1.total - cpu0.total;
      if (cpu1.threads.length) stats.threadCpu = threadCpuBetween(cpu0, cpu1, OTHER_THREADS);
    }
    return stats;
  };

  // Warm-up: every simulated client runs a few flows, unmeasured.
  await runPool(sims, o.concurrency, async (sim) => {
    for (let i = 0; i < o.warmupFlows; i++) await one(sim);
  });

  const main = await closedLoop(o.concurrency, o.durationMs, o.rampMs);
  const sweep: RunStats[] = [];
  for (const c of o.sweep?.concurrencies ?? []) sweep.push(await closedLoop(Math.min(c, sims.length), o.sweep?.durationMs ?? 10_000, o.rampMs));
  const legCosts = o.legCosts
    ? await measureLegCosts(sims, { ...o.legCosts, agent, idpToken, asToken, serverPid: o.serverPid, timeoutMs: o.timeoutMs })
    : undefined;
  agent.destroy();
  const rssAfter = treeRssMb(o.treePid ?? o.serverPid);
  // And once the servers had a moment without requests (V8 gives back heap pages it no longer needs).
  await new Promise((resolve) => setTimeout(resolve, o.serverPid ? 10_000 : 0));
  const rssSettled = treeRssMb(o.treePid ?? o.serverPid);

  const { flow, legs, errors, samples, httpRequests, elapsed, cpuSeconds: cpuUsed, threadCpu } = main;
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
  // The ramp is not hidden: its own figures, beside the window's.
  if (main.ramp) {
    const rf = sorted(main.ramp.flow);
    figures.push({
      name: `ramp before the window (${main.ramp.elapsed} s, same clients): flows/s · p50 · p99`,
      value: `${(rf.length / main.ramp.elapsed).toFixed(1)} · ${percentile(rf, 50).toFixed(0)} · ${percentile(rf, 99).toFixed(0)}`,
      unit: 'ms',
    });
  }
  if (cpuUsed !== undefined) {
    figures.push({ name: 'server CPU (of one core)', value: (cpuUsed / elapsed) * 100, unit: '%' });
    if (f.length) figures.push({ name: 'server CPU per flow', value: (cpuUsed * 1000) / f.length, unit: 'ms' });
  }
  // Where it goes: a part thread near 100 % of a core is the one the flows queue for.
  for (const t of threadCpu ?? [])
    figures.push({
      name: `  ${t.name}`,
      value: f.length ? `${((t.seconds * 1000) / f.length).toFixed(2)} ms per flow · ${((t.seconds / elapsed) * 100).toFixed(0)} % of a core` : '–',
    });
  if (rssReady !== undefined && rssAfter !== undefined) {
    // `--npm-start`: npm, the bootstrap and the playground, what a user's `npm start` holds; else the
    // harness's `xaa start` child alone (the bundle under --bundle, the sources through tsx without).
    const tree = o.treePid !== undefined && o.treePid !== o.serverPid ? 'npm start process tree' : 'server process tree';
    figures.push(
      { name: `RSS, ${tree}, before the load`, value: rssReady, unit: 'MB', ...(o.rssTargetsMb ? { target: `≤ ${o.rssTargetsMb.ready}` } : {}) },
      { name: `RSS, ${tree}, after the load`, value: rssAfter, unit: 'MB', ...(o.rssTargetsMb ? { target: `≤ ${o.rssTargetsMb.afterLoad}` } : {}) },
      { name: `RSS, ${tree}, 10 s after the load`, value: rssSettled ?? Number.NaN, unit: 'MB' },
    );
  }
  for (const r of sweep) {
    const sf = sorted(r.flow);
    const errs = Object.values(r.errors).reduce((a, b) => a + b, 0);
    figures.push({
      name: `at ${r.concurrency} concurrent: flows/s · p50 · p99`,
      value: `${(sf.length / r.elapsed).toFixed(1)} · ${percentile(sf, 50).toFixed(0)} · ${percentile(sf, 99).toFixed(0)}${errs ? ` · ${errs} errors` : ''}`,
      unit: 'ms',
    });
  }
  if (o.targetP99Ms && sweep.length) {
    const holding = [main, ...sweep].filter((r) => Object.keys(r.errors).length === 0 && percentile(sorted(r.flow), 99) < (o.targetP99Ms as number));
    figures.push({
      name: `most concurrent flows with p99 < ${o.targetP99Ms} ms (of ${[main, ...sweep].map((r) => r.concurrency).join(', ')})`,
      value: holding.length ? Math.max(...holding.map((r) => r.concurrency)) : 'none',
    });
  }
  for (const c of legCosts ?? [])
    figures.push({
      name: `server CPU per request, ${c.leg} alone`,
      value: c.cpuMsPerRequest ?? Number.NaN,
      unit: 'ms',
      ...(c.errors ? { target: `${c.errors} errors` } : {}),
    });
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
  if (sweep.length || legCosts) {
    const extra = [
      ...sweep.flatMap((r) => Object.entries(r.errors).map(([k, v]) => `${k} ×${v} at ${r.concurrency}`)),
      ...(legCosts ?? []).filter((c) => c.errors).map((c) => `${c.leg} ×${c.errors}`),
    ];
    checks.push({ name: 'no errors in the sweep and per-leg runs', ok: extra.length === 0, detail: extra.join('; ') });
  }
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
      sweep: sweep.map((r) => ({
        concurrency: r.concurrency,
        flows: r.flow.length,
        seconds: r.elapsed,
        p50: percentile(sorted(r.flow), 50),
        p99: percentile(sorted(r.flow), 99),
        errors: r.errors,
      })),
      ...(legCosts ? { legCosts } : {}),
      simulatedClients: sims.length,
      users: [...new Set(sims.map((s) => s.user))],
      servers: [...new Set(sims.map((s) => s.server.name))],
    },
  };
}
