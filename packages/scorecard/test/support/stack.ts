/**
 * The real playground parts in-process on loopback with a temp data directory, started through the
 * test kit's `startStack`: the IdP and the sample MCP servers (each with its AS) on a free port block,
 * since server issuers are fixed origins.
 */
import { type RunningIdp, start as startIdp } from '@xaa/idp';
import { type RunningMcpServers, start as startServers } from '@xaa/mcp-server';
import { startStack as startParts } from '@xaa/testkit';
import type { Topology } from '@xaa/topology';
import { IdpAdmin } from '../../src/idp.ts';

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

export async function startStack(options: { servers?: string[] } = {}): Promise<Stack> {
  const stack = await startParts({
    tmpPrefix: 'xaa-scorecard-stack-',
    manifest: true,
    parts: {
      idp: ({ topology, dataDir }) => startIdp({ topology, dataDir, quiet: true }),
      servers: ({ topology, dataDir }) => startServers({ topology, dataDir, quiet: true, ...(options.servers ? { servers: options.servers } : {}) }),
    },
  });
  const { topology } = stack;
  return {
    topology,
    dataDir: stack.dataDir,
    idp: stack.idp,
    servers: stack.servers,
    admin: new IdpAdmin({ issuer: stack.idp.issuer, ops: topology.ops }),
    server: (name) => {
      const s = topology.servers.find((x) => x.name === name);
      if (!s) throw new Error(`no server ${name}`);
      return s;
    },
    registration: (client, name) => {
      const r = topology.clients.find((c) => c.name === client)?.servers[name];
      if (!r) throw new Error(`no registration of ${client} at ${name}`);
      return r;
    },
    close: () => stack.close(),
  };
}
