/**
 * The fuzz targets: every token, metadata, admin, MCP and browser-facing endpoint of every app, found
 * from the manifest, the OIDC / RFC 8414 / RFC 9728 metadata and each admin API's OpenAPI document,
 * each with a valid template request (real tokens, real client credentials) for the corpus to mutate.
 *
 * Admin endpoints are fuzzed with a valid admin token so the bodies reach validation; ids in their
 * paths point at entities the health check after the run does not depend on.
 */
import {
  ADMIN_SCOPE,
  GRANT_TYPE_AUTHORIZATION_CODE,
  GRANT_TYPE_CLIENT_CREDENTIALS,
  GRANT_TYPE_JWT_BEARER,
  GRANT_TYPE_REFRESH_TOKEN,
  GRANT_TYPE_TOKEN_EXCHANGE,
  TOKEN_TYPE_ID_JAG,
  TOKEN_TYPE_ID_TOKEN,
} from '@xaa/protocol';
import { type AdminRoute, AGENT_ADMIN_ROUTES, SERVER_ADMIN_ROUTES } from '../admin-routes.ts';
import { basic, json, send } from '../http.ts';
import { discover, startLogin } from '../sso.ts';
import type { Manifest } from '../stack.ts';
import { asMetadata, MCP_MODERN_VERSION, MCP_PROTOCOL_VERSION, modernHeaders, modernRequest } from '../xaa.ts';
import type { EndpointSpec, Samples } from './corpus.ts';
import type { FuzzPlan } from './run.ts';

export interface FuzzTokens {
  /** A non-admin user's ID token and access token (acme-agent). */
  idToken: string;
  userAccessToken: string;
  /** ID-JAG and access token per XAA server name. */
  idJags: Record<string, string>;
  accessTokens: Record<string, string>;
  /** Ops admin token per admin base URL. */
  admin: Record<string, string>;
  /** A signed-in console session: cookie header and CSRF token. */
  console?: { cookie: string; csrf: string };
  /** A tool each XAA server offers (name and arguments). */
  tools: Record<string, { name: string; args: unknown }>;
}

/** Ids the admin fuzz may touch: the health check after the run uses alice, acme-agent, tasks and docs only. */
const SAFE_IDS: Record<string, string> = {
  users: 'bob',
  groups: 'sales',
  apps: 'shadow-agent',
  clients: 'shadow-agent',
  servers: 'crm',
  connections: 'acme-chat',
  sessions: 'x',
};

const path = (u: string) => new URL(u).pathname;

/** Template bodies for the known routes of APIs without an OpenAPI document. */
const KNOWN_BODIES: Record<string, unknown> = {
  'POST /trusted-issuers': { issuer: 'http://127.0.0.1:9', jwks_uri: 'http://127.0.0.1:9/jwks' },
  'PATCH /trusted-issuers/:x': { enabled: true },
  'PATCH /settings': { generic_errors: false },
  'POST /clients': { client_name: 'fuzz', redirect_uris: ['http://127.0.0.1:9/cb'] },
  'POST /agent/login': { username: 'fuzz-nobody', password: 'x' },
  'POST /agent/connect': { server: 'crm' },
  'POST /agent/call': { server: 'crm', tool: 'find_account', arguments: {} },
};

async function adminEndpoints(
  app: string,
  base: string,
  token: string,
  safeConnection: string | undefined,
  known: AdminRoute[] = [],
  /** Whether mutating routes get the valid token (else they are fuzzed anonymously). */
  mutate = true,
): Promise<EndpointSpec[]> {
  const origin = new URL(base).origin;
  const prefix = path(base);
  const headers = { authorization: `Bearer ${token}` };
  const out: EndpointSpec[] = [
    {
      name: `${app} admin GET events`,
      app,
      origin,
      method: 'GET',
      path: `${prefix}/events`,
      kind: 'query',
      params: { after: '0', limit: '5', traceId: '0af7651916cd43dd8448eb211c80319c' },
      headers,
    },
    {
      name: `${app} admin GET events/stream (anonymous)`,
      app,
      origin,
      method: 'GET',
      path: `${prefix}/events/stream`,
      kind: 'none',
      headers: { 'last-event-id': '1' },
    },
    { name: `${app} admin anonymous`, app, origin, method: 'POST', path: `${prefix}/`, kind: 'json', json: {} },
  ];
  for (const k of known) {
    if (k.method === 'DELETE') continue;
    const full = `${prefix}${k.path.replace(/:x\b/g, 'x')}`;
    const authorized = k.method === 'GET' || mutate;
    out.push({
      name: `${app} admin ${k.method} ${k.path || '/'}${authorized ? '' : ' (anonymous)'}`,
      app,
      origin,
      method: k.method,
      path: full,
      kind: k.method === 'GET' ? 'query' : 'json',
      ...(k.method === 'GET' ? { params: {} } : { json: KNOWN_BODIES[`${k.method} ${k.path}`] ?? {} }),
      ...(authorized ? { headers } : {}),
    });
  }
  const doc = await send(`${base}/openapi.json`).catch(() => undefined);
  if (doc?.status !== 200) return out;
  let paths: Record<string, Record<string, { requestBody?: unknown; parameters?: Array<{ name: string; in: string }> }>> = {};
  try {
    paths = (JSON.parse(doc.body) as { paths?: typeof paths }).paths ?? {};
  } catch {
    return out;
  }
  for (const [p, ops] of Object.entries(paths)) {
    const segments = p.split('/');
    const concrete = segments
      .map((seg, i) => {
        if (!/^\{.+\}$/.test(seg)) return seg;
        const collection = segments[i - 1] ?? '';
        if (collection === 'connections' && safeConnection) return safeConnection;
        return SAFE_IDS[collection] ?? 'x';
      })
      .join('/');
    const full = concrete.startsWith(prefix) ? concrete : `${prefix}${concrete}`;
    if (full.endsWith('/openapi.json') || full.endsWith('/events/stream')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m)) continue;
      // Deleting is not fuzzed with a valid token: a lucky valid request would remove what others need.
      if (m === 'DELETE') continue;
      const query = Object.fromEntries((op.parameters ?? []).filter((x) => x.in === 'query').map((x) => [x.name, 'x']));
      out.push({
        name: `${app} admin ${m} ${full.slice(prefix.length) || '/'}`,
        app,
        origin,
        method: m,
        path: full,
        kind: m === 'GET' ? 'query' : 'json',
        ...(m === 'GET' ? { params: query } : { json: {} }),
        headers,
      });
    }
  }
  return out;
}

export async function buildFuzzPlan(m: Manifest, t: FuzzTokens): Promise<FuzzPlan> {
  const endpoints: EndpointSpec[] = [];
  const idp = m.idp.issuer;
  const idpOrigin = new URL(idp).origin;
  const md = await discover(idp);
  const agent = m.clients.find((c) => c.name === 'acme-agent');
  if (!agent) throw new Error('acme-agent missing');
  const agentAuth = basic(agent.idp.client_id, agent.idp.client_secret);
  const redirect_uri = agent.idp.redirect_uris[0] as string;
  const tasks = m.servers.find((s) => s.name === 'tasks');
  if (!tasks) throw new Error('tasks missing');
  const form = 'application/x-www-form-urlencoded';

  // ——— IdP: metadata, token endpoint (every grant), authorization, login form, userinfo, logout.
  endpoints.push(
    { name: 'idp discovery', app: 'idp', origin: idpOrigin, method: 'GET', path: path(`${idp}/.well-known/openid-configuration`), kind: 'query', params: {} },
    { name: 'idp jwks', app: 'idp', origin: idpOrigin, method: 'GET', path: path(md.jwks_uri), kind: 'query', params: {} },
    {
      name: 'idp token: token exchange',
      app: 'idp',
      origin: idpOrigin,
      method: 'POST',
      path: path(md.token_endpoint),
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
      path: path(md.token_endpoint),
      kind: 'form',
      headers: { authorization: basic(m.ops.client_id, m.ops.client_secret) },
      params: { grant_type: GRANT_TYPE_CLIENT_CREDENTIALS, resource: m.idp.admin, scope: ADMIN_SCOPE },
    },
    {
      name: 'idp token: authorization code',
      app: 'idp',
      origin: idpOrigin,
      method: 'POST',
      path: path(md.token_endpoint),
      kind: 'form',
      headers: { authorization: agentAuth },
      params: { grant_type: GRANT_TYPE_AUTHORIZATION_CODE, code: 'abc', redirect_uri, code_verifier: 'v'.repeat(43) },
    },
    {
      name: 'idp token: refresh token',
      app: 'idp',
      origin: idpOrigin,
      method: 'POST',
      path: path(md.token_endpoint),
      kind: 'form',
      params: { grant_type: GRANT_TYPE_REFRESH_TOKEN, refresh_token: 'x', client_id: agent.idp.client_id, client_secret: agent.idp.client_secret },
    },
    {
      name: 'idp authorization',
      app: 'idp',
      origin: idpOrigin,
      method: 'GET',
      path: path(md.authorization_endpoint),
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
      path: path(md.userinfo_endpoint),
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
        path: path(md[key] as string),
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
      path: path(md.end_session_endpoint),
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
      path: path(login.form.action),
      kind: 'form',
      headers: { cookie, 'content-type': form },
      params: { ...login.form.fields, username: 'fuzz-nobody', password: 'not-the-password' },
    },
    { name: 'idp login page GET', app: 'idp', origin: idpOrigin, method: 'GET', path: path(login.pageUrl), kind: 'query', params: {}, headers: { cookie } },
  );
  const conns = await send(`${m.idp.admin}/connections`, { headers: { authorization: `Bearer ${t.admin[m.idp.admin]}` } });
  const safeConnection =
    conns.status === 200
      ? json<{ connections: Array<{ id: string; client_id: string }> }>(conns).connections.find((c) => c.client_id === 'acme-chat')?.id
      : undefined;
  endpoints.push(...(await adminEndpoints('idp', m.idp.admin, t.admin[m.idp.admin] ?? '', safeConnection)));

  // ——— Each server: its AS (metadata, token endpoint, anything else it advertises), PRM, MCP, admin.
  for (const s of m.servers) {
    const origin = new URL(s.issuer).origin;
    const app = s.name;
    const reg = agent.servers[s.name];
    const as = await asMetadata(s.issuer).catch(() => undefined);
    endpoints.push(
      { name: `${app} AS metadata`, app, origin, method: 'GET', path: '/.well-known/oauth-authorization-server', kind: 'query', params: {} },
      {
        name: `${app} protected resource metadata`,
        app,
        origin,
        method: 'GET',
        path: `/.well-known/oauth-protected-resource${path(s.resource)}`,
        kind: 'query',
        params: {},
      },
    );
    if (as) {
      if (typeof as.jwks_uri === 'string')
        endpoints.push({ name: `${app} AS jwks`, app, origin, method: 'GET', path: path(as.jwks_uri), kind: 'query', params: {} });
      endpoints.push({
        name: `${app} AS token: jwt-bearer`,
        app,
        origin,
        method: 'POST',
        path: path(as.token_endpoint),
        kind: 'form',
        headers: reg ? { authorization: basic(reg.client_id, reg.client_secret) } : {},
        params: { grant_type: GRANT_TYPE_JWT_BEARER, assertion: t.idJags[s.name] ?? t.idJags.tasks ?? '', scope: s.scopes[0] ?? '' },
        jwtParams: ['assertion', 'client_assertion'],
      });
      if (typeof as.authorization_endpoint === 'string')
        endpoints.push({
          name: `${app} AS authorization`,
          app,
          origin,
          method: 'GET',
          path: path(as.authorization_endpoint),
          kind: 'query',
          params: {
            client_id: reg?.client_id ?? 'x',
            response_type: 'code',
            redirect_uri,
            scope: s.scopes.join(' '),
            state: 's',
            code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
            code_challenge_method: 'S256',
            resource: s.resource,
          },
        });
      if (typeof as.registration_endpoint === 'string')
        endpoints.push({
          name: `${app} AS registration`,
          app,
          origin,
          method: 'POST',
          path: path(as.registration_endpoint),
          kind: 'json',
          json: {
            redirect_uris: [redirect_uri],
            client_name: 'fuzz',
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        });
      for (const key of ['introspection_endpoint', 'revocation_endpoint'] as const)
        if (typeof as[key] === 'string')
          endpoints.push({
            name: `${app} AS ${key.replace('_endpoint', '')}`,
            app,
            origin,
            method: 'POST',
            path: path(as[key] as string),
            kind: 'form',
            headers: reg ? { authorization: basic(reg.client_id, reg.client_secret) } : {},
            params: { token: t.accessTokens[s.name] ?? 'x' },
            jwtParams: ['token'],
          });
    }
    const at = t.accessTokens[s.name] ?? t.accessTokens.tasks ?? '';
    const tool = t.tools[s.name] ?? { name: 'nothing', args: {} };
    const mcpHeaders = { authorization: `Bearer ${at}`, accept: 'application/json, text/event-stream', 'mcp-protocol-version': MCP_PROTOCOL_VERSION };
    endpoints.push(
      {
        name: `${app} MCP tools/call`,
        app,
        origin,
        method: 'POST',
        path: path(s.resource),
        kind: 'jsonrpc',
        headers: mcpHeaders,
        json: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool.name, arguments: tool.args } },
      },
      {
        name: `${app} MCP initialize`,
        app,
        origin,
        method: 'POST',
        path: path(s.resource),
        kind: 'jsonrpc',
        headers: mcpHeaders,
        json: {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'fuzz', version: '0' } },
        },
      },
      {
        name: `${app} MCP tools/call (2026-07-28)`,
        app,
        origin,
        method: 'POST',
        path: path(s.resource),
        kind: 'jsonrpc',
        headers: { ...mcpHeaders, 'mcp-protocol-version': MCP_MODERN_VERSION, ...modernHeaders('tools/call', tool.name) },
        json: modernRequest(1, 'tools/call', { name: tool.name, arguments: tool.args }),
      },
      {
        name: `${app} MCP anonymous`,
        app,
        origin,
        method: 'POST',
        path: path(s.resource),
        kind: 'jsonrpc',
        headers: { accept: 'application/json, text/event-stream' },
        json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      },
    );
    // Tasks and Docs serve the health check after the run: their settings are not fuzzed with a valid token.
    endpoints.push(...(await adminEndpoints(app, s.admin, t.admin[s.admin] ?? '', undefined, SERVER_ADMIN_ROUTES, !['tasks', 'docs'].includes(s.name))));
  }

  // ——— The sample client: SSO callback (an HTML page) and its admin API.
  const agentOrigin = new URL(m.agent.url).origin;
  const agentAdmin = `${m.agent.url}/admin`;
  endpoints.push(
    {
      name: 'agent SSO callback',
      app: 'agent',
      origin: agentOrigin,
      method: 'GET',
      path: path(redirect_uri),
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
