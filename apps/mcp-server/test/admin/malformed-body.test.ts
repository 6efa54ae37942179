/** Admin API bodies the parser refuses get a JSON 4xx (docs/contracts.md "Admin APIs"), never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('malformed admin bodies', () => {
  const post = async (headers: Record<string, string>, body: string) => {
    const server = stack.topology.servers.find((s) => s.name === 'wiki');
    const res = await fetch(`${server?.admin}/trusted-issuers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await stack.adminToken('wiki')}`, 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };

  it.each(['gzip', 'deflate', 'br'])('a body that is not really %s-encoded → 400 invalid_request (JSON)', async (encoding) => {
    const r = await post({ 'content-encoding': encoding }, '{"issuer":"https://x.example"}');
    expect(r.status).toBe(400);
    expect(r.type).toContain('application/json');
    expect(JSON.parse(r.body).error).toBe('invalid_request');
  });

  it('invalid JSON → 400 JSON error', async () => {
    const r = await post({}, '{"issuer":');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toBe('invalid_request');
  });
});
