/**
 * The MCP server's token check (MCP-AUTHZ; RFC 6750 §3; RFC 9068; EMA §5.1): only access tokens
 * issued by this server's AS for this resource are accepted; per-tool scopes answer 403
 * insufficient_scope with the full challenge.
 */
import { parseBearerChallenge } from '@xaa/protocol';
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

const list = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
const call = (name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } });

async function expect401(url: string, token: string, why: RegExp) {
  const r = await rawMcp(url, token, list);
  expect(r.status).toBe(401);
  const ch = parseBearerChallenge(r.headers.get('www-authenticate'));
  expect(ch?.error).toBe('invalid_token');
  expect(ch?.resource_metadata).toBe(`${new URL(url).origin}/.well-known/oauth-protected-resource/mcp`);
  expect(ch?.error_description).toMatch(why);
}

describe('tokens that are not this server’s access tokens → 401 invalid_token', () => {
  it('an ID-JAG presented as a bearer token', async () => {
    const jag = await stack.idJag(await stack.idToken('alice'), 'tasks');
    await expect401(stack.server('tasks').resource, jag, /not an access token \(typ oauth-id-jag\+jwt\)/);
  });
  it('an IdP ID token presented as a bearer token', async () => {
    await expect401(stack.server('tasks').resource, await stack.idToken('alice'), /not an access token|not signed|not issued/);
  });
  it('an access token for Tasks presented to Docs', async () => {
    const at = await stack.accessToken('alice', 'tasks');
    expect((await rawMcp(stack.server('tasks').resource, at, list)).status).toBe(200);
    await expect401(stack.server('docs').resource, at, /not issued by|not signed by|not issued for/);
  });
  it('a tampered token and a malformed header', async () => {
    const at = await stack.accessToken('alice', 'tasks');
    const [h, p] = at.split('.');
    const claims = JSON.parse(Buffer.from(p as string, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'tasks.read tasks.write admin' })).toString('base64url')}.${at.split('.')[2]}`;
    await expect401(stack.server('tasks').resource, forged, /not signed|not valid/);
    const r = await rawMcp(stack.server('tasks').resource, undefined, list, { authorization: 'Bearer a b c' });
    expect(r.status).toBe(400);
    expect(parseBearerChallenge(r.headers.get('www-authenticate'))?.error).toBe('invalid_request');
  });
  it('a client-credentials token (no user) is refused', async () => {
    const reg = stack.registration('acme-agent', 'tasks');
    const res = await fetch(`${stack.server('tasks').issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${reg.client_id}:${reg.client_secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=tasks.read',
    });
    const { access_token } = (await res.json()) as { access_token: string };
    await expect401(stack.server('tasks').resource, access_token, /user/);
  });
  it('a client registered with client_id = a local user id cannot pass its client-credentials token off as that user', async () => {
    const users = await stack.admin('tasks', 'GET', '/admin/users');
    const alice = (users.body.users as Array<{ id: string; username: string }>).find((u) => u.username === 'alice');
    expect(alice).toBeTruthy();
    const created = await stack.admin('tasks', 'POST', '/admin/clients', {
      client_id: alice?.id,
      client_name: 'Impersonator',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const res = await fetch(`${stack.server('tasks').issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(alice?.id as string)}:${encodeURIComponent(created.body.client_secret as string)}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=tasks.read',
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>;
    expect(claims.sub).toBe(alice?.id);
    await expect401(stack.server('tasks').resource, access_token, /client credentials/);
    // alice's own token still works.
    expect((await rawMcp(stack.server('tasks').resource, await stack.accessToken('alice', 'tasks'), list)).status).toBe(200);
  });
});

describe('per-tool scopes (MCP-AUTHZ: 403 insufficient_scope)', () => {
  it('Acme Chat (docs.read only) may search but not write: 403 naming the scope and the metadata', async () => {
    const docs = stack.server('docs');
    const at = await stack.accessToken('bob', 'docs', { client: 'acme-chat' });
    const ok = await rawMcp(docs.resource, at, call('search_docs', { query: 'runbook' }));
    expect(ok.status).toBe(200);
    expect(ok.body.result.content[0].text).toContain('bob via Acme Chat');
    const r = await rawMcp(docs.resource, at, call('write_doc', { title: 'x', body: 'y' }));
    expect(r.status).toBe(403);
    const ch = parseBearerChallenge(r.headers.get('www-authenticate'));
    expect(ch).toMatchObject({
      error: 'insufficient_scope',
      scope: 'docs.write',
      resource_metadata: `${docs.issuer}/.well-known/oauth-protected-resource/mcp`,
    });
    expect(stack.mcp.flowLogs.docs!.recent({ limit: 20 }).some((e) => e.step === 'mcp.request' && e.error?.code === 'insufficient_scope')).toBe(true);
  });

  it('the SDK client sees the 403 as an error, and a full-scope token works', async () => {
    const docs = stack.server('docs');
    const at = await stack.accessToken('alice', 'docs');
    await withMcp(docs.resource, at, async (client) => {
      const r = await client.callTool({ name: 'write_doc', arguments: { title: 'Notes', body: 'XAA works.' } });
      expect((r.content as Array<{ text: string }>)[0]?.text).toContain('alice via Acme Agent');
    });
  });
});

describe('DNS-rebinding protection', () => {
  it('refuses a foreign Host or Origin and accepts loopback ones', async () => {
    const tasks = stack.server('tasks');
    const at = await stack.accessToken('alice', 'tasks');
    expect((await rawMcp(tasks.resource, at, list, { origin: 'http://evil.example.com' })).status).toBe(403);
    expect((await rawMcp(tasks.resource, at, list, { origin: `http://localhost:${new URL(tasks.issuer).port}` })).status).toBe(200);
  });
});
