/**
 * Token exchange → ID-JAG throughput at the IdP, against oidc-provider's own client_credentials grant
 * (a signed JWT access token for an admin API) on the same server in the same run. Both requests
 * authenticate the client (client_secret_basic) and sign one ES256 JWT; the exchange also verifies the
 * subject ID token, evaluates the connection policy and records three flow events (audited).
 * Target: token-exchange / client_credentials ≥ 0.6.
 */
import { start } from '@xaa/idp';
import { startStack } from '@xaa/testkit';
import { ssoLogin } from '@xaa/user-agent';
import { interleaved } from '../interleave.ts';
import type { BenchSuite, Measurement } from '../measure.ts';

const suite: BenchSuite = async (ctx) => {
  const stack = await startStack({ dataDir: ctx.dataDir, parts: { idp: ({ topology, dataDir }) => start({ topology, dataDir, quiet: true }) } });
  const { idp, topology } = stack;
  try {
    const agent = topology.clients.find((c) => c.name === 'acme-agent');
    const tasks = topology.servers.find((s) => s.name === 'tasks');
    if (!agent || !tasks) throw new Error('topology without acme-agent or tasks');
    const { tokens } = await ssoLogin({
      issuer: idp.issuer,
      clientId: agent.idp.client_id,
      clientSecret: agent.idp.client_secret,
      redirectUri: agent.idp.redirect_uris[0] as string,
      username: 'alice',
      password: 'demo',
    });
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    const post = async (authorization: string, form: Record<string, string>) => {
      const res = await fetch(`${idp.issuer}/token`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      const body = (await res.json()) as { access_token?: string; error?: string };
      if (res.status !== 200 || !body.access_token) throw new Error(`${res.status} ${body.error ?? ''}`);
    };
    const exchangeAuth = basic(agent.idp.client_id, agent.idp.client_secret);
    const exchange = () =>
      post(exchangeAuth, {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
        subject_token: tokens.id_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        audience: tasks.issuer,
        resource: tasks.resource,
        scope: 'tasks.read',
      });
    const opsAuth = basic(topology.ops.client_id, topology.ops.client_secret);
    const clientCredentials = () => post(opsAuth, { grant_type: 'client_credentials', resource: idp.admin, scope: 'xaa:admin' });

    // Alternating slices: a load change on a shared machine hits target and baseline alike.
    const [tx, cc] = (await interleaved(
      [
        { name: 'token-exchange → ID-JAG', fn: exchange },
        { name: 'client_credentials (JWT access token)', fn: clientCredentials },
      ],
      { concurrency: ctx.concurrency, durationMs: ctx.durationMs, warmupCalls: 50, rounds: ctx.quick ? 2 : 5 },
    )) as [Measurement, Measurement];
    return {
      suite: 'token-exchange',
      measurements: [tx, cc],
      ratios: [{ name: 'token-exchange / client_credentials', value: tx.throughput / cc.throughput, target: 0.6, higherIsBetter: true }],
    };
  } finally {
    await stack.close();
  }
};

export default suite;
