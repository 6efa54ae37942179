/**
 * Each MCP server's fuzz targets: its AS (RFC 8414 metadata, the jwt-bearer token endpoint, anything
 * else it advertises), its RFC 9728 protected resource metadata, MCP requests in both protocol
 * versions with and without a token, and its admin API.
 */
import { GRANT_TYPE_JWT_BEARER } from '@xaa/protocol';
import { SERVER_ADMIN_ROUTES } from '../admin-routes.ts';
import { basic, pathOf } from '../http.ts';
import type { Manifest } from '../stack.ts';
import { asMetadata, MCP_MODERN_VERSION, MCP_PROTOCOL_VERSION, modernHeaders, modernRequest } from '../xaa.ts';
import { adminEndpoints } from './admin-endpoints.ts';
import type { EndpointSpec, FuzzTokens } from './spec.ts';

export async function serverEndpoints(m: Manifest, t: FuzzTokens, agent: Manifest['clients'][number]): Promise<EndpointSpec[]> {
  const endpoints: EndpointSpec[] = [];
  const redirect_uri = agent.idp.redirect_uris[0] as string;
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
        path: `/.well-known/oauth-protected-resource${pathOf(s.resource)}`,
        kind: 'query',
        params: {},
      },
    );
    if (as) {
      if (typeof as.jwks_uri === 'string')
        endpoints.push({ name: `${app} AS jwks`, app, origin, method: 'GET', path: pathOf(as.jwks_uri), kind: 'query', params: {} });
      endpoints.push({
        name: `${app} AS token: jwt-bearer`,
        app,
        origin,
        method: 'POST',
        path: pathOf(as.token_endpoint),
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
          path: pathOf(as.authorization_endpoint),
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
          path: pathOf(as.registration_endpoint),
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
            path: pathOf(as[key] as string),
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
        path: pathOf(s.resource),
        kind: 'jsonrpc',
        headers: mcpHeaders,
        json: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool.name, arguments: tool.args } },
      },
      {
        name: `${app} MCP initialize`,
        app,
        origin,
        method: 'POST',
        path: pathOf(s.resource),
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
        path: pathOf(s.resource),
        kind: 'jsonrpc',
        headers: { ...mcpHeaders, 'mcp-protocol-version': MCP_MODERN_VERSION, ...modernHeaders('tools/call', tool.name) },
        json: modernRequest(1, 'tools/call', { name: tool.name, arguments: tool.args }),
      },
      {
        name: `${app} MCP anonymous`,
        app,
        origin,
        method: 'POST',
        path: pathOf(s.resource),
        kind: 'jsonrpc',
        headers: { accept: 'application/json, text/event-stream' },
        json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      },
    );
    // Tasks and Docs serve the health check after the run: their settings are not fuzzed with a valid token.
    endpoints.push(...(await adminEndpoints(app, s.admin, t.admin[s.admin] ?? '', undefined, SERVER_ADMIN_ROUTES, !['tasks', 'docs'].includes(s.name))));
  }
  return endpoints;
}
