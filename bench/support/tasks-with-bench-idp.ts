/**
 * The sample Tasks server (with its AS) trusting a bench IdP key served from a loopback JWKS, so a
 * suite can mint as many ID-JAGs as it needs without measuring the real IdP. Shared by the
 * jwt-bearer and tools/call suites.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { start } from '@xaa/mcp-server';
import { mintIdJag } from '@xaa/protocol';
import { startStack } from '@xaa/testkit';
import type { ServerDef } from '@xaa/topology';
import type { BenchContext } from '../measure.ts';

export interface TasksWithBenchIdp {
  tasks: ServerDef;
  /** Acme Agent's registration at the Tasks AS. */
  reg: { client_id: string; client_secret: string };
  /** `Authorization: Basic …` for that registration. */
  basicAuth: string;
  /** A fresh, single-use ID-JAG for Tasks signed by the bench IdP. */
  mint(options: { sub: string; email: string; ttl: number }): Promise<string>;
  close(): Promise<void>;
}

export async function startTasksWithBenchIdp(ctx: BenchContext): Promise<TasksWithBenchIdp> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench-1', alg: 'ES256', use: 'sig' };
  let issuer = '';
  const stack = await startStack({
    dataDir: ctx.dataDir,
    parts: {
      // The bench IdP: only its JWKS, on a port of its own.
      jwks: async () => {
        const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        return { close: () => new Promise<void>((r) => server.close(() => r())) };
      },
      tasks: ({ topology, dataDir }) =>
        start({ topology, dataDir, servers: ['tasks'], quiet: true, extraTrustedIssuers: [{ issuer, jwks_uri: `${issuer}/jwks` }] }),
    },
  });
  const { topology } = stack;
  const close = () => stack.close();
  const tasks = topology.servers.find((s) => s.name === 'tasks');
  const reg = topology.clients.find((c) => c.name === 'acme-agent')?.servers.tasks;
  if (!tasks || !reg) {
    await close();
    throw new Error('topology without tasks');
  }
  return {
    tasks,
    reg,
    basicAuth: `Basic ${Buffer.from(`${reg.client_id}:${reg.client_secret}`).toString('base64')}`,
    mint: ({ sub, email, ttl }) => {
      const now = Math.floor(Date.now() / 1000);
      return mintIdJag(
        {
          iss: issuer,
          sub,
          aud: tasks.issuer,
          email,
          client_id: reg.client_id,
          resource: tasks.resource,
          scope: 'tasks.read',
          jti: randomUUID(),
          iat: now,
          exp: now + ttl,
        },
        { kid: 'bench-1', alg: 'ES256', key: privateKey },
      );
    },
    close,
  };
}
