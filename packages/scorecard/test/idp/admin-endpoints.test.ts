/**
 * The IdP's scorecard endpoints (apps/idp/src/admin/scorecard.ts, faults.ts, faults/*): admin-only,
 * strictly validated, and doing exactly what they say — over real HTTP against the in-process IdP.
 */
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN, TYP_ID_JAG } from '@xaa/protocol';
import { ssoLogin } from '@xaa/user-agent';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth } from '../../src/http.ts';
import { startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
let token: string;
beforeAll(async () => {
  t = await startTestIdp();
  token = await t.admin.adminToken();
});
afterAll(async () => t?.close());

/** `bearer: null` sends no Authorization header. */
async function call(method: string, path: string, body?: unknown, bearer: string | null = token) {
  const res = await fetch(`${t.idp.issuer}/admin${path}`, {
    method,
    headers: { ...(bearer !== null ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes, asserted field by field
  return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
}

const tasks = () => t.topology.servers.find((s) => s.name === 'tasks') as { issuer: string; resource: string };
const mintBody = (extra: Record<string, unknown> = {}) => ({
  audience: tasks().issuer,
  client_id: 'acme-agent-at-tasks',
  resource: tasks().resource,
  scope: 'tasks.read',
  user: 'alice',
  ...extra,
});

describe('POST /admin/scorecard/mint', () => {
  it('is never anonymous: no token, or a token for another API, is 401', async () => {
    expect((await call('POST', '/scorecard/mint', mintBody(), null)).status).toBe(401);
    expect((await call('POST', '/scorecard/mint', mintBody(), 'not-a-token')).status).toBe(401);
    const tokenForTasksAdmin = await new (await import('../../src/idp.ts')).IdpAdmin({
      issuer: t.idp.issuer,
      admin: `${tasks().issuer}/admin`,
      ops: t.topology.ops,
    }).adminToken();
    expect((await call('POST', '/scorecard/mint', mintBody(), tokenForTasksAdmin)).status).toBe(401);
  });

  it('signs a real ID-JAG with the current key: same subject as the token exchange, verifiable at the JWKS', async () => {
    const r = await call('POST', '/scorecard/mint', mintBody());
    expect(r.status).toBe(201);
    const { payload, protectedHeader } = await jwtVerify(r.body.assertion, createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`)), {
      issuer: t.idp.issuer,
      audience: tasks().issuer,
      typ: TYP_ID_JAG,
    });
    expect(protectedHeader.kid).toBe(t.idp.keys.current()?.kid);
    expect(payload).toMatchObject({ client_id: 'acme-agent-at-tasks', resource: tasks().resource, scope: 'tasks.read', email: 'alice@acme.test' });
    expect(payload.sub).toBe(t.idp.directory.findUserByUsername('alice')?.id);
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(r.body.claims.jti).toBe(payload.jti);
  });

  it('applies the mutation: typ changed, claims set and removed, times shifted', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await call(
      'POST',
      '/scorecard/mint',
      mintBody({ mutation: { typ: 'logout+jwt', set: { aud: ['a', 'b'] }, remove: ['jti'], times: { iat: -900, exp: -600 } } }),
    );
    expect(r.status).toBe(201);
    expect(decodeProtectedHeader(r.body.assertion).typ).toBe('logout+jwt');
    expect(r.body.claims.aud).toEqual(['a', 'b']);
    expect(r.body.claims.jti).toBeUndefined();
    expect(Math.abs(r.body.claims.exp - (now - 600))).toBeLessThanOrEqual(2);
    // An ID token's typ (JWT, none) or an access token's is never signed (the IdP would accept it).
    for (const typ of ['JWT', null, 'at+jwt']) expect((await call('POST', '/scorecard/mint', mintBody({ mutation: { typ } }))).status).toBe(400);
  });

  it('records each mint as an admin.change event with the mutation and jti', async () => {
    const r = await call('POST', '/scorecard/mint', mintBody({ mutation: { remove: ['sub'] } }));
    const e = t.idp.flowLog.recent().findLast((x) => x.step === 'admin.change' && x.data?.scorecard === true);
    expect(e?.data).toMatchObject({ scorecard: true, mutation: 'sub removed', jti: r.body.claims.jti, user: 'alice' });
    expect(JSON.stringify(e)).not.toContain(r.body.assertion);
  });

  it('refuses bad input with 400 and a fields map: iss is never settable, unknown users and fields', async () => {
    const iss = await call('POST', '/scorecard/mint', mintBody({ mutation: { set: { iss: 'https://evil.example' } } }));
    expect(iss.status).toBe(400);
    expect(Object.keys(iss.body.fields)).toEqual(['mutation.set']);
    const user = await call('POST', '/scorecard/mint', mintBody({ user: 'mallory' }));
    expect(user.status).toBe(400);
    expect(user.body.fields).toHaveProperty('user');
    const extra = await call('POST', '/scorecard/mint', mintBody({ sign_as: 'other' }));
    expect(extra.status).toBe(400);
    expect(extra.body.fields).toHaveProperty('sign_as');
    const aud = await call('POST', '/scorecard/mint', mintBody({ audience: 'not a url' }));
    expect(aud.status).toBe(400);
    const times = await call('POST', '/scorecard/mint', mintBody({ mutation: { times: { iat: 1e12 } } }));
    expect(times.status).toBe(400);
  });
});

describe('GET/PUT /admin/faults', () => {
  it('is never anonymous', async () => {
    expect((await call('GET', '/faults', undefined, null)).status).toBe(401);
    expect((await call('PUT', '/faults', { faults: [] }, null)).status).toBe(401);
  });

  it('lists the catalogue, replaces the rules, and records the change', async () => {
    const empty = await call('GET', '/faults');
    expect(empty.body.faults).toEqual([]);
    expect(Object.keys(empty.body.kinds)).toEqual(['typ', 'aud', 'expired', 'missing_jti', 'unknown_kid', 'slow', 'server_error', 'access_denied']);
    const put = await call('PUT', '/faults', { faults: [{ kind: 'typ', client: 'acme-agent', server: 'tasks', remaining: 1 }] });
    expect(put.status).toBe(200);
    expect(put.body.faults).toEqual([{ kind: 'typ', client: 'acme-agent', server: 'tasks', remaining: 1 }]);
    expect(t.idp.flowLog.recent().at(-1)?.summary).toContain('fault switches on: typ (acme-agent → tasks)');
    expect((await call('PUT', '/faults', { faults: [] })).body.faults).toEqual([]);
  });

  it('refuses unknown kinds, unknown servers, delayMs on other kinds, unknown fields', async () => {
    for (const bad of [
      { faults: [{ kind: 'explode' }] },
      { faults: [{ kind: 'typ', server: 'nope' }] },
      { faults: [{ kind: 'typ', delayMs: 10 }] },
      { faults: [{ kind: 'slow', delayMs: 999_999 }] },
      { faults: [{ kind: 'typ', colour: 'red' }] },
      { fault: [] },
    ]) {
      const r = await call('PUT', '/faults', bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error).toBe('invalid_request');
    }
  });

  it('a fired fault breaks the exchanged ID-JAG for that connection only, once, and says so in the events', async () => {
    const agent = t.topology.clients.find((c) => c.name === 'acme-agent')!;
    const login = await ssoLogin({
      issuer: t.idp.issuer,
      clientId: agent.idp.client_id,
      clientSecret: agent.idp.client_secret,
      redirectUri: agent.idp.redirect_uris[0]!,
      username: 'alice',
      password: 'demo',
    });
    const exchange = async (server: { issuer: string; resource: string }) => {
      const res = await fetch(`${t.idp.issuer}/token`, {
        method: 'POST',
        headers: { authorization: basicAuth(agent.idp.client_id, agent.idp.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
          requested_token_type: TOKEN_TYPE_ID_JAG,
          subject_token: login.tokens.id_token,
          subject_token_type: TOKEN_TYPE_ID_TOKEN,
          audience: server.issuer,
          resource: server.resource,
        }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const docs = t.topology.servers.find((s) => s.name === 'docs')!;
    await call('PUT', '/faults', {
      faults: [
        { kind: 'typ', server: 'tasks', remaining: 1 },
        { kind: 'access_denied', server: 'crm' },
      ],
    });
    const broken = await exchange(tasks());
    expect(broken.status).toBe(200);
    expect(decodeProtectedHeader(broken.body.access_token as string).typ).toBe('JWT');
    const fired = t.idp.flowLog.recent().filter((e) => e.step === 'fault.injected');
    expect(fired.at(-1)).toMatchObject({ outcome: 'error', data: { fault: 'typ' }, subject: { client: 'acme-agent', server: 'tasks', user: 'alice' } });
    // other servers are untouched, and `remaining: 1` switched the typ fault off
    expect(decodeProtectedHeader((await exchange(docs)).body.access_token as string).typ).toBe(TYP_ID_JAG);
    expect(decodeProtectedHeader((await exchange(tasks())).body.access_token as string).typ).toBe(TYP_ID_JAG);
    expect((await call('GET', '/faults')).body.faults).toEqual([{ kind: 'access_denied', server: 'crm' }]);
    await call('PUT', '/faults', { faults: [] });
  });
});
