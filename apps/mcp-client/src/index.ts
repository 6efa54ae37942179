/**
 * @xaa/mcp-client — the sample MCP client (agent): one SSO login, then ID-JAG → access token → tools
 * for every server IT approved. The same code is a library (`Agent`), the `xaa` CLI's client commands
 * (`clientCommands`) and a small HTTP API for the console (`start()`), per docs/contracts.md
 * "Apps are functions".
 */
import { FlowLog, listen } from '@xaa/node-kit';
import type { Topology } from '@xaa/topology';
import { Agent } from './agent.ts';
import { createApp } from './api.ts';
import { type AgentOptions, configFromTopology } from './config.ts';
import type { FetchLike } from './http.ts';
import { ClientStore } from './store.ts';

export type { CallOutcome, ConnectOutcome, LoginOutcome, Outcome, RefreshOutcome, ServerOutcome, StatusReport } from './agent.ts';
export { Agent, UsageProblem } from './agent.ts';
export { callbackPage, createApp } from './api.ts';
export type { CallCommand, CliIO, CommandContext, ConnectCommand, LoginCommand } from './cli.ts';
export { CLIENT_HELP, call, clientCommands, connect, EXIT, login, logout, processIO, refresh, runClientCli, status } from './cli.ts';
export type { AgentConfig, AgentOptions } from './config.ts';
export { AGENT_DEFAULTS, ConfigError, configFromManifest, configFromTopology, loadConfig } from './config.ts';
export type { FetchLike } from './http.ts';
export { instrumentedFetch } from './http.ts';
export type { ProgressStep } from './progress.ts';
export { ClientStore } from './store.ts';

export interface AgentStartOptions {
  topology: Topology;
  dataDir: string;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Port (default `topology.agent.port`; the IdP knows the redirect URI on that port). */
  port?: number;
  quiet?: boolean;
  /** Signature-stripped tokens in the live view (docs/decisions.md §4 redact mode). */
  redact?: boolean;
  options?: Partial<AgentOptions>;
  /** Tests: move the agent's clock or route its requests. */
  now?: () => number;
  fetch?: FetchLike;
}

export interface RunningAgent {
  url: string;
  port: number;
  flowLog: FlowLog;
  agent: Agent;
  close(): Promise<void>;
}

export async function start(options: AgentStartOptions): Promise<RunningAgent> {
  const { topology } = options;
  const config = configFromTopology(topology, options.options);
  const store = ClientStore.open(options.dataDir);
  const flowLog = new FlowLog({ capacity: 2000, redact: options.redact ?? false });
  const agent = new Agent({
    config,
    store,
    flowLog,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    redact: options.redact ?? false,
  });
  const app = createApp(agent, {
    issuer: topology.idp.issuer,
    adminAudience: topology.agent.admin,
    adminClientIds: [topology.console.client.client_id, topology.ops.client_id],
  });
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(app.callback(), options.port ?? topology.agent.port, options.host ?? '127.0.0.1', 'agent');
  } catch (e) {
    store.close();
    throw e;
  }
  const url = options.port === 0 ? `http://${topology.host}:${server.port}` : topology.agent.url;
  if (!options.quiet) console.log(`[agent] sample MCP client at ${url} (callback ${config.redirectUri}, data ${options.dataDir})`);
  let closed = false;
  return {
    url,
    port: server.port,
    flowLog,
    agent,
    close: async () => {
      if (closed) return;
      closed = true;
      await server.close();
      store.close();
    },
  };
}
