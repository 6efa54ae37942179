import { agentApi, type ConnectOutcome } from '../agent-api.ts';
import type { Scenario } from '../scenario.ts';
import { enableUser, restoreConnection } from '../seed.ts';

const alice = { user: 'alice', app: 'acme-agent' };
const SERVERS = ['tasks', 'docs'];

const elapsed = (o: ConnectOutcome, ms: number) => ({ consent: o.consentScreens, ms });

/**
 * "Consent screens vs XAA" (docs/decisions.md §7 and §7.3): connect the same servers both ways and count what
 * the user had to do. Clicks: one per form the user would submit (a sign-in or an "Allow").
 */
export const consentVsXaa: Scenario = {
  id: 'consent-vs-xaa',
  title: 'Consent screens vs XAA',
  summary:
    'Alice connects her agent to Tasks and Docs twice: the classic way (a redirect, a sign-in and a consent screen per server) and with Cross-App Access (one SSO login, zero consent screens).',
  async reset(client) {
    await enableUser(client, 'alice');
    for (const s of SERVERS) await restoreConnection(client, 'acme-agent', s);
    await agentApi.logout(client, alice);
  },
  steps: [
    {
      id: 'sso',
      title: 'Alice signs in once at the company IdP',
      narration: 'Day 1 at Acme: Alice opens her coding agent and signs in with her work account. One login, at the IdP.',
      async run({ client, state }) {
        const t0 = performance.now();
        const login = await agentApi.login(client, alice);
        state.ssoMs = performance.now() - t0;
        return {
          ok: login.outcome === 'ok',
          headline: login.outcome === 'ok' ? 'Signed in at Acme Workforce (1 login form)' : `Login failed: ${login.error?.description}`,
        };
      },
    },
    {
      id: 'classic',
      title: 'Before XAA: each server asks separately',
      narration:
        'Without XAA every MCP server is its own OAuth dance: a redirect to that server, an SSO hop through the company IdP to sign in there (silent at best), and a consent screen nobody reads. Per server, per person.',
      async run({ client, state }) {
        const t0 = performance.now();
        const o = await agentApi.connect(client, alice, SERVERS, { classic: true });
        const ms = performance.now() - t0;
        const connected = o.servers.filter((s) => s.status === 'connected').length;
        const clicks = o.servers.reduce((n, s) => n + (s.status === 'connected' ? s.consentScreens * 2 : 0), 0);
        state.classic = { ...elapsed(o, ms), clicks, connected };
        const perServer = o.servers.every((s) => s.mode === 'classic' && s.consentScreens >= 1);
        return {
          ok: connected === SERVERS.length && perServer,
          headline: `${o.consentScreens} consent screens for ${connected} servers`,
          facts: [
            { label: 'Consent screens', value: o.consentScreens, tone: 'bad' },
            { label: 'Clicks (sign-in + Allow per server)', value: clicks, tone: 'bad' },
            { label: 'Elapsed', value: `${(ms / 1000).toFixed(1)} s` },
          ],
        };
      },
    },
    {
      id: 'xaa',
      title: 'With XAA: the IdP brokers every connection',
      narration:
        'Now the same servers with Cross-App Access: the agent asks the IdP for an ID-JAG per server, the IdP checks the connection policy IT set up, and each server swaps it for a short-lived token. Nobody clicks anything.',
      async run({ client, state }) {
        await agentApi.logout(client, alice);
        const t0 = performance.now();
        const login = await agentApi.login(client, alice);
        const o = await agentApi.connect(client, alice, SERVERS);
        const ms = performance.now() - t0;
        const connected = o.servers.filter((s) => s.status === 'connected' && s.mode === 'xaa').length;
        state.xaa = { ...elapsed(o, ms), clicks: login.outcome === 'ok' ? 1 : 0, connected };
        return {
          ok: connected === SERVERS.length && o.consentScreens === 0,
          headline: `${connected} servers connected, ${o.consentScreens} consent screens`,
          facts: [
            { label: 'Consent screens', value: o.consentScreens, tone: 'good' },
            { label: 'Clicks (the one SSO login)', value: 1, tone: 'good' },
            { label: 'Elapsed', value: `${(ms / 1000).toFixed(1)} s` },
          ],
        };
      },
    },
    {
      id: 'compare',
      title: 'Side by side',
      narration:
        'Across a company that is hundreds of clicks a day, and consent screens that teach people to click "Allow" on anything. With XAA the decision is made once, by IT, and written to the audit log.',
      async run({ state }) {
        const c = state.classic as { consent: number; clicks: number; ms: number };
        const x = state.xaa as { consent: number; clicks: number; ms: number };
        return {
          ok: c.consent >= SERVERS.length && x.consent === 0,
          headline: `Classic: ${c.consent} consent screens, ${c.clicks} clicks · XAA: ${x.consent} consent screens, ${x.clicks} click`,
          data: {
            comparison: [
              { label: 'Consent screens', classic: c.consent, xaa: x.consent },
              // Each classic server signs the user in through the IdP (its own SSO hop); XAA needs none.
              { label: 'Redirects + SSO hops', classic: (state.classic as { connected: number }).connected, xaa: 0 },
              { label: 'Clicks', classic: c.clicks, xaa: x.clicks },
              { label: 'Elapsed (ms)', classic: Math.round(c.ms), xaa: Math.round(x.ms) },
            ],
          },
          facts: [
            { label: 'Consent screens (classic → XAA)', value: `${c.consent} → ${x.consent}`, tone: 'good' },
            { label: 'Clicks (classic → XAA)', value: `${c.clicks} → ${x.clicks}`, tone: 'good' },
          ],
        };
      },
    },
  ],
};
