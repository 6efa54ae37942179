/**
 * The classic path signs in through the company IdP, as a real SaaS does: the AS is an OpenID relying
 * party of the IdP ("Sign in with Acme SSO", its own registration there), the IdP's `sub` maps to the
 * same local user the jwt-bearer grant uses, and the AS then shows its own consent screen. With an IdP
 * session the SSO hop is silent; the local password form is the documented fallback.
 */

import { seededUserId } from '@xaa/idp';
import { CookieJar } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../support/classic.ts';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const REDIRECT = 'http://127.0.0.1:9/callback';
const alice = { username: 'alice', password: 'demo' };

async function registerClient(issuer: string) {
  const res = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Coding Agent', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
  });
  return ((await res.json()) as { client_id: string }).client_id;
}

describe('Sign in with Acme SSO at a sample server’s AS', () => {
  it('sends the user to the IdP, maps the IdP sub to the XAA local user, then shows the AS consent screen', async () => {
    const wiki = stack.server('wiki');
    const clientId = await registerClient(wiki.issuer);
    const run = await authorize(wiki.issuer, { client_id: clientId, redirect_uri: REDIRECT, scope: 'wiki.read', resource: wiki.resource }, alice);
    expect(run.callback.searchParams.get('code')).toBeTruthy();
    // The pages a browser saw: the IdP's login page, then the AS's own consent screen — no AS password form.
    const idpOrigin = new URL(stack.topology.idp.issuer).origin;
    expect(new URL(run.pages[0]?.url as string).origin).toBe(idpOrigin);
    expect(run.pages.some((p) => p.url.startsWith(wiki.issuer) && p.html.includes('Allow') && p.html.includes('alice'))).toBe(true);
    expect(run.pages.some((p) => p.url.startsWith(wiki.issuer) && p.html.includes('type="password"'))).toBe(false);
    // The flow shows the hop, and the local user is the one linked to (IdP issuer, alice's sub).
    const events = stack.mcp.flowLogs.wiki?.recent({}) ?? [];
    expect(events.some((e) => e.step === 'sso.authorize' && e.party === 'as:wiki')).toBe(true);
    const signedIn = events.find((e) => e.step === 'sso.token' && e.outcome === 'ok');
    expect(signedIn?.data).toMatchObject({ idp_iss: stack.topology.idp.issuer, idp_sub: seededUserId('alice') });
    expect(signedIn?.subject?.user).toBe('alice');
  });

  it('with an IdP session the SSO hop is silent: only the consent screen is shown', async () => {
    const tasks = stack.server('tasks');
    const clientId = await registerClient(tasks.issuer);
    const jar = new CookieJar();
    const first = await authorize(tasks.issuer, { client_id: clientId, redirect_uri: REDIRECT, scope: 'tasks.read', resource: tasks.resource }, alice, jar);
    expect(first.pages.some((p) => p.html.includes('type="password"'))).toBe(true);
    const docs = stack.server('docs');
    const docsClient = await registerClient(docs.issuer);
    const second = await authorize(docs.issuer, { client_id: docsClient, redirect_uri: REDIRECT, scope: 'docs.read', resource: docs.resource }, alice, jar);
    expect(second.callback.searchParams.get('code')).toBeTruthy();
    expect(second.pages).toHaveLength(1);
    expect(second.pages[0]?.url.startsWith(docs.issuer)).toBe(true);
    expect(second.pages[0]?.html).toContain('Allow');
  });

  it('keeps the local password form as the fallback (?local=1)', async () => {
    const wiki = stack.server('wiki');
    const clientId = await registerClient(wiki.issuer);
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'wiki.read',
      state: 's',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    const jar = new CookieJar();
    const start = await fetch(`${wiki.issuer}/authorize?${q}`, { redirect: 'manual' });
    jar.store(new URL(wiki.issuer), start);
    const interaction = new URL(start.headers.get('location') as string, wiki.issuer);
    const local = await fetch(`${interaction.href}?local=1`, { headers: { cookie: jar.header(interaction) ?? '' } });
    const html = await local.text();
    expect(local.status).toBe(200);
    expect(html).toContain('type="password"');
    expect(html).toContain('Sign in with Acme SSO');
  });

  it('refuses a callback with an unknown state, and one with no interaction', async () => {
    const wiki = stack.server('wiki');
    const r = await fetch(`${wiki.issuer}/sso/callback?code=x&state=nope`);
    expect(r.status).toBe(400);
    await r.body?.cancel();
  });
});
