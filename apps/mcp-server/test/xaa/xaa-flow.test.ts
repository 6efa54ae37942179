/**
 * The full XAA path against the real IdP (draft-04 §4.3, §4.4; EMA §5): SSO at the IdP → token
 * exchange for an ID-JAG → jwt-bearer at the server's AS → MCP tools/call with the access token.
 */
import { EMA_EXTENSION_ID, GRANT_PROFILE_ID_JAG, GRANT_TYPE_JWT_BEARER, parseBearerChallenge } from '@xaa/protocol';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawMcp, withMcp } from '../support/mcp.ts';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('discovery (RFC 9728, RFC 8414, draft-04 §7.2)', () => {
  it('serves path-aware and root protected resource metadata naming its own AS', async () => {
    const s = stack.server('tasks');
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await fetch(`${s.issuer}${path}`);
      expect(res.status).toBe(200);
      const prm = await res.json();
      expect(prm).toMatchObject({ resource: s.resource, authorization_servers: [s.issuer], scopes_supported: s.scopes, bearer_methods_supported: ['header'] });
    }
  });

  it('ID-JAG servers advertise the grant profile and jwt-bearer; Wiki advertises neither', async () => {
    for (const name of ['tasks', 'docs', 'crm', 'wiki']) {
      const s = stack.server(name);
      const md = (await (await fetch(`${s.issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
      expect(md.issuer).toBe(s.issuer);
      expect(md.code_challenge_methods_supported).toEqual(['S256']);
      expect(md.client_id_metadata_document_supported).toBe(true);
      if (s.xaa) {
        expect(md.authorization_grant_profiles_supported).toEqual([GRANT_PROFILE_ID_JAG]);
        expect(md.grant_types_supported).toContain(GRANT_TYPE_JWT_BEARER);
      } else {
        expect(md.authorization_grant_profiles_supported).toBeUndefined();
        expect(md.grant_types_supported).not.toContain(GRANT_TYPE_JWT_BEARER);
      }
      // draft-04 §9.4: the trusted IdPs are never published.
      expect(JSON.stringify(md)).not.toContain(stack.topology.idp.issuer);
    }
  });

  it('answers an unauthenticated MCP request with 401 and the resource_metadata + scope challenge (MCP-AUTHZ)', async () => {
    const s = stack.server('docs');
    const r = await rawMcp(s.resource, undefined, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(r.status).toBe(401);
    const ch = parseBearerChallenge(r.headers.get('www-authenticate'));
    expect(ch).toEqual({ resource_metadata: `${s.issuer}/.well-known/oauth-protected-resource/mcp`, scope: 'docs.read docs.write' });
  });
});

describe('SSO → ID-JAG → access token → tools/call', () => {
  it('alice via Acme Agent creates and lists tasks; the result names who acted through which client', async () => {
    const s = stack.server('tasks');
    const idToken = await stack.idToken('alice');
    const jag = await stack.idJag(idToken, 'tasks');
    const r = await stack.redeem('tasks', jag);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'tasks.read tasks.write' });
    // draft-04 §4.4.3: no refresh token from this grant.
    expect(r.body.refresh_token).toBeUndefined();
    const at = r.body.access_token as string;
    expect(decodeProtectedHeader(at)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    const claims = decodeJwt(at);
    expect(claims).toMatchObject({
      iss: s.issuer,
      aud: s.resource,
      client_id: 'acme-agent-at-tasks',
      scope: 'tasks.read tasks.write',
      idp_iss: stack.topology.idp.issuer,
    });
    expect(claims.exp! - claims.iat!).toBe(300);

    const result = await withMcp(s.resource, at, async (client) => {
      const info = client.getServerCapabilities();
      expect(info?.extensions?.[EMA_EXTENSION_ID]).toEqual({});
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['complete_task', 'create_task', 'list_tasks']);
      const created = await client.callTool({ name: 'create_task', arguments: { title: 'Ship the XAA demo' } });
      expect(created.isError).toBeFalsy();
      return client.callTool({ name: 'list_tasks', arguments: {} });
    });
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? '';
    expect(text).toContain('alice via Acme Agent');
    expect(text).toContain('Ship the XAA demo');

    // The AS reported every check of the ordered verifier and the issuance.
    const events = stack.mcp.flowLogs.tasks!.recent({ limit: 200 });
    const checks = events.filter((e) => e.step === 'bearer.check' && e.outcome === 'ok').map((e) => e.check?.id);
    for (const id of ['client_auth', 'typ', 'alg', 'iss', 'signature', 'aud', 'exp', 'iat', 'client_id', 'resource', 'scope', 'jti', 'subject'])
      expect(checks).toContain(id);
    expect(events.some((e) => e.step === 'bearer.issued' && e.outcome === 'ok' && e.party === 'as:tasks')).toBe(true);
    expect(events.some((e) => e.step === 'mcp.response' && e.summary.includes('alice via Acme Agent'))).toBe(true);
  });

  it('bad tool input is a tool error, never a crash', async () => {
    const s = stack.server('tasks');
    const at = await stack.accessToken('alice', 'tasks');
    await withMcp(s.resource, at, async (client) => {
      const r = await client.callTool({ name: 'create_task', arguments: { title: 42, extra: true } });
      expect(r.isError).toBe(true);
      const r2 = await client.callTool({ name: 'complete_task', arguments: { id: 999_999 } });
      expect(r2.isError).toBe(true);
      expect((r2.content as Array<{ text: string }>)[0]?.text).toContain('does not exist');
    });
  });
});
