/** Bad input at every endpoint of a server origin gets a clear, spec-shaped 4xx — never a 500 or a hang. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawMcp } from '../support/mcp.ts';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  token = await stack.accessToken('alice', 'tasks');
});
afterAll(async () => {
  await stack?.close();
});

const post = (url: string, body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', headers, body });

describe('/mcp', () => {
  const headers = () => ({ authorization: `Bearer ${token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json' });
  it('invalid JSON → 400 JSON-RPC parse error', async () => {
    const res = await post(stack.server('tasks').resource, '{"jsonrpc":', headers());
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });
  it('a body over the limit → 413', async () => {
    const res = await post(
      stack.server('tasks').resource,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(1_100_000) } }),
      headers(),
    );
    expect(res.status).toBe(413);
  });
  it('a wrong content type → 4xx', async () => {
    const res = await post(stack.server('tasks').resource, 'hello', { ...headers(), 'content-type': 'text/plain' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
  it('an unknown tool and an unknown method are JSON-RPC errors', async () => {
    const unknownTool = await rawMcp(stack.server('tasks').resource, token, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'drop_tables', arguments: {} },
    });
    expect(unknownTool.status).toBeLessThan(500);
    expect(unknownTool.body.error ?? unknownTool.body.result?.isError).toBeTruthy();
    const unknownMethod = await rawMcp(stack.server('tasks').resource, token, { jsonrpc: '2.0', id: 2, method: 'tasks/nuke', params: {} });
    expect(unknownMethod.body.error.code).toBe(-32601);
  });
  it('GET and DELETE on the stateless endpoint are 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(stack.server('tasks').resource, { method, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
      expect(res.status).toBe(405);
      await res.body?.cancel();
    }
  });
});

describe('metadata, AS and interaction endpoints', () => {
  it('metadata documents refuse other methods', async () => {
    const res = await post(`${stack.server('tasks').issuer}/.well-known/oauth-protected-resource/mcp`, '', {});
    expect(res.status).toBe(405);
  });
  it('token endpoint: no grant_type, unknown grant_type, wrong content type', async () => {
    const url = `${stack.server('tasks').issuer}/token`;
    // An empty body lacks client authentication first of all: invalid_client (RFC 6749 §5.2).
    const a = await post(url, '', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(a.status).toBe(401);
    const b = await post(url, 'grant_type=password&username=a&password=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect([400, 401]).toContain(b.status);
    const c = await post(url, '{"grant_type":"client_credentials"}', { 'content-type': 'application/json' });
    expect(c.status).toBe(400);
    for (const r of [a, b, c]) expect(((await r.json()) as { error: string }).error).toMatch(/^[a-z_]+$/);
  });
  it('registration with a bad body → 400 invalid_client_metadata / invalid_redirect_uri', async () => {
    const url = `${stack.server('wiki').issuer}/register`;
    const a = await post(url, '{not json', { 'content-type': 'application/json' });
    expect(a.status).toBe(400);
    const b = await post(url, JSON.stringify({ redirect_uris: ['javascript:alert(1)'] }), { 'content-type': 'application/json' });
    expect(b.status).toBe(400);
    expect(((await b.json()) as { error: string }).error).toMatch(/invalid_redirect_uri|invalid_client_metadata/);
  });
  it('an unknown interaction is a 400 page, and a login post to it too', async () => {
    const base = stack.server('wiki').issuer;
    expect((await fetch(`${base}/interaction/nope`)).status).toBe(400);
    expect((await post(`${base}/interaction/nope/login`, 'username=alice&password=demo', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(
      400,
    );
  });
  it('authorize with an unknown client is a 400 page, not a redirect', async () => {
    const res = await fetch(`${stack.server('wiki').issuer}/authorize?client_id=nobody&response_type=code&redirect_uri=http://evil.example/cb`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
  });
});
