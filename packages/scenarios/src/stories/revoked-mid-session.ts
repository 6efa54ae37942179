import { agentApi, textOf } from '../agent-api.ts';
import type { Scenario } from '../scenario.ts';
import { enableUser, restoreConnection, setUserDisabled } from '../seed.ts';

const alice = { user: 'alice', app: 'acme-agent' };

/**
 * "Revoked mid-session" (docs/decisions.md §7, RFC 7009): disabling a user stops new tokens at once;
 * an access token already issued lives until its `exp` — which is why XAA access tokens are short
 * and the AS issues no refresh token. The countdown shows that window.
 */
export const revokedMidSession: Scenario = {
  id: 'revoked-mid-session',
  title: 'Revoked mid-session',
  summary:
    'Alice leaves the company while her agent is connected. IT disables her account: every new token is refused at once, and the one access token already issued dies at its expiry — a countdown of minutes, not the months a refresh token would live.',
  async reset(client) {
    await enableUser(client, 'alice');
    await restoreConnection(client, 'acme-agent', 'tasks');
    await agentApi.logout(client, alice);
  },
  steps: [
    {
      id: 'working',
      title: "Alice's agent is working",
      narration: 'Alice is signed in and her agent is connected to Tasks, calling tools.',
      async run({ client, state }) {
        await agentApi.login(client, alice);
        const o = await agentApi.connect(client, alice, ['tasks']);
        const s = o.servers[0];
        const call = await agentApi.call(client, alice, 'tasks', 'list_tasks', {});
        state.expiresAt = s?.expiresAt;
        return {
          ok: s?.status === 'connected' && call.outcome === 'ok',
          headline: `Connected to Tasks; list_tasks ${call.outcome === 'ok' ? 'works' : 'fails'}`,
          facts: [{ label: 'Access token expires', value: s?.expiresAt ? new Date(s.expiresAt * 1000).toLocaleTimeString() : '—' }],
        };
      },
    },
    {
      id: 'disable',
      title: 'IT disables Alice',
      narration: "Alice's last day. IT disables her account at the IdP: her sessions and IdP refresh tokens are revoked centrally, in one place.",
      async run({ client }) {
        await setUserDisabled(client, 'alice', true);
        return { ok: true, headline: 'alice disabled at the IdP', facts: [{ label: 'Sessions and refresh tokens', value: 'revoked', tone: 'good' }] };
      },
    },
    {
      id: 'window',
      title: 'The issued access token still works — until it expires',
      narration:
        'The access token Tasks issued a moment ago is self-contained: Tasks accepts it until it expires. That window is the honest limit of "immediate" revocation — here it is minutes.',
      async run({ client, state }) {
        const call = await agentApi.call(client, alice, 'tasks', 'list_tasks', {});
        const expiresAt = state.expiresAt as number | undefined;
        return {
          ok: call.outcome === 'ok' && !call.renewed,
          headline: call.outcome === 'ok' ? 'list_tasks still answers with the already-issued token' : `list_tasks: ${call.error?.code ?? textOf(call)}`,
          facts: expiresAt ? [{ label: 'Last issued access token dies in', value: expiresAt, countdownTo: expiresAt, tone: 'neutral' }] : [],
        };
      },
    },
    {
      id: 'no-new-tokens',
      title: 'No new token, anywhere',
      narration: 'But the agent can get nothing new: the next token exchange — for Tasks or any other server — is refused by the IdP.',
      async run({ client }) {
        const o = await agentApi.connect(client, alice, ['tasks', 'docs']);
        const refused = o.servers.filter((s) => s.status !== 'connected');
        return {
          ok: refused.length === o.servers.length && o.servers.length === 2,
          headline: `${refused.length} of ${o.servers.length} new connections refused`,
          facts: o.servers.map((s) => ({
            label: s.title,
            value: s.error?.code ?? s.status,
            tone: s.status === 'connected' ? ('bad' as const) : ('good' as const),
          })),
        };
      },
    },
  ],
};
