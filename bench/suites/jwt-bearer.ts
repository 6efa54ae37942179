/**
 * jwt-bearer grant (ID-JAG → access token) throughput at a sample server's AS, against the same AS's
 * client_credentials grant in the same run. Both authenticate the client (client_secret_basic) and
 * sign one ES256 access token; the jwt-bearer grant also verifies the ID-JAG (signature with the
 * trusted IdP's cached JWKS, the ordered checks), records its jti (single use, one SQLite INSERT),
 * maps the subject and emits ~17 flow events. ID-JAGs are pre-minted before the timed loop (each is
 * single-use) by a bench IdP key the AS trusts. The two sides run in alternating slices. Target (issue 3): jwt-bearer / client_credentials ≥ 0.6.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { start } from '../../apps/mcp-server/src/index.ts';
import { mintIdJag } from '../../packages/protocol/src/index.ts';
import { defaultTopology } from '../../packages/topology/src/index.ts';
import { interleaved } from '../interleave.ts';
import type { BenchSuite, Measurement } from '../measure.ts';

const suite: BenchSuite = async (ctx) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench-1', alg: 'ES256', use: 'sig' };
  const jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;

  const topology = defaultTopology({ dataDir: ctx.dataDir, basePort: 20_000 + Math.floor(Math.random() * 30_000) });
  const running = await start({
    topology,
    dataDir: ctx.dataDir,
    servers: ['tasks'],
    quiet: true,
    extraTrustedIssuers: [{ issuer, jwks_uri: `${issuer}/jwks` }],
  });
  try {
    const tasks = topology.servers.find((s) => s.name === 'tasks');
    const reg = topology.clients.find((c) => c.name === 'acme-agent')?.servers.tasks;
    if (!tasks || !reg) throw new Error('topology without tasks');
    const authorization = `Basic ${Buffer.from(`${reg.client_id}:${reg.client_secret}`).toString('base64')}`;
    const post = async (form: Record<string, string>) => {
      const res = await fetch(`${tasks.issuer}/token`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (res.status !== 200 || !body.access_token) throw new Error(`${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
    };

    // Pre-mint single-use ID-JAGs (minting is the IdP's cost, not the AS's).
    const pool = ctx.quick ? 8_000 : 40_000;
    const now = Math.floor(Date.now() / 1000);
    const jags: string[] = [];
    for (let i = 0; i < pool; i++) {
      jags.push(
        await mintIdJag(
          {
            iss: issuer,
            sub: `bench-user-${i % 50}`,
            aud: tasks.issuer,
            email: `bench${i % 50}@acme.test`,
            client_id: reg.client_id,
            resource: tasks.resource,
            scope: 'tasks.read',
            jti: randomUUID(),
            iat: now,
            exp: now + 600,
          },
          { kid: 'bench-1', alg: 'ES256', key: privateKey },
        ),
      );
    }
    let next = 0;
    const jwtBearer = () => {
      const assertion = jags[next++];
      if (!assertion) return Promise.reject(new Error('ID-JAG pool exhausted'));
      return post({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    };
    const clientCredentials = () => post({ grant_type: 'client_credentials', scope: 'tasks.read' });

    const [jb, cc] = (await interleaved(
      [
        { name: 'jwt-bearer (ID-JAG → access token)', fn: jwtBearer, maxCalls: pool - 200 },
        { name: 'client_credentials (JWT access token)', fn: clientCredentials },
      ],
      { concurrency: ctx.concurrency, durationMs: ctx.durationMs, warmupCalls: 50, rounds: ctx.quick ? 2 : 5 },
    )) as [Measurement, Measurement];
    return {
      suite: 'jwt-bearer',
      measurements: [jb, cc],
      ratios: [{ name: 'jwt-bearer / client_credentials', value: jb.throughput / cc.throughput, target: 0.6, higherIsBetter: true }],
    };
  } finally {
    await running.close();
    await new Promise((r) => jwksServer.close(r));
  }
};

export default suite;
