/**
 * Leg 1 against the real IdP: SSO with authorization code + PKCE + state + nonce (MCP-AUTHZ; EMA
 * §7.5.2), headless and through the agent's `/callback`, the IdP refresh token (draft-04 §4.4.3),
 * and central revocation: a disabled account makes the next refresh fail.
 */

import { navigate } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('leg 1: SSO at the IdP', () => {
  it('logs alice in headlessly via Acme Agent, keeps the ID token and the IdP refresh token, one trace', async () => {
    const { agent } = stack.agent;
    const r = await agent.login({ user: 'alice', app: 'acme-agent', headless: true });
    expect(r.outcome, JSON.stringify(r)).toBe('ok');
    expect(r.refreshToken).toBe(true);
    expect(r.consentScreens).toBe(0);
    const session = agent.store.getSession('alice', 'acme-agent');
    expect(session?.id_token.split('.')).toHaveLength(3);
    expect(session?.login_trace).toBe(r.traceId);
    const steps = stack.agent.flowLog.recent({ traceId: r.traceId }).map((e) => `${e.party}:${e.step}:${e.outcome}`);
    expect(steps).toEqual(expect.arrayContaining(['client:sso.authorize:ok', 'client:sso.login:ok', 'client:sso.token:ok']));
    // W3C traceparent reached the IdP: its events carry the same trace (docs/decisions.md §5).
    expect(stack.idp.flowLog.recent({ traceId: r.traceId }).length).toBeGreaterThan(0);
    // Tokens in events: header and claims, never reaching a persisted copy (FlowLog drops compact).
    const tokenEvent = stack.agent.flowLog.recent({ traceId: r.traceId }).find((e) => e.step === 'sso.token');
    expect(tokenEvent?.tokens?.[0]?.claims.aud).toBe('acme-agent');
    expect(JSON.stringify(tokenEvent?.http)).not.toContain(session?.id_token as string);
  });

  it('reports a refused password as a denial, not an error (login_failed)', async () => {
    const r = await stack.agent.agent.login({ user: 'bob', app: 'acme-agent', headless: true, password: 'wrong' });
    expect(r.outcome).toBe('denied');
    expect(r.error?.code).toBe('login_failed');
    expect(stack.agent.agent.store.getSession('bob', 'acme-agent')).toBeUndefined();
  });

  it('renews the ID token with the IdP refresh token (draft-04 §4.4.3)', async () => {
    const { agent } = stack.agent;
    const before = agent.store.getSession('alice', 'acme-agent');
    const r = await agent.refresh({ user: 'alice', app: 'acme-agent' });
    expect(r.outcome, JSON.stringify(r.error)).toBe('ok');
    const after = agent.store.getSession('alice', 'acme-agent');
    expect(after?.id_token).not.toBe(before?.id_token);
    expect(after?.login_trace).toBe(before?.login_trace);
  });

  it('completes an interactive login at /callback, and refuses a replayed or forged state', async () => {
    const token = await stack.opsToken(stack.topology.agent.admin);
    const res = await fetch(`${stack.agent.url}/admin/agent/login`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'dave', app: 'acme-chat' }),
    });
    expect(res.status).toBe(200);
    const begun = (await res.json()) as { authorizationUrl: string; state: string };
    expect(new URL(begun.authorizationUrl).searchParams.get('code_challenge_method')).toBe('S256');
    expect(new URL(begun.authorizationUrl).searchParams.get('nonce')).toBeTruthy();
    // The user's browser, played headlessly up to the redirect.
    const nav = await navigate(new URL(begun.authorizationUrl), {
      fetch,
      redirectUri: `${stack.topology.agent.url}/callback`,
      credentials: { username: 'dave', password: 'demo' },
      approveConsent: false,
      maxSteps: 10,
    });
    expect(nav.ok, JSON.stringify(nav)).toBe(true);
    if (!nav.ok) return;
    const cb = await fetch(nav.callbackUrl);
    expect(cb.status).toBe(200);
    expect(await cb.text()).toContain('Signed in as dave');
    expect(stack.agent.agent.store.getSession('dave', 'acme-chat')).toBeDefined();
    const replay = await fetch(nav.callbackUrl);
    expect(replay.status).toBe(400);
    const forged = new URL(nav.callbackUrl);
    forged.searchParams.set('state', 'forged');
    expect((await fetch(forged)).status).toBe(400);
  });

  it('makes the next refresh fail once IT disables the account (central revocation)', async () => {
    const patched = await stack.admin(stack.topology.idp.admin, 'PATCH', '/users/alice', { disabled: true });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const r = await stack.agent.agent.refresh({ user: 'alice', app: 'acme-agent' });
    expect(r.outcome).toBe('denied');
    expect(r.error?.code).toBe('invalid_grant');
    await stack.admin(stack.topology.idp.admin, 'PATCH', '/users/alice', { disabled: false });
  });
});

describe('agent API guard and input checks', () => {
  it('refuses the agent API without an admin token (401) and with bad input (400, fields named)', async () => {
    const url = `${stack.agent.url}/admin/agent/login`;
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
    const token = await stack.opsToken(stack.topology.agent.admin);
    const bad = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ app: 'acme-agent', evil: 1 }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; fields: Record<string, string> };
    expect(body.error).toBe('invalid_request');
    expect(Object.keys(body.fields).join()).toContain('evil');
    const unknownApp = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ app: 'nope' }),
    });
    expect(unknownApp.status).toBe(400);
    const notJson = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    const wrongAudience = await stack.opsToken(stack.topology.idp.admin);
    expect((await fetch(`${stack.agent.url}/admin/agent/status`, { headers: { authorization: `Bearer ${wrongAudience}` } })).status).toBe(401);
  });
});
