/**
 * Token exchange → ID-JAG over real HTTP (draft-04 §4.3, RFC 8693, EMA §4, docs/decisions.md §4 error codes).
 * The ID-JAG is verified the way a resource AS would: against the published JWKS.
 */
import { parseTraceparent, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_REFRESH_TOKEN, verifyIdJag } from '@xaa/protocol';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededUserId } from '../../src/index.ts';
import { clientOf, eventsSince, lastEventId, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
let alice: { id_token: string; refresh_token?: string };
let bob: { id_token: string };
let aliceChat: { id_token: string; refresh_token?: string };
let tasks: ReturnType<typeof serverOf>;
let docs: ReturnType<typeof serverOf>;

beforeAll(async () => {
  t = await startTestIdp();
  tasks = serverOf(t.topology, 'tasks');
  docs = serverOf(t.topology, 'docs');
  alice = await t.login('alice');
  bob = await t.login('bob');
  aliceChat = await t.login('alice', 'acme-chat');
});
afterAll(async () => t?.close());

function expectOAuthError(r: { status: number; headers: Headers; body: Record<string, unknown> }, error: string, status = 400) {
  expect(r.body.error, JSON.stringify(r.body)).toBe(error);
  expect(r.status).toBe(status);
  expect(typeof r.body.error_description).toBe('string');
  // RFC 6749 §5.2 / §5.1: token endpoint answers are never cached.
  expect(r.headers.get('cache-control')).toContain('no-store');
  expect(r.headers.get('content-type')).toContain('application/json');
}

describe('a successful exchange (draft-04 §4.3.4, §3.1)', () => {
  it('returns an ID-JAG that verifies against the published JWKS, with every claim', async () => {
    const mark = lastEventId(t.idp);
    const before = Math.floor(Date.now() / 1000);
    const r = await t.exchange('acme-agent', {
      subject_token: alice.id_token,
      audience: tasks.issuer,
      resource: tasks.resource,
      scope: 'tasks.read tasks.write',
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toContain('no-store');
    // RFC 8693 §2.2.1: issued_token_type, access_token = the ID-JAG, token_type N_A; no refresh token.
    expect(r.body).toMatchObject({ issued_token_type: TOKEN_TYPE_ID_JAG, token_type: 'N_A', scope: 'tasks.read tasks.write', expires_in: 300 });
    expect(r.body.refresh_token).toBeUndefined();
    // ID-JAG builds after -04, §4.3.4: `resource` names exactly the ID-JAG's resource claim.
    expect(r.body.resource).toBe(tasks.resource);
    const jag = String(r.body.access_token);

    const jwks = createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(jag, jwks, { issuer: t.idp.issuer, audience: tasks.issuer, typ: 'oauth-id-jag+jwt' });
    expect(protectedHeader).toMatchObject({ typ: 'oauth-id-jag+jwt', alg: 'ES256' });
    expect(protectedHeader.kid).toBe(t.idp.keys.current()?.kid);
    expect(payload.iss).toBe(t.idp.issuer);
    expect(payload.sub).toBe(seededUserId('alice'));
    expect(payload.aud).toBe(tasks.issuer);
    expect(payload.client_id).toBe('acme-agent-at-tasks');
    expect(payload.resource).toBe(tasks.resource);
    expect(payload.scope).toBe('tasks.read tasks.write');
    expect(payload.email).toBe('alice@acme.test');
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.iat).toBeGreaterThanOrEqual(before - 1);
    expect(payload.exp).toBe((payload.iat as number) + 300);
    expect(typeof payload.auth_time).toBe('number');
    expect(payload.auth_time as number).toBeLessThanOrEqual(payload.iat as number);

    // The same token passes the resource AS's ordered verifier from @xaa/protocol.
    const verdict = await verifyIdJag(jag, {
      trustedIssuers: [{ issuer: t.idp.issuer, jwks }],
      audience: tasks.issuer,
      clientId: 'acme-agent-at-tasks',
      resources: [tasks.resource],
    });
    expect(verdict.ok).toBe(true);

    const events = eventsSince(t.idp, mark);
    expect(events.map((e) => e.step)).toEqual(['exchange.request', 'exchange.decision', 'exchange.issued']);
    const decision = events[1];
    expect(decision?.decision).toMatchObject({ effect: 'allow', rule: 'connection:conn_acme-agent_tasks', grantedScopes: ['tasks.read', 'tasks.write'] });
    expect(decision?.decision?.reasons.length).toBeGreaterThan(0);
    expect(events[2]?.tokens?.[0]?.claims.jti).toBe(payload.jti);
  });

  it('grants every allowed scope when scope is omitted', async () => {
    const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: docs.issuer, resource: docs.resource });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('docs.read docs.write');
  });

  it('accepts a request without resource and uses the registered one (EMA: resource optional)', async () => {
    const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer, resource: undefined });
    expect(r.status).toBe(200);
    const { payload } = await jwtVerify(String(r.body.access_token), createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`)));
    expect(payload.resource).toBe(tasks.resource);
  });

  it('narrows a partial grant silently and returns scope (EMA §7.2.1)', async () => {
    const r = await t.exchange('acme-chat', {
      subject_token: aliceChat.id_token,
      audience: docs.issuer,
      resource: docs.resource,
      scope: 'docs.read docs.write',
    });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('docs.read');
  });

  it('accepts client_secret_post as well as client_secret_basic', async () => {
    const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer, resource: tasks.resource }, 'post');
    expect(r.status).toBe(200);
  });

  it('records the caller traceparent on its events', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const c = clientOf(t.topology, 'acme-agent');
    const r = await t.token(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requested_token_type: TOKEN_TYPE_ID_JAG,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        subject_token: alice.id_token,
        audience: tasks.issuer,
        client_id: c.idp.client_id,
        client_secret: c.idp.client_secret,
      },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    const steps = t.idp.flowLog.recent({ traceId }).map((e) => e.step);
    expect(steps).toEqual(['exchange.request', 'exchange.decision', 'exchange.issued']);
    // The answer names the same trace (W3C Trace Context §3.2), as every IdP response does.
    expect(r.headers.get('traceparent')).toBe(`00-${traceId}-00f067aa0ba902b7-01`);
  });

  it('starts a trace for a request without traceparent and answers with it', async () => {
    const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer, resource: tasks.resource });
    expect(r.status).toBe(200);
    const traceId = parseTraceparent(r.headers.get('traceparent'))?.traceId as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(t.idp.flowLog.recent({ traceId }).map((e) => e.step)).toEqual(['exchange.request', 'exchange.decision', 'exchange.issued']);
  });
});

describe('refresh token as subject token (draft-04 §2.3, since -02)', () => {
  it('exchanges an IdP refresh token bound to the client', async () => {
    expect(alice.refresh_token).toBeTruthy();
    const r = await t.exchange('acme-agent', {
      subject_token: alice.refresh_token,
      subject_token_type: TOKEN_TYPE_REFRESH_TOKEN,
      audience: tasks.issuer,
      resource: tasks.resource,
    });
    expect(r.status).toBe(200);
    const { payload } = await jwtVerify(String(r.body.access_token), createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`)));
    expect(payload.sub).toBe(seededUserId('alice'));
  });

  it('refuses a refresh token issued to another client: invalid_grant', async () => {
    const r = await t.exchange('acme-agent', { subject_token: aliceChat.refresh_token, subject_token_type: TOKEN_TYPE_REFRESH_TOKEN, audience: tasks.issuer });
    expectOAuthError(r, 'invalid_grant');
  });

  it('refuses an unknown refresh token: invalid_grant', async () => {
    const r = await t.exchange('acme-agent', { subject_token: 'not-a-refresh-token', subject_token_type: TOKEN_TYPE_REFRESH_TOKEN, audience: tasks.issuer });
    expectOAuthError(r, 'invalid_grant');
  });
});

describe('deny paths, each with its docs/decisions.md §4 code and a decision trace', () => {
  const decisionAfter = (mark: string | undefined) => eventsSince(t.idp, mark, 'exchange.decision').at(-1);

  it('no connection (Shadow Agent was never approved): access_denied naming the rule', async () => {
    const shadow = await t.login('alice', 'shadow-agent');
    const mark = lastEventId(t.idp);
    const r = await t.exchange('shadow-agent', { subject_token: shadow.id_token, audience: tasks.issuer, resource: tasks.resource });
    expectOAuthError(r, 'access_denied');
    expect(String(r.body.error_description)).toContain('no_connection');
    expect(decisionAfter(mark)?.decision).toMatchObject({ effect: 'deny', rule: 'no_connection' });
  });

  it('user not in the audience group: access_denied without leaking the groups', async () => {
    const mark = lastEventId(t.idp);
    const r = await t.exchange('acme-agent', { subject_token: bob.id_token, audience: tasks.issuer, resource: tasks.resource });
    expectOAuthError(r, 'access_denied');
    expect(String(r.body.error_description)).not.toMatch(/contractors|engineering/);
    const d = decisionAfter(mark);
    expect(d?.decision).toMatchObject({ effect: 'deny', rule: 'connection:conn_acme-agent_tasks:audience' });
    expect(d?.decision?.reasons.join(' ')).toContain('contractors');
    expect((d?.data?.trace as Array<{ check: string; outcome: string }> | undefined)?.find((s) => s.check === 'connection.audience')?.outcome).toBe('fail');
  });

  it('scope not allowed: invalid_scope', async () => {
    const mark = lastEventId(t.idp);
    const r = await t.exchange('acme-chat', { subject_token: aliceChat.id_token, audience: docs.issuer, resource: docs.resource, scope: 'docs.write' });
    expectOAuthError(r, 'invalid_scope');
    expect(decisionAfter(mark)?.decision).toMatchObject({ effect: 'deny', rule: 'connection:conn_acme-chat_docs:scope' });
  });

  it('disabled connection: access_denied', async () => {
    const off = await t.admin('PATCH', '/admin/connections/conn_acme-agent_docs', { enabled: false });
    expect(off.status).toBe(200);
    try {
      const mark = lastEventId(t.idp);
      const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: docs.issuer, resource: docs.resource });
      expectOAuthError(r, 'access_denied');
      expect(decisionAfter(mark)?.decision).toMatchObject({ effect: 'deny', rule: 'connection:conn_acme-agent_docs:disabled' });
    } finally {
      expect((await t.admin('PATCH', '/admin/connections/conn_acme-agent_docs', { enabled: true })).status).toBe(200);
    }
  });

  it('ID token minted for another client: invalid_grant (draft-04 §4.3.3)', async () => {
    const mark = lastEventId(t.idp);
    const r = await t.exchange('acme-agent', { subject_token: aliceChat.id_token, audience: tasks.issuer, resource: tasks.resource });
    expectOAuthError(r, 'invalid_grant');
    expect(decisionAfter(mark)?.decision?.rule).toBe('verify-subject-token:ERR_SUBJECT_AUD_MISMATCH');
  });

  it('a token that is not an ID token of this IdP: invalid_grant', async () => {
    const jag = (await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer })).body.access_token as string;
    expectOAuthError(await t.exchange('acme-agent', { subject_token: jag, audience: tasks.issuer }), 'invalid_grant');
    const forged = `${alice.id_token.slice(0, alice.id_token.lastIndexOf('.'))}.AAAA`;
    expectOAuthError(await t.exchange('acme-agent', { subject_token: forged, audience: tasks.issuer }), 'invalid_grant');
    expectOAuthError(await t.exchange('acme-agent', { subject_token: 'garbage', audience: tasks.issuer }), 'invalid_grant');
  });

  it('unknown audience: invalid_target', async () => {
    const mark = lastEventId(t.idp);
    const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: 'http://localhost:9999' });
    expectOAuthError(r, 'invalid_target');
    expect(decisionAfter(mark)?.decision?.rule).toBe('target:unknown_audience');
  });

  it('an issuer with a trailing slash is another issuer (docs/decisions.md §4 byte-for-byte)', async () => {
    expectOAuthError(await t.exchange('acme-agent', { subject_token: alice.id_token, audience: `${tasks.issuer}/` }), 'invalid_target');
  });

  it('resource not paired with the audience: invalid_target (EMA §7.6.1)', async () => {
    const mark = lastEventId(t.idp);
    const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer, resource: docs.resource });
    expectOAuthError(r, 'invalid_target');
    expect(decisionAfter(mark)?.decision?.rule).toBe('target:resource_not_paired');
  });

  it('several audiences: invalid_target (an ID-JAG names one AS)', async () => {
    expectOAuthError(await t.exchange('acme-agent', { subject_token: alice.id_token, audience: [tasks.issuer, docs.issuer] }), 'invalid_target');
  });

  it('wrong client secret: invalid_client (401), recorded as a refused request', async () => {
    const mark = lastEventId(t.idp);
    const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer }, { secret: 'wrong' });
    expectOAuthError(r, 'invalid_client', 401);
    expect(decisionAfter(mark)?.decision).toMatchObject({ effect: 'deny', rule: 'request:invalid_client' });
  });

  it('no client authentication for a confidential app (public client where not allowed): invalid_client', async () => {
    const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer }, 'none');
    expectOAuthError(r, 'invalid_client', 401);
  });

  it('no client authentication and no client_id at all: invalid_client (401), not invalid_request (RFC 6749 §5.2)', async () => {
    const res = await fetch(`${t.idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
        subject_token: alice.id_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        audience: tasks.issuer,
      }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('a client that may not use token exchange (ops, console): unauthorized_client', async () => {
    const r = await t.exchange('ops', { subject_token: alice.id_token, audience: tasks.issuer }, { secret: t.topology.ops.client_secret });
    expectOAuthError(r, 'unauthorized_client');
    const c = await t.exchange('xaa-console', { subject_token: alice.id_token, audience: tasks.issuer }, { secret: t.topology.console.client.client_secret });
    expectOAuthError(c, 'unauthorized_client');
  });
});

describe('malformed requests: clear 4xx, never 500 (RFC 6749 §5.2, RFC 8693 §2.2.2)', () => {
  it('missing or wrong requested_token_type: invalid_request', async () => {
    expectOAuthError(
      await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer, requested_token_type: undefined }),
      'invalid_request',
    );
    expectOAuthError(
      await t.exchange('acme-agent', {
        subject_token: alice.id_token,
        audience: tasks.issuer,
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      }),
      'invalid_request',
    );
  });

  it('missing subject_token, subject_token_type or audience: invalid_request', async () => {
    expectOAuthError(await t.exchange('acme-agent', { audience: tasks.issuer }), 'invalid_request');
    expectOAuthError(
      await t.exchange('acme-agent', { subject_token: alice.id_token, subject_token_type: undefined, audience: tasks.issuer }),
      'invalid_request',
    );
    expectOAuthError(await t.exchange('acme-agent', { subject_token: alice.id_token }), 'invalid_request');
  });

  it('unsupported subject_token_type: invalid_request; a saml2 token that is no valid assertion: invalid_grant', async () => {
    // RFC 8693 §3: saml2 is supported (test/saml/token-exchange.test.ts); garbage in it is a bad grant.
    expectOAuthError(
      await t.exchange('acme-agent', { subject_token: 'PHNhbWw+', subject_token_type: 'urn:ietf:params:oauth:token-type:saml2', audience: tasks.issuer }),
      'invalid_grant',
    );
    expectOAuthError(
      await t.exchange('acme-agent', { subject_token: alice.id_token, subject_token_type: 'urn:x:nope', audience: tasks.issuer }),
      'invalid_request',
    );
  });

  it('duplicated subject_token: invalid_request', async () => {
    expectOAuthError(await t.exchange('acme-agent', { subject_token: [alice.id_token, alice.id_token], audience: tasks.issuer }), 'invalid_request');
  });

  it('SQL-looking strings are just unknown values', async () => {
    expectOAuthError(await t.exchange('acme-agent', { subject_token: alice.id_token, audience: "' OR 1=1; DROP TABLE users; --" }), 'invalid_target');
    expectOAuthError(
      await t.exchange('acme-agent', { subject_token: "' OR '1'='1", subject_token_type: TOKEN_TYPE_REFRESH_TOKEN, audience: tasks.issuer }),
      'invalid_grant',
    );
    expectOAuthError(await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer, scope: "tasks.read' OR 1=1" }), 'invalid_scope');
  });

  it('oversized parameters: a 4xx, not a 500', async () => {
    const r = await t.exchange('acme-agent', { subject_token: 'a'.repeat(200_000), audience: tasks.issuer });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
  });

  it('a JSON body or a malformed form: invalid_request', async () => {
    const json = await fetch(`${t.idp.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"x"}' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
    const broken = await fetch(`${t.idp.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '%%%&&&=%zz',
    });
    expect(broken.status).toBeGreaterThanOrEqual(400);
    expect(broken.status).toBeLessThan(500);
  });

  it('answers JSON even to a caller that prefers HTML', async () => {
    const r = await t.token({ grant_type: 'urn:x:nope', client_id: 'acme-agent', client_secret: 'agent-secret' }, { accept: 'text/html' });
    expectOAuthError(r, 'unsupported_grant_type');
  });

  it('an unknown grant type: unsupported_grant_type', async () => {
    const r = await t.token({ grant_type: 'urn:x:nope', client_id: 'acme-agent', client_secret: 'agent-secret' });
    expectOAuthError(r, 'unsupported_grant_type');
  });

  it('the ID-JAG header is explicitly typed', async () => {
    const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer });
    expect(decodeProtectedHeader(String(r.body.access_token)).typ).toBe('oauth-id-jag+jwt');
  });
});
