import { agentApi, textOf } from '../agent-api.ts';
import type { Scenario } from '../scenario.ts';
import { enableUser, findConnection, restoreConnection } from '../seed.ts';

const alice = { user: 'alice', app: 'acme-agent' };

/** "Scope narrowed" (docs/decisions.md §7): IT makes Docs read-only for Acme Agent; the next token reflects it. */
export const scopeNarrowed: Scenario = {
  id: 'scope-narrowed',
  title: 'Scope narrowed',
  summary:
    "IT decides coding agents get read-only access to Docs. One edit to one connection, and Alice's very next token carries docs.read only: reading works, writing is refused by the server, and asking for more is refused by the IdP.",
  async reset(client) {
    await enableUser(client, 'alice');
    await restoreConnection(client, 'acme-agent', 'docs');
    await agentApi.logout(client, alice);
  },
  steps: [
    {
      id: 'before',
      title: 'Alice writes to Docs',
      narration: 'Alice is connected to Docs through Acme Agent with read and write access, as the seed policy says.',
      async run({ client }) {
        await agentApi.login(client, alice);
        const o = await agentApi.connect(client, alice, ['docs']);
        const s = o.servers[0];
        const w = await agentApi.call(client, alice, 'docs', 'write_doc', { title: 'Agent notes', body: 'Written before the policy change.' });
        return {
          ok: s?.status === 'connected' && w.outcome === 'ok' && !w.result?.isError,
          headline: `Granted ${s?.scope ?? '—'}; write_doc ${w.outcome === 'ok' && !w.result?.isError ? 'succeeded' : 'failed'}`,
          facts: [
            { label: 'Scopes', value: s?.scope ?? '—' },
            { label: 'Tool result', value: textOf(w).slice(0, 120) || (w.error?.description ?? '—') },
          ],
        };
      },
    },
    {
      id: 'edit',
      title: 'IT narrows the connection to docs.read',
      narration: 'In the console, IT edits one connection: Acme Agent → Docs, scopes docs.read only. No one has to reconfigure an agent.',
      async run({ client }) {
        const c = await findConnection(client, 'acme-agent', 'docs');
        if (!c) return { ok: false, headline: 'No Acme Agent → Docs connection to edit' };
        await client.idp('PATCH', `/connections/${c.id}`, { scopes: ['docs.read'] });
        return { ok: true, headline: 'Acme Agent → Docs now allows docs.read', facts: [{ label: 'Allowed scopes', value: 'docs.read' }] };
      },
    },
    {
      id: 'after',
      title: 'The next token is read-only',
      narration:
        "Alice's agent reconnects. The IdP grants only docs.read; reading works, and the server refuses a write with insufficient_scope. The agent tries one step-up, and the IdP says no.",
      async run({ client }) {
        await agentApi.logout(client, alice);
        await agentApi.login(client, alice);
        const o = await agentApi.connect(client, alice, ['docs']);
        const s = o.servers[0];
        const read = await agentApi.call(client, alice, 'docs', 'search_docs', { query: 'onboarding' });
        const write = await agentApi.call(client, alice, 'docs', 'write_doc', { title: 'Agent notes', body: 'This should be refused.' });
        const readOk = read.outcome === 'ok' && !read.result?.isError;
        const writeRefused = write.outcome !== 'ok' || write.result?.isError === true;
        return {
          ok: s?.scope === 'docs.read' && readOk && writeRefused,
          headline: `Granted ${s?.scope ?? '—'}: search ${readOk ? 'works' : 'fails'}, write ${writeRefused ? 'refused' : 'ALLOWED'}`,
          facts: [
            { label: 'Scopes in the new token', value: s?.scope ?? '—', tone: 'good' },
            { label: 'Write refused with', value: write.error?.code ?? textOf(write).slice(0, 80), tone: 'good' },
          ],
        };
      },
    },
  ],
};
