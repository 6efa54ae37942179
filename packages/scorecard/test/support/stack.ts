/**
 * The real playground parts in-process on loopback with a temp data directory: the IdP and the
 * sample MCP servers (each with its AS) on a free port range, since server issuers are fixed origins.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningIdp, start as startIdp } from '@xaa/idp';
import { type RunningMcpServers, start as startServers } from '@xaa/mcp-server';
import { ListenError } from '@xaa/node-kit';
import { loadTopology, type Topology, writeManifest } from '@xaa/topology';
import { IdpAdmin } from '../../src/idp.ts';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function freeBasePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 38_000);
    if ((await Promise.all([0, 101, 102, 103, 104, 200].map((d) => portFree(base + d)))).every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

export interface Stack {
  topology: Topology;
  dataDir: string;
  idp: RunningIdp;
  servers: RunningMcpServers;
  admin: IdpAdmin;
  server(name: string): Topology['servers'][number];
  registration(client: string, server: string): { client_id: string; client_secret: string };
  close(): Promise<void>;
}

/** Start the stack; a port checked free but taken meanwhile (other suites pick ports too) gets a fresh range. */
export async function startStack(options: { servers?: string[] } = {}): Promise<Stack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStackOnce(options);
    } catch (e) {
      if (!(e instanceof ListenError) || attempt >= 4) throw e;
    }
  }
}

async function startStackOnce(options: { servers?: string[] }): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xaa-scorecard-stack-'));
  const topology = loadTopology({ dataDir, basePort: await freeBasePort() });
  writeManifest(topology);
  let idp: RunningIdp;
  try {
    idp = await startIdp({ topology, dataDir, quiet: true });
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  let servers: RunningMcpServers;
  try {
    servers = await startServers({ topology, dataDir, quiet: true, ...(options.servers ? { servers: options.servers } : {}) });
  } catch (e) {
    await idp.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const server = (name: string) => {
    const s = topology.servers.find((x) => x.name === name);
    if (!s) throw new Error(`no server ${name}`);
    return s;
  };
  return {
    topology,
    dataDir,
    idp,
    servers,
    admin: new IdpAdmin({ issuer: idp.issuer, ops: topology.ops }),
    server,
    registration: (client, name) => {
      const r = topology.clients.find((c) => c.name === client)?.servers[name];
      if (!r) throw new Error(`no registration of ${client} at ${name}`);
      return r;
    },
    close: async () => {
      await servers.close();
      await idp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
