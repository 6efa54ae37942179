/**
 * Test support: the real IdP and (when present) the real sample servers, started in-process with
 * their `start()` on free loopback ports sharing one topology and a temp data directory, plus the
 * agent itself (`start()` of this package). Nothing is mocked: every hop is real HTTP and SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningIdp, start as startIdp } from '@xaa/idp';
import { defaultTopology, type Topology, writeManifest } from '@xaa/topology';
import { type RunningAgent, start as startAgent } from '../../src/index.ts';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port whose whole topology range (idp, 4 servers, agent, console) is free right now. */
export async function freeBasePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 35_000);
    const ports = [base, base + 101, base + 102, base + 103, base + 104, base + 200, base + 300];
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

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

type Closable = { close(): Promise<void> };

type StackOptions = { servers?: boolean; agentNow?: () => number; serverNow?: () => number };

/** Start the stack; a port taken between the check and the bind (parallel test files) means another try. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStackOnce(options);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EADDRINUSE' || attempt >= 4) throw e;
    }
  }
}

async function startStackOnce(options: StackOptions): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xaa-agent-test-'));
  const topology = defaultTopology({ dataDir, basePort: await freeBasePort() });
  writeManifest(topology);
  const running: Closable[] = [];
  try {
    const idp = await startIdp({ topology, dataDir, quiet: true });
    running.push(idp);
    if (options.servers) {
      const mod = (await import('@xaa/mcp-server')) as {
        start(o: { topology: Topology; dataDir: string; host?: string; quiet?: boolean; now?: () => number }): Promise<Closable>;
      };
      running.push(await mod.start({ topology, dataDir, quiet: true, ...(options.serverNow ? { now: options.serverNow } : {}) }));
    }
    const agent = await startAgent({ topology, dataDir, quiet: true, ...(options.agentNow ? { now: options.agentNow } : {}) });
    running.push(agent);
    const opsToken = async (resource: string) => {
      const res = await fetch(`${topology.idp.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${topology.ops.client_id}:${topology.ops.client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'xaa:admin' }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`no ops token for ${resource}: ${JSON.stringify(body)}`);
      return body.access_token;
    };
    const admin: Stack['admin'] = async (base, method, path, body) => {
      const token = await opsToken(base);
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    return {
      topology,
      dataDir,
      idp,
      agent,
      opsToken,
      admin,
      close: async () => {
        for (const r of running.reverse()) await r.close().catch(() => {});
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    for (const r of running.reverse()) await r.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
