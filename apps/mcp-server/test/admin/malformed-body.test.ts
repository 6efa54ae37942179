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

describe('malformed trusted-issuer fields', () => {
  it.each([
    ['an SQL fragment', "' OR '1'='1"],
    ['not a URL', 'not a url'],
    ['10,000 characters', 'A'.repeat(10_000)],
    ['bidi control characters', '\u202eevil'],
  ])('issuer: %s → 400 naming the field, not 500', async (_label, issuer) => {
    const r = await stack.admin('wiki', 'POST', '/admin/trusted-issuers', { issuer, jwks_uri: 'https://idp.partner.example/jwks' });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.fields)).toContain('issuer');
  });
});
