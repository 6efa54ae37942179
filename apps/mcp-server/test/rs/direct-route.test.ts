/**
 * `POST /mcp` skips the Koa app only when every check passes (src/rs/direct-mcp-route.ts): the Host
 * check (RFC 9110 §7.2), the DNS-rebinding guard, the access-token check (RFC 6750, RFC 9068). Each
 * request here carries a token that passes and one thing that must still be refused, or must still go
 * through the whole app: another host, another path spelling, another token type, the server's DPoP
 * settings.
 */
import { request } from 'node:http';
import { parseBearerChallenge } from '@xaa/protocol';
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

const list = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
const body = JSON.stringify(list);

/** A raw POST with any Host header and path (fetch cannot set Host). */
function post(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const url = new URL(stack.server('tasks').issuer);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('POST /mcp without the Koa app in front answers only what the app would answer', () => {
  it('a valid Bearer call is answered in the caller’s trace, and its flow event carries it', async () => {
    const traceId = `${'ab'.repeat(8)}${'0'.repeat(15)}1`;
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_tasks', arguments: {} } };
    const r = await rawMcp(stack.server('tasks').resource, token, call, { traceparent: `00-${traceId}-${'1'.repeat(16)}-01` });
    expect(r.status).toBe(200);
    expect(r.body.result.isError).toBeFalsy();
    expect(r.headers.get('traceparent')).toContain(traceId);
    const events = (stack.mcp.flowLogs.tasks?.recent({ traceId }) ?? []).map((e) => `${e.step} ${e.outcome}`);
    expect(events).toEqual(['mcp.response ok']);
  });

  it('a foreign Host or Origin with a valid token: 403 from the DNS-rebinding guard', async () => {
    const port = new URL(stack.server('tasks').issuer).port;
    const authorization = `Bearer ${token}`;
    expect((await post('/mcp', { host: `evil.example.com:${port}`, authorization })).status).toBe(403);
    expect((await post('/mcp', { host: `localhost:${port}`, origin: 'http://evil.example.com', authorization })).status).toBe(403);
    expect((await post('/mcp', { host: `localhost:${port}`, origin: 'null', authorization })).status).toBe(403);
    // A Host that names no host at all: the RFC 9110 §7.2 check answers first.
    expect((await post('/mcp', { host: 'a b', authorization })).status).toBe(400);
    expect((await post('/mcp', { host: `localhost:${port}`, authorization })).status).toBe(200);
  });

  it('other spellings of the path are not the MCP endpoint; a query string still goes through every check', async () => {
    const port = new URL(stack.server('tasks').issuer).port;
    const headers = { host: `localhost:${port}`, authorization: `Bearer ${token}` };
    for (const path of ['/MCP', '/Mcp', '/mcp/', '//mcp', '/%6dcp', '/mcp/..', '/./mcp']) {
      const r = await post(path, headers);
      expect(r.status, path).not.toBe(200);
      expect(r.text, path).not.toContain('"tools"');
    }
    expect((await post('/mcp?x=1', headers)).status).toBe(200);
    const refused = await post('/mcp?x=1', { ...headers, authorization: `Bearer ${token.slice(0, -4)}AAAA` });
    expect(refused.status).toBe(401);
  });

  it('other token types and forged tokens take the full app: 401 with the challenge and a denied flow event', async () => {
    const jag = await stack.idJag(await stack.idToken('alice'), 'tasks');
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p as string, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${s}`;
    const docsToken = await stack.accessToken('alice', 'docs');
    for (const [i, [name, bad]] of [
      ['ID-JAG', jag],
      ['forged subject', forged],
      ['token for Docs', docsToken],
    ].entries()) {
      const traceId = `${'cd'.repeat(8)}${(i + 1).toString(16).padStart(16, '0')}`;
      const r = await rawMcp(stack.server('tasks').resource, bad, list, { traceparent: `00-${traceId}-${'2'.repeat(16)}-01` });
      expect(r.status, name).toBe(401);
      expect(parseBearerChallenge(r.headers.get('www-authenticate'))?.error, name).toBe('invalid_token');
      const denied = (stack.mcp.flowLogs.tasks?.recent({ traceId }) ?? []).filter((e) => e.step === 'mcp.request' && e.outcome === 'denied');
      expect(denied, name).toHaveLength(1);
    }
  });

  it('when the server requires DPoP-bound tokens, a Bearer token that would pass is refused with the DPoP challenge', async () => {
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { dpop_bound_access_tokens_required: true })).status).toBe(200);
    try {
      const r = await rawMcp(stack.server('tasks').resource, token, list);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^DPoP /);
    } finally {
      await stack.admin('tasks', 'PATCH', '/admin/settings', { dpop_bound_access_tokens_required: false });
    }
    expect((await rawMcp(stack.server('tasks').resource, token, list)).status).toBe(200);
  });

  it('with DPoP nonces on, a Bearer call still gets the fresh nonce every answer carries (RFC 9449 §9)', async () => {
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { use_dpop_nonce: true })).status).toBe(200);
    try {
      const r = await rawMcp(stack.server('tasks').resource, token, list);
      expect(r.status).toBe(200);
      expect(r.headers.get('dpop-nonce')).toBeTruthy();
    } finally {
      await stack.admin('tasks', 'PATCH', '/admin/settings', { use_dpop_nonce: false });
    }
    expect((await rawMcp(stack.server('tasks').resource, token, list)).headers.get('dpop-nonce')).toBeNull();
  });
});
