import { agentApi } from '../agent-api.ts';
import type { Scenario } from '../scenario.ts';
import { enableUser, restoreConnection } from '../seed.ts';

const bob = { user: 'bob', app: 'acme-agent' };

/** "Contractor denied": the connection Acme Agent → Tasks is for Engineering and IT only. */
export const contractorDenied: Scenario = {
  id: 'contractor-denied',
  title: 'Contractor denied',
  summary:
    'Bob is a contractor. His agent may reach Docs (open to everyone) but not Tasks, which IT opened to Engineering and IT only. The IdP says no, with the rule, and the agent shows "blocked by your organization" instead of a consent screen.',
  async reset(client) {
    await enableUser(client, 'bob');
    await restoreConnection(client, 'acme-agent', 'tasks');
    await restoreConnection(client, 'acme-agent', 'docs');
    await agentApi.logout(client, bob);
  },
  steps: [
    {
      id: 'sso',
      title: 'Bob signs in to his agent',
      narration: 'Bob, a contractor, signs in to Acme Agent with his work account. Signing in is fine: the IdP knows him.',
      async run({ client }) {
        const login = await agentApi.login(client, bob);
        return { ok: login.outcome === 'ok', headline: login.outcome === 'ok' ? 'Bob is signed in' : `Login failed: ${login.error?.description}` };
      },
    },
    {
      id: 'tasks',
      title: 'Tasks: blocked by policy',
      narration:
        "His agent asks the IdP for an ID-JAG for Tasks. The connection Acme Agent → Tasks is for Engineering and IT; the IdP refuses with access_denied and names the rule — not Bob's groups.",
      async run({ client }) {
        const o = await agentApi.connect(client, bob, ['tasks']);
        const s = o.servers[0];
        const ok = s?.status === 'blocked' && s.error?.code === 'access_denied' && s.consentScreens === 0;
        return {
          ok,
          headline: s ? `${s.title}: ${s.message}` : 'no outcome',
          facts: [
            { label: 'IdP answer', value: s?.error?.code ?? '—', tone: 'bad' },
            { label: 'Reason', value: s?.error?.description ?? '—' },
            { label: 'Consent screens shown instead', value: s?.consentScreens ?? 0, tone: 'good' },
          ],
        };
      },
    },
    {
      id: 'docs',
      title: 'Docs: allowed for everyone',
      narration: 'The same agent, the same login, a different server: Docs is open to everyone at Acme, so Bob connects silently.',
      async run({ client }) {
        const o = await agentApi.connect(client, bob, ['docs']);
        const s = o.servers[0];
        return {
          ok: s?.status === 'connected' && s.mode === 'xaa',
          headline: s ? `${s.title}: ${s.message}` : 'no outcome',
          facts: [{ label: 'Scopes granted', value: s?.scope ?? '—', tone: 'good' }],
        };
      },
    },
  ],
};
