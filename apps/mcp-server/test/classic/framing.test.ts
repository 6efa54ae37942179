/**
 * Clickjacking: the AS's login and consent pages refuse to be framed by any origin (CSP Level 3
 * `frame-ancestors 'none'`, RFC 7034 `X-Frame-Options: DENY`; RFC 9700 §4.16).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../support/classic.ts';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ idp: false });
});
afterAll(async () => {
  await stack?.close();
});

const REDIRECT = 'http://127.0.0.1:9/callback';

describe('AS interaction pages cannot be framed (RFC 9700 §4.16)', () => {
  it('sends frame-ancestors none and X-Frame-Options DENY on the login and the consent page', async () => {
    const wiki = stack.server('wiki');
    const reg = await fetch(`${wiki.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Framing probe', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
    });
    expect(reg.status).toBe(201);
    const clientId = ((await reg.json()) as { client_id: string }).client_id;
    const run = await authorize(
      wiki.issuer,
      { client_id: clientId, redirect_uri: REDIRECT, scope: 'wiki.read', resource: wiki.resource },
      { username: 'alice', password: 'demo' },
    );
    const login = run.pages.find((p) => p.html.includes('name="password"'));
    const consent = run.pages.find((p) => p.html.includes('/consent'));
    expect(login && consent).toBeTruthy();
    for (const p of [login, consent]) {
      expect(p?.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(p?.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('also on the page shown for an unknown or expired interaction', async () => {
    const res = await fetch(`${stack.server('wiki').issuer}/interaction/no-such-uid`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
