/**
 * OIDC SSO with a certified RP library (openid-client) as the client: code + PKCE S256, ID token
 * validation, refresh tokens with offline_access, RP-initiated logout, discovery metadata.
 */
import { CookieJar, driveLogin } from '@xaa/user-agent';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededUserId } from '../../src/index.ts';
import { clientOf, eventsSince, lastEventId, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
let config: oidc.Configuration;
let agent: ReturnType<typeof clientOf>;
const redirectUri = () => agent.idp.redirect_uris[0] as string;

beforeAll(async () => {
  t = await startTestIdp();
  agent = clientOf(t.topology, 'acme-agent');
  config = await oidc.discovery(new URL(t.idp.issuer), agent.idp.client_id, agent.idp.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
});
afterAll(async () => t?.close());

async function signIn(username: string, jar = new CookieJar(), extra: Record<string, string> = {}) {
  const code_verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(),
    scope: 'openid offline_access email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(code_verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    prompt: 'consent',
    ...extra,
  });
  const callback = await driveLogin(url, { username, password: 'demo', redirectUri: redirectUri(), jar });
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: code_verifier, expectedState: state, expectedNonce: nonce });
  return { tokens, jar, callback };
}

describe('discovery (OIDC Discovery, RFC 8414, draft-04 §7.1)', () => {
  it('advertises code + PKCE S256, token exchange and the ID-JAG token type', () => {
    const m = config.serverMetadata();
    expect(m.issuer).toBe(t.idp.issuer);
    expect(m.jwks_uri).toBe(`${t.idp.issuer}/jwks`);
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
    expect(m.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange']));
    expect(m.identity_chaining_requested_token_types_supported).toEqual(['urn:ietf:params:oauth:token-type:id-jag']);
    expect(m.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']));
    expect(m.end_session_endpoint).toBe(`${t.idp.issuer}/logout`);
  });
});

describe('authorization code + PKCE (RFC 7636, OIDC Core §3.1)', () => {
  it('signs in headlessly and returns a valid ID token (checked by openid-client) and a refresh token', async () => {
    const mark = lastEventId(t.idp);
    const { tokens, callback } = await signIn('alice');
    // RFC 9207: the authorization response names the issuer.
    expect(callback.searchParams.get('iss')).toBe(t.idp.issuer);
    const claims = tokens.claims();
    expect(claims?.sub).toBe(seededUserId('alice'));
    expect(claims?.aud).toBe(agent.idp.client_id);
    expect(claims?.iss).toBe(t.idp.issuer);
    expect(claims?.email).toBe('alice@acme.test');
    expect(typeof claims?.auth_time).toBe('number');
    expect(tokens.refresh_token).toBeTruthy();
    const steps = eventsSince(t.idp, mark).map((e) => e.step);
    // One sign-in tells its story in order: the request, the login, the code redeemed.
    expect(steps.filter((s) => s.startsWith('sso.'))).toEqual(['sso.authorize', 'sso.login', 'sso.token']);
    const tokenEvent = eventsSince(t.idp, mark, 'sso.token')[0];
    expect(tokenEvent?.tokens?.[0]?.role).toBe('id_token');
  });

  it('OIDC Core §3.1.2.1: a login_hint naming someone else than the browser session asks for a login', async () => {
    const jar = new CookieJar();
    await signIn('carol', jar);
    // Without the check, carol's session would answer silently with carol's ID token.
    const { tokens } = await signIn('bob', jar, { login_hint: 'bob' });
    expect(tokens.claims()?.sub).toBe(seededUserId('bob'));
  });

  it('OIDC Core §3.1.2.1: a login_hint naming the signed-in user reuses the session', async () => {
    const jar = new CookieJar();
    await signIn('carol', jar);
    const { tokens } = await signIn('carol', jar, { login_hint: 'carol@acme.test' });
    expect(tokens.claims()?.sub).toBe(seededUserId('carol'));
  });

  it('refreshes with offline_access and gets a fresh ID token', async () => {
    const { tokens } = await signIn('alice');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    expect(refreshed.claims()?.sub).toBe(seededUserId('alice'));
  });

  it('a second authorization reuses the SSO session (no login form)', async () => {
    const { jar } = await signIn('dave');
    // With the session cookie, a wrong password is never asked for: the IdP answers straight away.
    const code_verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(),
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(code_verifier),
      code_challenge_method: 'S256',
      state: 's',
    });
    const callback = await driveLogin(url, { username: 'dave', password: 'not-the-password', redirectUri: redirectUri(), jar });
    expect(callback.searchParams.get('code')).toBeTruthy();
  });

  it('requires PKCE: an authorization request without code_challenge is refused', async () => {
    const url = new URL(`${t.idp.issuer}/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: agent.idp.client_id,
      redirect_uri: redirectUri(),
      scope: 'openid',
      state: 'x',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location') as string);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses a wrong password with the form again (401) and records sso.login denied', async () => {
    const mark = lastEventId(t.idp);
    await expect(
      driveLogin(
        oidc.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri(),
          scope: 'openid',
          code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        }),
        { username: 'alice', password: 'wrong', redirectUri: redirectUri() },
      ),
    ).rejects.toMatchObject({ status: 401 });
    expect(eventsSince(t.idp, mark, 'sso.login')[0]?.outcome).toBe('denied');
  });
});

describe('the login page (plain HTML, no JavaScript needed)', () => {
  async function loginPage(): Promise<{ html: string; action: string; cookie: string }> {
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(),
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const jar = new CookieJar();
    const first = await fetch(url, { redirect: 'manual' });
    jar.store(url, first);
    const interaction = new URL(first.headers.get('location') as string, t.idp.issuer);
    const res = await fetch(interaction, { headers: { cookie: jar.header(interaction) } });
    const html = await res.text();
    const action = /action="([^"]+)"/.exec(html)?.[1]?.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))) as string;
    return { html, action, cookie: jar.header(new URL(action, t.idp.issuer)) };
  }

  it('has username and password fields, no script, and one form per demo user', async () => {
    const { html } = await loginPage();
    expect(html).toContain('name="username"');
    expect(html).toContain('type="password"');
    expect(html).not.toContain('<script');
    for (const u of ['alice', 'bob', 'dave', 'carol']) expect(html).toContain(`name="username" value="${u}"`);
    expect(html).toContain('Acme Agent');
  });

  it('escapes what it echoes back', async () => {
    const { action, cookie } = await loginPage();
    const res = await fetch(new URL(action, t.idp.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ username: '"><script>alert(1)</script>', password: 'x' }),
    });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
  });

  it('answers a JSON post or an unknown interaction with a 4xx page', async () => {
    const { action, cookie } = await loginPage();
    const json = await fetch(new URL(action, t.idp.issuer), { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' });
    expect(json.status).toBe(415);
    const gone = await fetch(`${t.idp.issuer}/interaction/does-not-exist`);
    expect(gone.status).toBe(400);
  });
});

describe('RP-initiated logout (OpenID RP-Initiated Logout 1.0)', () => {
  it('ends the session after confirmation and redirects to the registered URI', async () => {
    const { tokens, jar } = await signIn('carol');
    const end = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: agent.idp.post_logout_redirect_uris[0] as string,
    });
    const page = await fetch(end, { headers: { cookie: jar.header(end) } });
    jar.store(end, page);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = /action="([^"]+)"/.exec(html)?.[1] as string;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] as string;
    const confirm = new URL(action, t.idp.issuer);
    const res = await fetch(confirm, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(confirm) },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    jar.store(confirm, res);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(agent.idp.post_logout_redirect_uris[0]);
    // The session is gone: the next sign-in needs the password again.
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(),
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await expect(driveLogin(url, { username: 'carol', password: 'wrong', redirectUri: redirectUri(), jar })).rejects.toMatchObject({ status: 401 });
  });
});
