/**
 * Test support: the real IdP and (when asked) the real sample servers, started in-process with their
 * `start()` through the test kit's `startStack` (free loopback ports, one topology, a temp data
 * directory), plus the agent itself (`start()` of this package). Nothing is mocked: every hop is
 * real HTTP and SQLite.
 */
import { type RunningIdp, start as startIdp } from '@xaa/idp';
import { start as startServers } from '@xaa/mcp-server';
import { startStack as startParts } from '@xaa/testkit';
import type { Topology } from '@xaa/topology';
import { type RunningAgent, start as startAgent } from '../../src/index.ts';

export interface Stack {
  topology: Topology;
  dataDir: string;
  idp: RunningIdp;
  agent: RunningAgent;
  /** An admin-API token from the ops client (client_credentials, RFC 8707 resource). */
  opsToken(resource: string): Promise<string>;
  /** Call an admin API with an ops token for its audience. */
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes, asserted field by field
  admin(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

type StackOptions = { servers?: boolean; agentNow?: () => number; serverNow?: () => number };

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const stack = await startParts({
    tmpPrefix: 'xaa-agent-test-',
    manifest: true,
    parts: {
      idp: ({ topology, dataDir }) => startIdp({ topology, dataDir, quiet: true }),
      servers: async ({ topology, dataDir }) =>
        options.servers
          ? startServers({ topology, dataDir, quiet: true, ...(options.serverNow ? { now: options.serverNow } : {}) })
          : { close: async () => {} },
      agent: ({ topology, dataDir }) => startAgent({ topology, dataDir, quiet: true, ...(options.agentNow ? { now: options.agentNow } : {}) }),
    },
  });
  return {
    topology: stack.topology,
    dataDir: stack.dataDir,
    idp: stack.idp,
    agent: stack.agent,
    opsToken: (resource) => stack.opsToken(resource),
    admin: (base, method, path, body) => stack.admin(`${base}${path}`, { method, body }),
    close: () => stack.close(),
  };
}
