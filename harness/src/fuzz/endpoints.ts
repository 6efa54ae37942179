/**
 * The fuzz targets: every token, metadata, admin, MCP and browser-facing endpoint of every app, found
 * from the manifest, the OIDC / RFC 8414 / RFC 9728 metadata and each admin API's OpenAPI document,
 * each with a valid template request (real tokens, real client credentials) for the corpus to mutate.
 *
 * One module per surface: idp-endpoints.ts, server-endpoints.ts, admin-endpoints.ts; the sample
 * client's and the console's few endpoints are listed here.
 */
import { AGENT_ADMIN_ROUTES } from '../admin-routes.ts';
import { pathOf } from '../http.ts';
import type { Manifest } from '../stack.ts';
import { adminEndpoints } from './admin-endpoints.ts';
import { idpEndpoints } from './idp-endpoints.ts';
import type { FuzzPlan } from './run.ts';
import { serverEndpoints } from './server-endpoints.ts';
import type { EndpointSpec, FuzzTokens, Samples } from './spec.ts';

export type { FuzzTokens } from './spec.ts';

export async function buildFuzzPlan(m: Manifest, t: FuzzTokens): Promise<FuzzPlan> {
  const idp = m.idp.issuer;
  const idpOrigin = new URL(idp).origin;
  const agent = m.clients.find((c) => c.name === 'acme-agent');
  if (!agent) throw new Error('acme-agent missing');
  const redirect_uri = agent.idp.redirect_uris[0] as string;
  const endpoints: EndpointSpec[] = [...(await idpEndpoints(m, t, agent)), ...(await serverEndpoints(m, t, agent))];

  // ——— The sample client: SSO callback (an HTML page) and its admin API.
  const agentOrigin = new URL(m.agent.url).origin;
  const agentAdmin = `${m.agent.url}/admin`;
  endpoints.push(
    {
      name: 'agent SSO callback',
      app: 'agent',
      origin: agentOrigin,
      method: 'GET',
      path: pathOf(redirect_uri),
      kind: 'query',
      params: { code: 'abc', state: 's', iss: idp, error: 'access_denied', error_description: 'denied' },
    },
    { name: 'agent root page', app: 'agent', origin: agentOrigin, method: 'GET', path: '/', kind: 'query', params: {} },
    ...(await adminEndpoints('agent', agentAdmin, t.admin[agentAdmin] ?? '', undefined, AGENT_ADMIN_ROUTES)),
  );

  // ——— The console: sign-in round trip (HTML pages), the SPA, its API with and without a session.
  const consoleOrigin = new URL(m.console.url).origin;
  endpoints.push(
    { name: 'console login', app: 'console', origin: consoleOrigin, method: 'GET', path: '/auth/login', kind: 'query', params: { returnTo: '/connections' } },
    {
      name: 'console callback',
      app: 'console',
      origin: consoleOrigin,
      method: 'GET',
      path: '/auth/callback',
      kind: 'query',
      params: { code: 'abc', state: 's', iss: idp, error: 'access_denied', error_description: 'denied' },
    },
    { name: 'console SPA', app: 'console', origin: consoleOrigin, method: 'GET', path: '/connections', kind: 'query', params: {} },
    { name: 'console API anonymous', app: 'console', origin: consoleOrigin, method: 'PATCH', path: '/api/idp/users/bob', kind: 'json', json: { name: 'Bob' } },
  );
  if (t.console) {
    const headers = { cookie: t.console.cookie, 'x-csrf-token': t.console.csrf };
    endpoints.push(
      {
        name: 'console API PATCH (session)',
        app: 'console',
        origin: consoleOrigin,
        method: 'PATCH',
        path: '/api/idp/users/bob',
        kind: 'json',
        json: { name: 'Bob B' },
        headers,
      },
      {
        name: 'console API GET (session)',
        app: 'console',
        origin: consoleOrigin,
        method: 'GET',
        path: '/api/idp/audit',
        kind: 'query',
        params: { limit: '5' },
        headers,
      },
      { name: 'console session', app: 'console', origin: consoleOrigin, method: 'GET', path: '/api/session', kind: 'query', params: {}, headers },
    );
  }

  const origins = [
    { app: 'idp', origin: idpOrigin },
    ...m.servers.map((s) => ({ app: s.name, origin: new URL(s.issuer).origin })),
    { app: 'agent', origin: agentOrigin },
    { app: 'console', origin: consoleOrigin },
  ];
  const samples: Samples = {
    jwts: {
      subject_token: t.idToken,
      id_token_hint: t.idToken,
      assertion: t.idJags.tasks ?? '',
      client_assertion: t.idJags.tasks ?? '',
      actor_token: t.idToken,
      token: t.accessTokens.tasks ?? '',
      admin: t.admin[m.idp.admin] ?? '',
      default: t.idToken,
    },
  };
  return { endpoints, origins, samples };
}
