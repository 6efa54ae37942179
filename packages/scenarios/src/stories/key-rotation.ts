import { agentApi } from '../agent-api.ts';
import type { PlaygroundClient } from '../playground-client.ts';
import type { Scenario } from '../scenario.ts';
import { enableUser, restoreConnection } from '../seed.ts';

const alice = { user: 'alice', app: 'acme-agent' };

interface KeysView {
  keys: Array<{ kid: string; alg: string; current: boolean }>;
}

async function currentKid(client: PlaygroundClient): Promise<string | undefined> {
  return (await client.idp<KeysView>('GET', '/keys')).keys.find((k) => k.current)?.kid;
}

/** The kid of the last ID-JAG the IdP issued in the current trace (from its audit: header + claims, no token). */
async function issuedKid(client: PlaygroundClient): Promise<string | undefined> {
  const traceId = client.trace?.traceId;
  const { events } = await client.idp<{ events: Array<{ tokens?: Array<{ header?: { kid?: string } }> }> }>(
    'GET',
    `/audit?step=exchange.issued${traceId ? `&traceId=${traceId}` : ''}&limit=1`,
  );
  return events[0]?.tokens?.[0]?.header?.kid;
}

async function publishedKids(client: PlaygroundClient): Promise<string[]> {
  const r = await client.request<{ keys: Array<{ kid: string }> }>('GET', `${client.manifest.idp.issuer}/jwks`);
  return r.body.keys.map((k) => k.kid);
}

/** "Key rotation" (docs/decisions.md §4, EMA §7.4.1): the IdP rotates its signing key; servers keep up via JWKS. */
export const keyRotation: Scenario = {
  id: 'key-rotation',
  title: 'Key rotation',
  summary:
    "IT rotates the IdP's signing key. New ID-JAGs carry the new kid; each server's authorization server sees an unknown kid, refetches the IdP's JWKS and carries on. The old key stays published until everything it signed has expired.",
  async reset(client) {
    await enableUser(client, 'alice');
    await restoreConnection(client, 'acme-agent', 'tasks');
    await agentApi.logout(client, alice);
  },
  steps: [
    {
      id: 'before',
      title: 'ID-JAGs signed with the current key',
      narration: "Alice's agent connects to Tasks. The ID-JAG names the IdP's current signing key in its header (kid).",
      async run({ client, state }) {
        await agentApi.login(client, alice);
        const o = await agentApi.connect(client, alice, ['tasks']);
        state.oldKid = await currentKid(client);
        const kid = await issuedKid(client);
        return {
          ok: o.servers[0]?.status === 'connected' && kid === state.oldKid,
          headline: `Connected; ID-JAG signed with kid ${kid ?? '—'}`,
          facts: [{ label: 'Signing key', value: String(state.oldKid) }],
        };
      },
    },
    {
      id: 'rotate',
      title: 'IT rotates the signing key',
      narration: 'IT rotates the key in the console. The new key signs from now on; the old one stays in the JWKS so tokens it signed still verify.',
      async run({ client, state }) {
        await client.idp('POST', '/keys/rotate', {});
        state.newKid = await currentKid(client);
        const kids = await publishedKids(client);
        return {
          ok: state.newKid !== state.oldKid && kids.includes(state.newKid as string) && kids.includes(state.oldKid as string),
          headline: `Now signing with ${state.newKid}; JWKS publishes ${kids.length} keys`,
          facts: [
            { label: 'New key', value: String(state.newKid), tone: 'good' },
            { label: 'Old key still published', value: kids.includes(state.oldKid as string) ? 'yes' : 'no' },
          ],
        };
      },
    },
    {
      id: 'after',
      title: 'Servers follow without a restart',
      narration:
        "Alice's agent connects again. The ID-JAG carries the new kid; the Tasks authorization server has never seen it, refetches the IdP's JWKS, verifies, and issues a token. Nobody touched the server.",
      async run({ client, state }) {
        await agentApi.logout(client, alice);
        await agentApi.login(client, alice);
        const o = await agentApi.connect(client, alice, ['tasks']);
        const kid = await issuedKid(client);
        return {
          ok: o.servers[0]?.status === 'connected' && kid === state.newKid,
          headline: `${o.servers[0]?.status === 'connected' ? 'Connected' : `Not connected (${o.servers[0]?.error?.code ?? o.servers[0]?.status})`}; ID-JAG signed with kid ${kid ?? '—'}${kid === state.newKid ? '' : ` (expected ${state.newKid})`}`,
          facts: [{ label: 'Tasks accepted the new key', value: o.servers[0]?.status === 'connected' ? 'yes' : 'no', tone: 'good' }],
        };
      },
    },
  ],
};
