/**
 * The four harnesses wired to a playground, each in a quick mode (seconds; what CI runs as vitest
 * tests) and a full mode (the figures; `pnpm harness:<name>`).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runAccess } from './access/run.ts';
import { runCrash } from './crash/run.ts';
import { buildFuzzPlan } from './fuzz/endpoints.ts';
import { runFuzz } from './fuzz/run.ts';
import { send } from './http.ts';
import { type FlowTarget, prepareClients, runLoad } from './load/run.ts';
import type { Check, HarnessResult } from './report.ts';
import { RESULTS_DIR } from './report.ts';
import { ssoLogin } from './sso.ts';
import { type Manifest, type Stack, startStack } from './stack.ts';
import { flowTokens, fuzzTokens, pickTool, ssoClient, user } from './world.ts';
import { mcpToolCall } from './xaa.ts';

export type Mode = 'quick' | 'full';

export interface RunOptions {
  mode: Mode;
  /** Use this running playground instead of starting one (tests share one). */
  stack?: Stack;
  seed?: number;
  concurrency?: number;
  durationMs?: number;
  /** Load: record a CPU profile of the playground process and summarise it. */
  profile?: boolean;
  /** Run the bundled CLI (apps/cli/dist/xaa.mjs, what `npm start` runs) instead of the sources through tsx. */
  bundle?: boolean;
  /** Run `npm start` itself: memory figures are of its whole process tree (npm, the bootstrap, the playground). */
  npmStart?: boolean;
}

async function withStack<T>(o: RunOptions, fn: (s: Stack) => Promise<T>, nodeArgs?: string[]): Promise<T> {
  if (o.stack) return fn(o.stack);
  const stack = await startStack({ ...(nodeArgs ? { nodeArgs } : {}), ...(o.bundle ? { bundle: true } : {}), ...(o.npmStart ? { npmStart: true } : {}) });
  try {
    return await fn(stack);
  } finally {
    await stack.close();
  }
}

/** Health after a harness: the process is up, every origin answers its metadata, a full flow works. */
export async function healthChecks(stack: Stack, idToken: string): Promise<Check[]> {
  const m = stack.manifest;
  const urls = [
    `${m.idp.issuer}/.well-known/openid-configuration`,
    ...m.servers.map((s) => `${s.issuer}/.well-known/oauth-authorization-server`),
    ...m.servers.map((s) => `${new URL(s.issuer).origin}/.well-known/oauth-protected-resource${new URL(s.resource).pathname}`),
    `${m.console.url}/api/session`,
    `${m.agent.url}/`,
  ];
  const bad: string[] = [];
  for (const u of urls) {
    const r = await send(u, { timeoutMs: 5000 }).catch((e: Error) => ({ status: 0, body: e.message }));
    if (r.status !== 200) bad.push(`${u} → ${r.status}`);
  }
  let flow = 'ok';
  try {
    const t = await flowTokens(m, idToken, 'tasks');
    const tool = await pickTool((m.servers.find((s) => s.name === 'tasks') as Manifest['servers'][number]).resource, t.accessToken);
    const call = await mcpToolCall((m.servers.find((s) => s.name === 'tasks') as Manifest['servers'][number]).resource, t.accessToken, tool.name, tool.args);
    if (!call.ok) flow = `${call.kind}: ${call.body.slice(0, 120)}`;
  } catch (e) {
    flow = (e as Error).message.slice(0, 200);
  }
  return [
    { name: 'server process alive after the run', ok: stack.alive() },
    { name: 'every origin still answers', ok: bad.length === 0, detail: bad.join('; ') || `${urls.length} URLs` },
    { name: 'a full XAA flow still works', ok: flow === 'ok', detail: flow === 'ok' ? 'alice → tasks: exchange, jwt-bearer, tools/call' : flow },
  ];
}

export async function loadHarness(o: RunOptions): Promise<HarnessResult> {
  const full = o.mode === 'full';
  const concurrency = o.concurrency ?? (full ? 100 : 10);
  const profileDir = resolve(RESULTS_DIR, 'profile');
  if (o.profile) mkdirSync(profileDir, { recursive: true });
  const nodeArgs = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : undefined;
  let result: HarnessResult | undefined;
  let pid = 0;
  await withStack(
    o,
    async (stack) => {
      pid = stack.pid;
      const m = stack.manifest;
      const alice = user(m, 'alice');
      const sso = await ssoLogin(m.idp.issuer, ssoClient(m), alice.username, alice.password);
      const tools: Record<string, { name: string; args: unknown }> = {};
      for (const s of ['tasks', 'docs']) {
        const server = m.servers.find((x) => x.name === s) as Manifest['servers'][number];
        tools[s] = await pickTool(server.resource, (await flowTokens(m, sso.id_token, s)).accessToken);
      }
      // The seeded policy: Acme Agent reaches Tasks for engineering and IT, Docs for everyone.
      const targets: FlowTarget[] = [
        { server: 'tasks', tool: tools.tasks as FlowTarget['tool'], users: ['alice', 'carol'] },
        { server: 'docs', tool: tools.docs as FlowTarget['tool'], users: ['alice', 'bob', 'carol', 'dave'] },
      ];
      const sims = await prepareClients(m, 'acme-agent', targets, concurrency);
      result = await runLoad(m, sims, {
        mode: o.mode,
        concurrency,
        durationMs: o.durationMs ?? (full ? 60_000 : 3_000),
        warmupFlows: full ? 2 : 1,
        rampMs: full ? 5_000 : 1_000,
        timeoutMs: 30_000,
        serverPid: stack.pid,
        serverThreads: stack.threads,
        treePid: stack.rootPid,
        // The issue's memory targets are for `npm start`'s whole tree.
        ...(o.npmStart ? { rssTargetsMb: { ready: 400, afterLoad: 450 } } : {}),
        // Full mode: the target, then where the target holds on this machine and what each leg costs.
        ...(full
          ? { targetP99Ms: 250, sweep: { concurrencies: [50, 25, 10], durationMs: 10_000 }, legCosts: { requests: 2000, concurrency: 20 } }
          : { legCosts: { requests: 30, concurrency: 5 } }),
      });
      result.checks.push(...(await healthChecks(stack, sso.id_token)));
    },
    nodeArgs,
  );
  if (o.profile && result) {
    const { summariseProfile } = await import('./load/profile.ts');
    // One file per thread of the playground process (main thread, the IdP's, the servers').
    const files = readdirSync(profileDir)
      .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.`))
      .sort();
    if (files.length)
      result.details = {
        ...result.details,
        profile: {
          files: files.map((f) => join(profileDir, f)),
          ...summariseProfile(files.map((f) => JSON.parse(readFileSync(join(profileDir, f), 'utf8')))),
        },
      };
  }
  return result as HarnessResult;
}

export async function fuzzHarness(o: RunOptions): Promise<HarnessResult> {
  const full = o.mode === 'full';
  return withStack(o, async (stack) => {
    const m = stack.manifest;
    const tokens = await fuzzTokens(m);
    const plan = await buildFuzzPlan(m, tokens);
    // The full mode sends at least 10,000 requests.
    const randomPerOrigin = full ? 300 : 15;
    const perEndpoint = full ? Math.max(120, Math.ceil((10_500 - randomPerOrigin * plan.origins.length) / plan.endpoints.length)) : 12;
    const result = await runFuzz(plan, {
      mode: o.mode,
      seed: o.seed ?? (full ? Date.now() % 1_000_000 : 1),
      perEndpoint,
      randomPerOrigin,
      concurrency: o.concurrency ?? (full ? 16 : 8),
      timeoutMs: full ? 10_000 : 8_000,
      alive: () => stack.alive(),
      health: () => healthChecks(stack, tokens.idToken),
    });
    if (full) {
      const n = Number(result.figures.find((f) => f.name === 'requests')?.value ?? 0);
      result.checks.unshift({ name: 'at least 10,000 requests', ok: n >= 10_000, detail: `${n}` });
    }
    return result;
  });
}

export async function crashHarness(o: RunOptions): Promise<HarnessResult> {
  const full = o.mode === 'full';
  return runCrash({
    mode: o.mode,
    cycles: full ? 3 : 1,
    killAfterMs: full ? [8_000, 20_000] : [2_500, 4_000],
    seed: o.seed ?? (full ? Date.now() % 1_000_000 : 1),
    userLanes: 2,
    tokenLanes: full ? 6 : 3,
    ...(o.stack ? { stack: o.stack } : {}),
  });
}

export async function accessHarness(o: RunOptions): Promise<HarnessResult> {
  return withStack(o, (stack) =>
    runAccess(stack.manifest, stack.dataDir, { mode: o.mode, expired: o.mode === 'full' ? 'wait' : 'backdated', loginFailures: 5 }),
  );
}

export const HARNESSES = { load: loadHarness, fuzz: fuzzHarness, crash: crashHarness, access: accessHarness } as const;
