/**
 * @xaa/mcp-server — the sample MCP servers of the playground (docs/decisions.md §3: Tasks, Docs, CRM with
 * ID-JAG; Wiki classic OAuth only), each on its own origin with its own authorization server
 * (issuer = origin, resource = origin + `/mcp`). Servers are data: a topology entry plus a tools
 * module. `start()` runs them as a function (docs/contracts.md "Apps are functions"); `main.ts` runs
 * them as a process.
 */
import { join } from 'node:path';
import { FlowLog, listen, listensPrivately, openDatabase, outboundFetch, type RunningServer } from '@xaa/node-kit';
import { pruneExpired } from '@xaa/node-kit/oidc-host';
import type { ServerDef } from '@xaa/topology';
import { buildServer } from './app.ts';
import { CimdResolver } from './as/cimd.ts';
import { defaults, type McpServerOptions } from './config.ts';
import type { ServerRuntime } from './context.ts';
import { ClientStore } from './db/clients.ts';
import { loadOrCreateKey } from './db/keys.ts';
import { JtiReplayStore } from './db/replay.ts';
import { migrations } from './db/schema.ts';
import { SettingsStore } from './db/settings.ts';
import { TrustStore } from './db/trust.ts';
import { UserStore } from './db/users.ts';
import { toolModules } from './mcp/tools/index.ts';
import { seed } from './seed.ts';

export type { AsSettings, McpServerOptions } from './config.ts';
export { defaults } from './config.ts';
export type { ToolDefinition, ToolModule } from './mcp/tool.ts';
export { defineTool } from './mcp/tool.ts';

export interface RunningServerInfo {
  name: string;
  title: string;
  /** AS issuer = origin, no trailing slash. */
  issuer: string;
  /** RFC 9728 resource identifier = the MCP endpoint. */
  resource: string;
  /** The MCP endpoint URL (= resource). */
  url: string;
  /** Admin API base URL. */
  admin: string;
  xaa: boolean;
}

export interface RunningMcpServers {
  servers: RunningServerInfo[];
  /** Flow-event log of each server, by server name. */
  flowLogs: Record<string, FlowLog>;
  close(): Promise<void>;
}

export async function start(options: McpServerOptions): Promise<RunningMcpServers> {
  const { topology } = options;
  const host = options.host ?? '127.0.0.1';
  const nowMs = options.now ?? Date.now;
  const nowSeconds = () => Math.floor(nowMs() / 1000);
  const modules = { ...toolModules, ...options.toolModules };

  const unknown = (options.servers ?? []).filter((n) => !topology.servers.some((s) => s.name === n));
  if (unknown.length) throw new Error(`Unknown server(s): ${unknown.join(', ')}. The topology has ${topology.servers.map((s) => s.name).join(', ')}.`);
  const defs: ServerDef[] = topology.servers.filter((s) => !options.servers || options.servers.includes(s.name));
  for (const d of defs) if (!modules[d.name]) throw new Error(`Server ${d.name} has no tools module: add one (see src/mcp/tools/index.ts).`);

  // WAL + synchronous NORMAL (openDatabase): a committed row (a consumed jti, a rotated refresh token)
  // survives a process crash or restart.
  const db = openDatabase(join(options.dataDir, 'resource.db'), migrations);
  const outbound = outboundFetch({
    allowPrivate: options.outboundPrivate ?? listensPrivately(host),
    timeoutMs: defaults.cimd.timeoutMs,
    maxBytes: defaults.cimd.maxBytes,
  });
  const listening: RunningServer[] = [];
  const built: Array<ReturnType<typeof buildServer>> = [];
  const flowLogs: Record<string, FlowLog> = {};
  try {
    for (const def of defs) {
      const tools = modules[def.name] as NonNullable<(typeof modules)[string]>;
      db.exec(tools.tables);
      const flowLog = new FlowLog({ capacity: defaults.eventCapacity, redact: options.redact ?? false });
      const users = new UserStore(db, def.name, nowSeconds);
      const base: Omit<ServerRuntime, 'provider'> = {
        def,
        topology,
        db,
        flowLog,
        key: await loadOrCreateKey(db, def.name, nowSeconds()),
        settings: new SettingsStore(db, def.name),
        trust: new TrustStore(db, def.name, nowSeconds),
        users,
        clients: new ClientStore(db, def.name, nowSeconds),
        cimd: new CimdResolver(outbound, nowMs),
        outboundFetch: outbound,
        replay: new JtiReplayStore(db, def.name, nowSeconds),
        tools,
        nowMs,
        nowSeconds,
        party: { as: `as:${def.name}`, mcp: `mcp:${def.name}` },
        createUser(input) {
          return db.transaction(() => {
            const user = users.create(input);
            tools.seedUser(db, def.name, user.id, nowSeconds());
            return user;
          })();
        },
      };
      const server = buildServer(base);
      seed(server.rt);
      if (def.xaa)
        for (const t of options.extraTrustedIssuers ?? [])
          server.rt.trust.add({ issuer: t.issuer, jwks_uri: t.jwks_uri, algorithms: t.algorithms ?? [...defaults.idJagAlgorithms] });
      built.push(server);
      flowLogs[def.name] = flowLog;
      listening.push(await listen(server.callback, def.port, host, `mcp-server ${def.name}`));
    }
  } catch (e) {
    await Promise.all(listening.map((l) => l.close()));
    await Promise.all(built.map((b) => b.close()));
    db.close();
    throw e;
  }

  const prune = setInterval(() => {
    try {
      pruneExpired(db, nowSeconds());
      for (const b of built) b.rt.replay.prune(defaults.clockSkew);
    } catch (e) {
      console.error('[mcp-server] prune failed:', (e as Error).message);
    }
  }, 60_000);
  prune.unref();

  if (!options.quiet)
    for (const d of defs) console.log(`[mcp-server] ${d.title.padEnd(6)} ${d.resource}  (AS ${d.issuer}${d.xaa ? ', ID-JAG' : ', classic OAuth only'})`);

  let closed = false;
  return {
    servers: defs.map((d) => ({ name: d.name, title: d.title, issuer: d.issuer, resource: d.resource, url: d.resource, admin: d.admin, xaa: d.xaa })),
    flowLogs,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(prune);
      await Promise.all(listening.map((l) => l.close()));
      await Promise.all(built.map((b) => b.close()));
      db.close();
    },
  };
}
