import { GRANT_TYPE_JWT_BEARER, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { ssoLogin } from '@xaa/user-agent';
import type { PlaygroundClient } from '../playground-client.ts';
import type { Scenario } from '../scenario.ts';
import { enableUser, restoreConnection } from '../seed.ts';

const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;

async function asTokenEndpoint(client: PlaygroundClient, issuer: string): Promise<string> {
  const r = await client.request<{ token_endpoint: string }>('GET', `${issuer}/.well-known/oauth-authorization-server`);
  return r.body.token_endpoint;
}

/** "Replay blocked" (EMA §7.4.2): an ID-JAG is single-use at the resource AS. */
export const replayBlocked: Scenario = {
  id: 'replay-blocked',
  title: 'Replay blocked',
  summary:
    'Someone copies an ID-JAG off the wire and presents it again. The Tasks authorization server remembers every jti until it expires and refuses the second use.',
  async reset(client) {
    await enableUser(client, 'alice');
    await restoreConnection(client, 'acme-agent', 'tasks');
  },
  steps: [
    {
      id: 'grant',
      title: 'The agent gets an ID-JAG for Tasks',
      narration: 'Alice signs in to Acme Agent; the agent exchanges her ID token at the IdP for an ID-JAG addressed to the Tasks authorization server.',
      async run({ client, state }) {
        const app = client.app('acme-agent');
        const tasks = client.serverDef('tasks');
        const user = client.manifest.users.find((u) => u.username === 'alice');
        const sso = await ssoLogin({
          issuer: client.manifest.idp.issuer,
          clientId: app.idp.client_id,
          clientSecret: app.idp.client_secret,
          redirectUri: app.idp.redirect_uris[0] as string,
          username: 'alice',
          password: user?.password ?? 'demo',
          ...(client.trace ? { headers: { traceparent: `00-${client.trace.traceId}-${client.trace.spanId}-01` } } : {}),
        });
        const ex = await client.request<{ access_token?: string; error?: string; error_description?: string }>('POST', sso.tokenEndpoint, {
          auth: basic(app.idp.client_id, app.idp.client_secret),
          form: {
            grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
            requested_token_type: TOKEN_TYPE_ID_JAG,
            audience: tasks.issuer,
            resource: tasks.resource,
            scope: 'tasks.read',
            subject_token: sso.tokens.id_token,
            subject_token_type: TOKEN_TYPE_ID_TOKEN,
          },
        });
        state.idJag = ex.body.access_token;
        return {
          ok: ex.status === 200 && typeof ex.body.access_token === 'string',
          headline: ex.status === 200 ? 'ID-JAG issued for Tasks (single-use, 5 minutes)' : `Exchange refused: ${ex.body.error}`,
        };
      },
    },
    {
      id: 'redeem',
      title: 'First use: an access token',
      narration:
        'The agent presents the ID-JAG to the Tasks authorization server, authenticating with its own Tasks registration. It gets a short-lived access token.',
      async run({ client, state }) {
        const app = client.app('acme-agent');
        const reg = app.servers.tasks as { client_id: string; client_secret: string };
        const endpoint = await asTokenEndpoint(client, client.serverDef('tasks').issuer);
        state.endpoint = endpoint;
        const r = await client.request<{ access_token?: string; error?: string }>('POST', endpoint, {
          auth: basic(reg.client_id, reg.client_secret),
          form: { grant_type: GRANT_TYPE_JWT_BEARER, assertion: state.idJag as string },
        });
        return { ok: r.status === 200 && !!r.body.access_token, headline: r.status === 200 ? 'Access token issued' : `Refused: ${r.body.error}` };
      },
    },
    {
      id: 'replay',
      title: 'Second use: refused',
      narration:
        'Now the copied ID-JAG is presented again. The authorization server has seen this jti: invalid_grant. A stolen grant is worth one use at most — and the real agent already spent it.',
      async run({ client, state }) {
        const reg = client.app('acme-agent').servers.tasks as { client_id: string; client_secret: string };
        const r = await client.request<{ error?: string; error_description?: string }>('POST', state.endpoint as string, {
          auth: basic(reg.client_id, reg.client_secret),
          form: { grant_type: GRANT_TYPE_JWT_BEARER, assertion: state.idJag as string },
        });
        return {
          ok: r.status === 400 && r.body.error === 'invalid_grant',
          headline: `${r.status} ${r.body.error ?? ''}: ${r.body.error_description ?? ''}`,
          facts: [
            { label: 'Answer', value: r.body.error ?? String(r.status), tone: 'good' },
            { label: 'Why', value: r.body.error_description ?? '—' },
            { label: 'Rule', value: 'EMA §7.4.2: ID-JAGs are single-use' },
          ],
        };
      },
    },
  ],
};
