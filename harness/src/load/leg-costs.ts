/**
 * Where a flow's CPU goes, leg by leg: the load harness's per-leg runs (each leg alone, the server's
 * CPU time read before and after).
 */
import { performance } from 'node:perf_hooks';
import { cpuSeconds } from '@xaa/testkit';
import type { keepAliveAgent } from '../http.ts';
import { jwtBearer, mcpModernToolCall, tokenExchange } from '../xaa.ts';
import type { SimulatedClient } from './run.ts';

export interface LegCost {
  leg: 'token exchange (IdP)' | 'jwt-bearer (AS)' | 'MCP tools/call';
  requests: number;
  perSecond: number;
  /** Server CPU (all threads) per request, ms. */
  cpuMsPerRequest: number | undefined;
  errors: number;
}

/**
 * Where a flow's CPU goes: each leg alone, `requests` times at `concurrency`, with the server's CPU
 * time read before and after. The ID-JAGs redeemed are those the exchange leg just minted (each once),
 * the tools/call leg reuses one access token (as a client does between renewals).
 */
export async function measureLegCosts(
  sims: SimulatedClient[],
  o: {
    requests: number;
    concurrency: number;
    agent: ReturnType<typeof keepAliveAgent>;
    idpToken: string;
    asToken: Map<string, string>;
    serverPid?: number;
    timeoutMs: number;
  },
): Promise<LegCost[]> {
  const sim = sims[0] as SimulatedClient;
  const call = { agent: o.agent, timeoutMs: o.timeoutMs };
  const measure = async (leg: LegCost['leg'], n: number, request: (i: number) => Promise<boolean>): Promise<LegCost> => {
    let next = 0;
    let errors = 0;
    const cpu0 = cpuSeconds(o.serverPid);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(o.concurrency, n) }, async () => {
        while (next < n) if (!(await request(next++).catch(() => false))) errors++;
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuSeconds(o.serverPid);
    return {
      leg,
      requests: n,
      perSecond: n / seconds,
      cpuMsPerRequest: cpu0 !== undefined && cpu1 !== undefined && n > 0 ? ((cpu1 - cpu0) * 1000) / n : undefined,
      errors,
    };
  };
  const idJags: string[] = [];
  const exchange = await measure('token exchange (IdP)', o.requests, async () => {
    const r = await tokenExchange(o.idpToken, sim.client, sim.idToken, sim.server, undefined, call);
    if (r.status === 200) idJags.push((JSON.parse(r.body) as { access_token: string }).access_token);
    return r.status === 200;
  });
  let accessToken = '';
  const bearer = await measure('jwt-bearer (AS)', idJags.length, async (i) => {
    const r = await jwtBearer(o.asToken.get(sim.server.name) as string, sim.client, sim.server, idJags[i] as string, call);
    if (r.status === 200) accessToken ||= (JSON.parse(r.body) as { access_token: string }).access_token;
    return r.status === 200;
  });
  const tools = await measure('MCP tools/call', accessToken ? o.requests : 0, async () => {
    const r = await mcpModernToolCall(sim.server.resource, accessToken, sim.tool.name, sim.tool.args, call);
    return r.ok;
  });
  return [exchange, bearer, tools];
}
