import { agentApi } from '../agent-api.ts';
import type { Scenario } from '../scenario.ts';
import { enableUser, removeConnections } from '../seed.ts';

const who = { user: 'alice', app: 'shadow-agent' };
const SERVERS = ['tasks', 'docs', 'crm'];

/** "Unapproved agent blocked" (docs/decisions.md §7): an app IT never approved gets nothing, anywhere. */
export const unapprovedAgent: Scenario = {
  id: 'unapproved-agent',
  title: 'Unapproved agent blocked',
  summary:
    'Alice tries "Shadow Agent", an app that is registered at the IdP but that IT never approved for any server. Every server is blocked at the IdP, and IT sees each attempt in the audit log.',
  async reset(client) {
    await enableUser(client, 'alice');
    await removeConnections(client, 'shadow-agent');
    await agentApi.logout(client, who);
  },
  steps: [
    {
      id: 'sso',
      title: 'Alice signs in to Shadow Agent',
      narration: 'Alice installs a new agent she found, "Shadow Agent". Signing in works: it is a registered app.',
      async run({ client }) {
        const login = await agentApi.login(client, who);
        return { ok: login.outcome === 'ok', headline: login.outcome === 'ok' ? 'Signed in to Shadow Agent' : `Login failed: ${login.error?.description}` };
      },
    },
    {
      id: 'connect',
      title: 'Every server says no',
      narration:
        'It tries to connect to Tasks, Docs and CRM. IT never approved Shadow Agent for anything, so the IdP refuses each ID-JAG. No token ever reaches the servers.',
      async run({ client }) {
        const o = await agentApi.connect(client, who, SERVERS);
        const blocked = o.servers.filter((s) => s.status === 'blocked' && s.error?.code === 'access_denied');
        return {
          ok: blocked.length === SERVERS.length,
          headline: `${blocked.length} of ${SERVERS.length} servers blocked by your organization`,
          facts: o.servers.map((s) => ({
            label: s.title,
            value: s.error?.code ?? s.status,
            tone: s.status === 'blocked' ? ('good' as const) : ('bad' as const),
          })),
        };
      },
    },
    {
      id: 'audit',
      title: 'IT sees it',
      narration: 'In the audit log IT sees which unapproved agent was tried, by whom, for which servers — the visibility that consent screens never gave them.',
      async run({ client }) {
        const { events } = await client.idp<{ events: Array<{ step: string; outcome: string; decision?: { rule: string } }> }>(
          'GET',
          '/audit?client=shadow-agent&step=exchange.decision&outcome=denied&limit=50',
        );
        const denials = events;
        return {
          ok: denials.length >= SERVERS.length,
          headline: `${denials.length} denied exchanges by Shadow Agent in the audit log`,
          facts: [{ label: 'Audit entries', value: denials.length }],
        };
      },
    },
  ],
};
