import { agentApi } from '../agent-api.ts';
import type { Scenario } from '../scenario.ts';
import { enableUser, restoreConnection } from '../seed.ts';

const desktop = { user: 'alice', app: 'acme-desktop' };
const agent = { user: 'alice', app: 'acme-agent' };

/**
 * "SAML app, same policy": Acme Desktop signs in with SAML 2.0, trades the Assertion for an IdP refresh
 * token (draft-04 §4.5) and gets ID-JAGs from it; the connections IT set for it decide, exactly as
 * for an OIDC app, and the user is the same `sub` either way.
 */
export const samlSamePolicy: Scenario = {
  id: 'saml-same-policy',
  title: 'SAML app, same policy',
  summary:
    'Most enterprise apps sign in with SAML. Acme Desktop does: the IdP posts it a signed SAML Assertion, which it exchanges for an IdP refresh token, and every ID-JAG comes from that. The same connection policy decides, and Alice is the same subject as when she signs in with OpenID Connect.',
  async reset(client) {
    await enableUser(client, 'alice');
    await restoreConnection(client, 'acme-desktop', 'tasks');
    await restoreConnection(client, 'acme-desktop', 'docs');
    await agentApi.logout(client, desktop);
    await agentApi.logout(client, agent);
  },
  steps: [
    {
      id: 'saml-sso',
      title: 'Alice signs in to Acme Desktop with SAML',
      narration:
        'Acme Desktop is a SAML app. It sends an AuthnRequest; the IdP signs Alice in and posts a signed Assertion back; the app trades that Assertion for an IdP refresh token.',
      async run({ client, state }) {
        const login = await agentApi.login(client, desktop, { protocol: 'saml' });
        state.samlSub = login.sub;
        return {
          ok: login.outcome === 'ok' && login.protocol === 'saml2',
          headline: login.outcome === 'ok' ? 'Signed in with SAML 2.0; the Assertion became an IdP refresh token' : `Login failed: ${login.error?.description}`,
          facts: [
            { label: 'Protocol', value: 'SAML 2.0 (HTTP-POST, signed Assertion)' },
            { label: 'Subject token chain', value: 'saml2 → refresh_token → ID-JAG', tone: 'good' },
          ],
        };
      },
    },
    {
      id: 'tasks',
      title: 'Tasks: connected through an ID-JAG, no consent screen',
      narration:
        'The app asks the IdP for an ID-JAG with its refresh token. The connection IT made for Acme Desktop allows Tasks for Engineering: no consent screen.',
      async run({ client }) {
        const o = await agentApi.connect(client, desktop, ['tasks']);
        const s = o.servers[0];
        return {
          ok: s?.status === 'connected' && s.mode === 'xaa' && s.consentScreens === 0,
          headline: s ? `${s.title}: ${s.message}` : 'no outcome',
          facts: [
            { label: 'Scopes granted', value: s?.scope ?? '—', tone: 'good' },
            { label: 'Consent screens', value: s?.consentScreens ?? 0, tone: 'good' },
          ],
        };
      },
    },
    {
      id: 'crm',
      title: 'CRM: blocked, as for every unapproved pair',
      narration: 'IT never connected Acme Desktop to CRM. Signing in with SAML changes nothing: the IdP refuses with the same rule an OIDC app would meet.',
      async run({ client }) {
        const o = await agentApi.connect(client, desktop, ['crm']);
        const s = o.servers[0];
        return {
          ok: s?.status === 'blocked' && s.error?.code === 'access_denied',
          headline: s ? `${s.title}: ${s.message}` : 'no outcome',
          facts: [{ label: 'IdP answer', value: s?.error?.code ?? '—', tone: 'bad' }],
        };
      },
    },
    {
      id: 'same-sub',
      title: 'One person, one subject, whichever protocol',
      narration:
        'Alice signs in to Acme Agent with OpenID Connect. Her subject is the same as in the SAML sign-in, so every server sees the same user in every ID-JAG.',
      async run({ client, state }) {
        const login = await agentApi.login(client, agent);
        const same = login.outcome === 'ok' && typeof state.samlSub === 'string' && login.sub === state.samlSub;
        return {
          ok: same,
          headline: same ? 'Same sub over SAML and OIDC' : `Different subjects: ${String(state.samlSub)} vs ${login.sub}`,
          facts: [
            { label: 'SAML NameID (persistent)', value: String(state.samlSub ?? '—') },
            { label: 'OIDC sub', value: login.sub ?? '—', tone: same ? 'good' : 'bad' },
          ],
        };
      },
    },
  ],
};
