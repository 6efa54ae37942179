/**
 * The whole playground in one process: the IdP, the sample servers, the sample client and the
 * console, each on its own loopback port and with its own database, exactly as `start()` functions
 * (design §2). Used by `xaa start`, the e2e suite and the benchmarks.
 */
import { start as startConsole } from '@xaa/console';
import { start as startIdp } from '@xaa/idp';
import { start as startClient } from '@xaa/mcp-client';
import { start as startServers } from '@xaa/mcp-server';
import { loadTopology, type Topology, writeManifest } from '@xaa/topology';
import type { PlaygroundPart } from './parts.ts';

export interface PlaygroundOptions {
  dataDir: string;
  host?: string;
  /** Address to listen on (default 127.0.0.1). */
  listenHost?: string;
  basePort?: number;
  quiet?: boolean;
  /** Called as each part comes up (progress output). */
  onStep?: (label: string, detail?: string) => void;
  /** Start only these parts (one container per app in docker-compose); default: all. */
  only?: readonly PlaygroundPart[];
}

export interface RunningPlayground {
  topology: Topology;
  manifestPath: string;
  close(): Promise<void>;
}

export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const step = options.onStep ?? (() => {});
  const topology = loadTopology({
    dataDir: options.dataDir,
    ...(options.host ? { host: options.host } : {}),
    ...(options.basePort ? { basePort: options.basePort } : {}),
  });
  const common = { topology, dataDir: options.dataDir, host: options.listenHost ?? '127.0.0.1', quiet: options.quiet ?? true };
  const stops: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  const wanted = (part: PlaygroundPart) => !options.only || options.only.includes(part);
  try {
    const manifestPath = writeManifest(topology);
    if (wanted('idp')) {
      const idp = await startIdp(common);
      stops.push(() => idp.close());
      step('IdP', topology.idp.issuer);
    }
    if (wanted('servers')) {
      const servers = await startServers(common);
      stops.push(() => servers.close());
      step('MCP servers', topology.servers.map((s) => `${s.title} ${s.issuer}`).join(' · '));
    }
    if (wanted('client')) {
      const client = await startClient(common);
      stops.push(() => client.close());
      step('Sample client', topology.agent.url);
    }
    if (wanted('console')) {
      const consoleApp = await startConsole(common);
      stops.push(() => consoleApp.close());
      step('Console', topology.console.url);
    }
    step('Manifest', manifestPath);
    return { topology, manifestPath, close };
  } catch (e) {
    await close();
    throw e;
  }
}
