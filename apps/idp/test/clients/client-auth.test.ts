/**
 * Client authentication at token exchange (EMA §7.7, docs/decisions.md §4): a public app registered through the
 * admin API (`none`, PKCE-only SSO), private_key_jwt (RFC 7523 §2.2), and the refusals.
 */
import { CLIENT_ASSERTION_TYPE_JWT_BEARER, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { driveLogin, pkce, ssoLogin } from '@xaa/user-agent';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_CLIENT_WARNING } from '../../src/issuance/authenticate-client.ts';
import { eventsSince, lastEventId, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
let tasks: ReturnType<typeof serverOf>;
const redirect = 'http://localhost:4200/callback';

beforeAll(async () => {
  t = await startTestIdp();
  tasks = serverOf(t.topology, 'tasks');
});
afterAll(async () => t?.close());

async function connect(clientId: string, remote: string) {
  expect((await t.admin('PUT', `/admin/apps/${clientId}/registrations/tasks`, { client_id: remote })).status).toBe(200);
  const c = await t.admin('POST', '/admin/connections', { client_id: clientId, server: 'tasks', scopes: ['tasks.read'], audience: { kind: 'all' }, ttl: 120 });
  expect(c.status).toBe(201);
}

describe('a public client (token_endpoint_auth_method none)', () => {
  it('can be registered by the admin API, sign in with PKCE alone, and exchange with client_id only', async () => {
    const app = await t.admin('POST', '/admin/apps', {
      client_id: 'cli-public',
      title: 'Public CLI',
      token_endpoint_auth_method: 'none',
      redirect_uris: [redirect],
    });
    expect(app.status).toBe(201);
    expect(app.body.client_secret).toBeNull();
    await connect('cli-public', 'cli-public-at-tasks');
    const { tokens } = await ssoLogin({ issuer: t.idp.issuer, clientId: 'cli-public', redirectUri: redirect, username: 'bob', password: 'demo' });
    const mark = lastEventId(t.idp);
    const r = await t.exchange('cli-public', { subject_token: tokens.id_token, audience: tasks.issuer, resource: tasks.resource }, 'none');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.expires_in).toBe(120);
    // EMA §7.7: allowed for an app registered public, and every such decision says so.
    const decision = eventsSince(t.idp, mark, 'exchange.decision').at(-1);
    expect(decision?.decision?.reasons).toContain(`Public CLI: ${PUBLIC_CLIENT_WARNING}`);
    expect((decision?.data as { trace?: { check: string; outcome: string }[] } | undefined)?.trace).toContainEqual(
      expect.objectContaining({ check: 'client.authenticated', outcome: 'warn' }),
    );
    expect((decision?.data as { warnings?: string[] } | undefined)?.warnings).toEqual([`Public CLI: ${PUBLIC_CLIENT_WARNING}`]);
    const { payload } = await jwtVerify(String(r.body.access_token), createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`)));
    expect(payload).toMatchObject({ client_id: 'cli-public-at-tasks', scope: 'tasks.read' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(120);
  });

  it('is refused (unauthorized_client) once token exchange is switched off for it', async () => {
    expect((await t.admin('PATCH', '/admin/apps/cli-public', { token_exchange: false })).status).toBe(200);
    const { tokens } = await ssoLogin({ issuer: t.idp.issuer, clientId: 'cli-public', redirectUri: redirect, username: 'bob', password: 'demo' });
    const r = await t.exchange('cli-public', { subject_token: tokens.id_token, audience: tasks.issuer }, 'none');
    expect(r.body.error).toBe('unauthorized_client');
  });

  it('a confidential app exchanging without authentication carries no warning: it is refused (invalid_client)', async () => {
    const mark = lastEventId(t.idp);
    const login = await t.login('alice');
    const r = await t.exchange('acme-agent', { subject_token: login.id_token, audience: tasks.issuer }, 'none');
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(eventsSince(t.idp, mark, 'exchange.issued')).toEqual([]);
  });

  it('an authenticated confidential app gets no public-client warning', async () => {
    const login = await t.login('alice');
    const mark = lastEventId(t.idp);
    const r = await t.exchange('acme-agent', { subject_token: login.id_token, audience: tasks.issuer });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const decision = eventsSince(t.idp, mark, 'exchange.decision').at(-1);
    expect(JSON.stringify(decision)).not.toContain(PUBLIC_CLIENT_WARNING);
  });

  it('a secret sent by a public client does not authenticate it', async () => {
    const r = await t.exchange('cli-public', { subject_token: 'x', audience: tasks.issuer }, { secret: 'guess' });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });
});

describe('private_key_jwt (RFC 7523 §2.2)', () => {
  it('authenticates SSO and token exchange with a signed client assertion; a foreign key is invalid_client', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const app = await t.admin('POST', '/admin/apps', {
      client_id: 'pkjwt-agent',
      title: 'Key Agent',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
      redirect_uris: [redirect],
    });
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    await connect('pkjwt-agent', 'pkjwt-agent-at-tasks');
    const assertion = (key: Parameters<SignJWT['sign']>[0]) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('pkjwt-agent')
        .setSubject('pkjwt-agent')
        .setAudience(t.idp.issuer)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(key);

    const p = pkce();
    const auth = new URL(`${t.idp.issuer}/authorize`);
    auth.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'pkjwt-agent',
      redirect_uri: redirect,
      scope: 'openid',
      code_challenge: p.code_challenge,
      code_challenge_method: 'S256',
    }).toString();
    const callback = await driveLogin(auth, { username: 'alice', password: 'demo', redirectUri: redirect });
    const code = await t.token({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') as string,
      redirect_uri: redirect,
      code_verifier: p.code_verifier,
      client_assertion_type: CLIENT_ASSERTION_TYPE_JWT_BEARER,
      client_assertion: await assertion(privateKey),
    });
    expect(code.status, JSON.stringify(code.body)).toBe(200);
    const form = (clientAssertion: string) => ({
      grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
      requested_token_type: TOKEN_TYPE_ID_JAG,
      subject_token: String(code.body.id_token),
      subject_token_type: TOKEN_TYPE_ID_TOKEN,
      audience: tasks.issuer,
      client_assertion_type: CLIENT_ASSERTION_TYPE_JWT_BEARER,
      client_assertion: clientAssertion,
    });
    const ok = await t.token(form(await assertion(privateKey)));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const other = await generateKeyPair('ES256');
    const bad = await t.token(form(await assertion(other.privateKey)));
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_client');
  });
});
