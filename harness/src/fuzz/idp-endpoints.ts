/**
 * The IdP's fuzz targets: OpenID discovery and JWKS, the token endpoint with every grant, the
 * authorization endpoint, the login form with a live interaction, userinfo, introspection,
 * revocation, end session, and its admin API.
 */
import {
  ADMIN_SCOPE,
  GRANT_TYPE_AUTHORIZATION_CODE,
  GRANT_TYPE_CLIENT_CREDENTIALS,
  GRANT_TYPE_REFRESH_TOKEN,
  GRANT_TYPE_TOKEN_EXCHANGE,
  TOKEN_TYPE_ID_JAG,
  TOKEN_TYPE_ID_TOKEN,
} from '@xaa/protocol';
import { basic, json, pathOf, send } from '../http.ts';
import { discover, startLogin } from '../sso.ts';
import type { Manifest } from '../stack.ts';
import { adminEndpoints } from './admin-endpoints.ts';
import type { EndpointSpec, FuzzTokens } from './spec.ts';

export async function idpEndpoints(m: Manifest, t: FuzzTokens, agent: Manifest['clients'][number]): Promise<EndpointSpec[]> {
  const endpoints: EndpointSpec[] = [];
  const idp = m.idp.issuer;
  const idpOrigin = new URL(idp).origin;
  const md = await discover(idp);
  const agentAuth = basic(agent.idp.client_id, agent.idp.client_secret);
  const redirect_uri = agent.idp.redirect_uris[0] as string;
  const tasks = m.servers.find((s) => s.name === 'tasks');
  if (!tasks) throw new Error('tasks missing');
  const form = 'application/x-www-form-urlencoded';

  // ——— IdP: metadata, token endpoint (every grant), authorization, login form, userinfo, logout.
  endpoints.push(
    { name: 'idp discovery', app: 'idp', origin: idpOrigin, method: 'GET', path: pathOf(`${idp}/.well-known/openid-configuration`), kind: 'query', params: {} },
    { name: 'idp jwks', app: 'idp', origin: idpOrigin, method: 'GET', path: pathOf(md.jwks_uri), kind: 'query', params: {} },
    {
      name: 'idp token: token exchange',
      app: 'idp',
      origin: idpOrigin,
      method: 'POST',
      path: pathOf(md.token_endpoint),
      kind: 'form',
      headers: { authorization: agentAuth },
      params: {
        grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
        requested_token_type: TOKEN_TYPE_ID_JAG,
        subject_token: t.idToken,
        subject_token_type: TOKEN_TYPE_ID_TOKEN,
        audience: tasks.issuer,
        resource: tasks.resource,
        scope: 'tasks.read',
      },
      jwtParams: ['subject_token', 'actor_token', 'client_assertion'],
    },
    {
      name: 'idp token: client credentials',
      app: 'idp',
      origin: idpOrigin,
      method: 'POST',
      path: pathOf(md.token_endpoint),
      kind: 'form',
      headers: { authorization: basic(m.ops.client_id, m.ops.client_secret) },
      params: { grant_type: GRANT_TYPE_CLIENT_CREDENTIALS, resource: m.idp.admin, scope: ADMIN_SCOPE },
    },
    {
      name: 'idp token: authorization code',
      app: 'idp',
      origin: idpOrigin,
      method: 'POST',
      path: pathOf(md.token_endpoint),
      kind: 'form',
      headers: { authorization: agentAuth },
      params: { grant_type: GRANT_TYPE_AUTHORIZATION_CODE, code: 'abc', redirect_uri, code_verifier: 'v'.repeat(43) },
    },
    {
      name: 'idp token: refresh token',
      app: 'idp',
      origin: idpOrigin,
      method: 'POST',
      path: pathOf(md.token_endpoint),
      kind: 'form',
      params: { grant_type: GRANT_TYPE_REFRESH_TOKEN, refresh_token: 'x', client_id: agent.idp.client_id, client_secret: agent.idp.client_secret },
    },
    {
      name: 'idp authorization',
      app: 'idp',
      origin: idpOrigin,
      method: 'GET',
      path: pathOf(md.authorization_endpoint),
      kind: 'query',
      params: {
        client_id: agent.idp.client_id,
        response_type: 'code',
        redirect_uri,
        scope: 'openid email',
        state: 's',
        nonce: 'n',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      },
    },
    { name: 'idp root page', app: 'idp', origin: idpOrigin, method: 'GET', path: '/', kind: 'query', params: {} },
  );
  if (typeof md.userinfo_endpoint === 'string')
    endpoints.push({
      name: 'idp userinfo',
      app: 'idp',
      origin: idpOrigin,
      method: 'GET',
      path: pathOf(md.userinfo_endpoint),
      kind: 'none',
      headers: { authorization: `Bearer ${t.userAccessToken}` },
    });
  for (const key of ['introspection_endpoint', 'revocation_endpoint'] as const)
    if (typeof md[key] === 'string')
      endpoints.push({
        name: `idp ${key.replace('_endpoint', '')}`,
        app: 'idp',
        origin: idpOrigin,
        method: 'POST',
        path: pathOf(md[key] as string),
        kind: 'form',
        headers: { authorization: agentAuth },
        params: { token: t.userAccessToken, token_type_hint: 'access_token' },
        jwtParams: ['token'],
      });
  if (typeof md.end_session_endpoint === 'string')
    endpoints.push({
      name: 'idp end session',
      app: 'idp',
      origin: idpOrigin,
      method: 'GET',
      path: pathOf(md.end_session_endpoint),
      kind: 'query',
      params: { id_token_hint: t.idToken, post_logout_redirect_uri: agent.idp.post_logout_redirect_uris[0] ?? '', state: 's' },
      jwtParams: ['id_token_hint'],
    });
  // The login form, with a live interaction (its cookies) so requests reach the handler.
  const login = await startLogin(idp, { client_id: agent.idp.client_id, client_secret: agent.idp.client_secret, redirect_uri });
  const cookie = await login.ua.jar.cookies.getCookieString(login.form.action);
  endpoints.push(
    {
      name: 'idp login form POST',
      app: 'idp',
      origin: idpOrigin,
      method: 'POST',
      path: pathOf(login.form.action),
      kind: 'form',
      headers: { cookie, 'content-type': form },
      params: { ...login.form.fields, username: 'fuzz-nobody', password: 'not-the-password' },
    },
    { name: 'idp login page GET', app: 'idp', origin: idpOrigin, method: 'GET', path: pathOf(login.pageUrl), kind: 'query', params: {}, headers: { cookie } },
  );
  const conns = await send(`${m.idp.admin}/connections`, { headers: { authorization: `Bearer ${t.admin[m.idp.admin]}` } });
  const safeConnection =
    conns.status === 200
      ? json<{ connections: Array<{ id: string; client_id: string }> }>(conns).connections.find((c) => c.client_id === 'acme-chat')?.id
      : undefined;
  endpoints.push(...(await adminEndpoints('idp', m.idp.admin, t.admin[m.idp.admin] ?? '', safeConnection)));
  return endpoints;
}
