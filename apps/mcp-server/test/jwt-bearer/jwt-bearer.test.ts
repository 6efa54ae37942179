/**
 * The jwt-bearer grant refuses every bad ID-JAG with the documented code (docs/decisions.md §4;
 * draft-04 §4.4.1; RFC 7523 §3; EMA §5.1, §7.4, §7.6.2). Malformed ID-JAGs are crafted
 * with jose and signed by a test issuer that the Tasks AS trusts through its admin API.
 */
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, form, type Stack, startStack } from '../support/stack.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

let stack: Stack;
let ti: TestIssuer;

beforeAll(async () => {
  stack = await startStack();
  const tasks = stack.server('tasks');
  ti = await startTestIssuer({ aud: tasks.issuer, client_id: 'acme-agent-at-tasks', resource: tasks.resource, scope: 'tasks.read' });
  const r = await stack.admin('tasks', 'POST', '/admin/trusted-issuers', { issuer: ti.issuer, jwks_uri: ti.jwksUri, algorithms: ['ES256'] });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await ti?.close();
  await stack?.close();
});

/** The id of the check the AS reported as failed for the last jwt-bearer request. */
function lastFailedCheck(): string | undefined {
  const events = stack.mcp.flowLogs.tasks!.recent({ limit: 50 });
  return events.filter((e) => e.step === 'bearer.check' && e.outcome === 'denied').at(-1)?.check?.id;
}

async function expectRefused(assertion: string, error: string, check: string | undefined, extra?: Record<string, string>) {
  const before = stack.mcp.flowLogs.tasks!.recent({ limit: 1 })[0]?.id;
  const r = await stack.redeem('tasks', assertion, extra ? { extra } : {});
  expect(r.status, JSON.stringify(r.body)).toBe(error === 'invalid_client' ? 401 : 400);
  expect(r.body.error).toBe(error);
  expect(typeof r.body.error_description).toBe('string');
  expect(r.headers.get('cache-control')).toBe('no-store');
  if (check) {
    expect(lastFailedCheck()).toBe(check);
    expect(stack.mcp.flowLogs.tasks!.recent({ after: before }).some((e) => e.step === 'bearer.issued' && e.outcome === 'denied')).toBe(true);
  }
  return r;
}

describe('a valid test-issuer ID-JAG is accepted (the baseline every refusal below differs from)', () => {
  it('issues an access token and provisions the subject just in time', async () => {
    const r = await stack.redeem('tasks', await ti.mint());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.scope).toBe('tasks.read');
    expect(decodeJwt(r.body.access_token)).toMatchObject({ idp_iss: ti.issuer, idp_sub: 'test-user-1' });
    // ID-JAG builds after -04, §4.4.2: the token is restricted to this resource, and the response says so.
    expect(r.body.resource).toBe(decodeJwt(r.body.access_token).aud);
  });
});

describe('signature and header (EMA §7.4.1, RFC 8725)', () => {
  it('forged signature: right kid, wrong key → invalid_grant', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    await expectRefused(await ti.mint({}, { key: privateKey }), 'invalid_grant', 'signature');
  });
  it('alg none → invalid_grant', async () => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${enc({ alg: 'none', typ: 'oauth-id-jag+jwt', kid: ti.kid })}.${enc(ti.baseClaims())}.`;
    await expectRefused(unsigned, 'invalid_grant', 'alg');
  });
  it('HS256 signed with the public key as the HMAC secret → invalid_grant', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(ti.publicJwk));
    await expectRefused(await ti.mint({}, { alg: 'HS256', key: secret }), 'invalid_grant', 'alg');
  });
  it('wrong typ (an ID token shape) → invalid_grant', async () => {
    await expectRefused(await ti.mint({}, { header: { typ: 'JWT' } }), 'invalid_grant', 'typ');
  });
  it('unknown kid → invalid_grant', async () => {
    await expectRefused(await ti.mint({}, { header: { kid: 'no-such-key' } }), 'invalid_grant', 'signature');
  });
  it('a key the IdP publishes later is accepted even right after a fetch: the kid miss waits out the refetch cooldown (EMA §7.4.1 rotation)', async () => {
    const { kid, privateKey } = await ti.addKey();
    // The previous test's kid miss just refetched the JWKS, so this miss falls inside the cooldown.
    const r = await stack.redeem('tasks', await ti.mint({}, { header: { kid }, key: privateKey }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });
  it('untrusted issuer → invalid_grant', async () => {
    await expectRefused(await ti.mint({ iss: 'https://evil.example' }), 'invalid_grant', 'iss');
  });
  it('not a JWT → invalid_grant; no assertion → invalid_request', async () => {
    await expectRefused('not-a-jwt', 'invalid_grant', 'format');
    const reg = stack.registration('acme-agent', 'tasks');
    const r = await form(
      `${stack.server('tasks').issuer}/token`,
      { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' },
      basic(reg.client_id, reg.client_secret),
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
  });
});

describe('claims (draft-04 §3.1, §4.4.1; RFC 7523 §3)', () => {
  it('aud of another AS → invalid_grant', async () => {
    await expectRefused(await ti.mint({ aud: stack.server('docs').issuer }), 'invalid_grant', 'aud');
  });
  it('aud with a trailing slash → invalid_grant (issuers compare byte for byte)', async () => {
    await expectRefused(await ti.mint({ aud: `${stack.server('tasks').issuer}/` }), 'invalid_grant', 'aud');
  });
  it('aud array of two, one of them right → invalid_grant', async () => {
    await expectRefused(await ti.mint({ aud: [stack.server('tasks').issuer, stack.server('docs').issuer] }), 'invalid_grant', 'aud');
  });
  it('expired → invalid_grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await ti.mint({ iat: now - 600, exp: now - 120 }), 'invalid_grant', 'exp');
  });
  it('iat in the future (beyond the skew) → invalid_grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await ti.mint({ iat: now + 600, exp: now + 900 }), 'invalid_grant', 'iat');
  });
  for (const claim of ['iss', 'sub', 'aud', 'client_id', 'jti', 'iat', 'exp']) {
    it(`missing ${claim} → invalid_grant`, async () => {
      const r = await expectRefused(await ti.mint({ [claim]: undefined }), 'invalid_grant', undefined);
      expect(['iss', 'required_claims', 'aud', 'exp', 'iat']).toContain(lastFailedCheck());
      expect(r.body.error_description).toMatch(claim === 'iss' ? /issuer/i : new RegExp(claim));
    });
  }
  it('client_id of another client → invalid_grant', async () => {
    await expectRefused(await ti.mint({ client_id: 'acme-chat-at-tasks' }), 'invalid_grant', 'client_id');
  });
  it('resource of another server → invalid_grant', async () => {
    await expectRefused(await ti.mint({ resource: stack.server('docs').resource }), 'invalid_grant', 'resource');
  });
  it('no resource claim: the AS serves one resource, so the token is for it (EMA §4.3 resource is optional)', async () => {
    const r = await stack.redeem('tasks', await ti.mint({ resource: undefined }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(decodeJwt(r.body.access_token).aud).toBe(stack.server('tasks').resource);
  });
  it('a resource request parameter this AS does not serve → invalid_target', async () => {
    await expectRefused(await ti.mint(), 'invalid_target', 'resource', { resource: stack.server('docs').resource });
  });
  it('requested scope beyond the ID-JAG (escalation) → invalid_scope', async () => {
    await expectRefused(await ti.mint({ scope: 'tasks.read' }), 'invalid_scope', 'scope', { scope: 'tasks.read tasks.write' });
  });
  it('a narrower requested scope is granted as asked; omitted scope grants the ID-JAG scopes', async () => {
    const narrowed = await stack.redeem('tasks', await ti.mint({ scope: 'tasks.read tasks.write' }), { extra: { scope: 'tasks.read' } });
    expect(narrowed.body.scope).toBe('tasks.read');
    const all = await stack.redeem('tasks', await ti.mint({ scope: 'tasks.read tasks.write' }));
    expect(all.body.scope).toBe('tasks.read tasks.write');
  });
  it('scopes not registered for this resource → invalid_grant (EMA §7.6.2)', async () => {
    await expectRefused(await ti.mint({ scope: 'tasks.read docs.write' }), 'invalid_grant', 'scope');
  });
});

describe('single use (EMA §7.4.2)', () => {
  it('a replayed jti is refused, also after a restart; re-presentation can be allowed per AS', async () => {
    const jag = await ti.mint();
    expect((await stack.redeem('tasks', jag)).status).toBe(200);
    await expectRefused(jag, 'invalid_grant', 'jti');
    await stack.restartServers();
    await expectRefused(jag, 'invalid_grant', 'jti');

    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { allow_representation: true })).status).toBe(200);
    const again = await ti.mint();
    expect((await stack.redeem('tasks', again)).status).toBe(200);
    expect((await stack.redeem('tasks', again)).status).toBe(200);
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { allow_representation: false })).status).toBe(200);
  });

  it('two concurrent presentations of one ID-JAG: exactly one wins', async () => {
    const jag = await ti.mint();
    const results = await Promise.all([stack.redeem('tasks', jag), stack.redeem('tasks', jag), stack.redeem('tasks', jag)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400]);
  });
});

describe('client authentication (RFC 6749 §2.3, draft-04 §9.1)', () => {
  it('wrong client secret → invalid_client (401)', async () => {
    const r = await stack.redeem('tasks', await ti.mint(), { auth: basic('acme-agent-at-tasks', 'wrong-secret') });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
  });
  it('no client authentication at all (not even a client_id) → invalid_client (401) with a challenge (RFC 6749 §5.2)', async () => {
    const url = `${stack.server('tasks').issuer}/token`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await ti.mint() }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
  });
  it('a public client → unauthorized_client, whether or not it is registered for the grant', async () => {
    const created = await stack.admin('tasks', 'POST', '/admin/clients', {
      client_id: 'public-agent-at-tasks',
      client_name: 'Public Agent',
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'authorization_code'],
      redirect_uris: ['http://localhost:9999/callback'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const jag = await ti.mint({ client_id: 'public-agent-at-tasks' });
    const url = `${stack.server('tasks').issuer}/token`;
    const r = await form(url, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jag, client_id: 'public-agent-at-tasks' });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('unauthorized_client');
    expect(lastFailedCheck()).toBe('client_auth');
  });
  it('client_secret_post and private_key_jwt clients redeem their own ID-JAGs', async () => {
    const post = await stack.admin('tasks', 'POST', '/admin/clients', {
      client_id: 'post-agent-at-tasks',
      client_name: 'Post Agent',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
    });
    expect(post.status).toBe(201);
    const url = `${stack.server('tasks').issuer}/token`;
    const r1 = await form(url, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: await ti.mint({ client_id: 'post-agent-at-tasks' }),
      client_id: 'post-agent-at-tasks',
      client_secret: post.body.client_secret,
    });
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);

    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const { exportJWK } = await import('jose');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'pkjwt-1', alg: 'ES256', use: 'sig' };
    const pk = await stack.admin('tasks', 'POST', '/admin/clients', {
      client_id: 'pkjwt-agent-at-tasks',
      client_name: 'Key Agent',
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
      jwks: { keys: [jwk] },
    });
    expect(pk.status, JSON.stringify(pk.body)).toBe(201);
    const now = Math.floor(Date.now() / 1000);
    const clientAssertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'pkjwt-1' })
      .setIssuer('pkjwt-agent-at-tasks')
      .setSubject('pkjwt-agent-at-tasks')
      .setAudience(stack.server('tasks').issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
    const r2 = await form(url, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: await ti.mint({ client_id: 'pkjwt-agent-at-tasks' }),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion,
    });
    expect(r2.status, JSON.stringify(r2.body)).toBe(200);
  });
});

describe('subject mapping and error modes', () => {
  it('unknown subject without JIT → invalid_grant; known subjects still work', async () => {
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { jit_provisioning: false })).status).toBe(200);
    await expectRefused(await ti.mint({ sub: 'never-seen-before', email: 'nobody@acme.test' }), 'invalid_grant', 'subject');
    expect((await stack.redeem('tasks', await ti.mint())).status).toBe(200);
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { jit_provisioning: true })).status).toBe(200);
  });
  it('generic-errors mode hides which check failed from the caller, not from the audit', async () => {
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { generic_errors: true })).status).toBe(200);
    const r = await expectRefused(await ti.mint({ aud: 'https://elsewhere.example' }), 'invalid_grant', 'aud');
    expect(r.body.error_description).toBe('The assertion was not accepted.');
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { generic_errors: false })).status).toBe(200);
  });
  it('Wiki (classic only) does not know the grant, and its live view says so', async () => {
    const reg = stack.registration('acme-agent', 'wiki');
    const before = stack.mcp.flowLogs.wiki!.recent({ limit: 1 })[0]?.id;
    const r = await form(
      `${stack.server('wiki').issuer}/token`,
      { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await ti.mint() },
      basic(reg.client_id, reg.client_secret),
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('unsupported_grant_type');
    const refused = stack.mcp.flowLogs.wiki!.recent({ after: before }).filter((e) => e.step === 'bearer.request');
    expect(refused.map((e) => [e.outcome, e.error?.code])).toEqual([['denied', 'unsupported_grant_type']]);
  });
});

describe('DPoP-bound ID-JAGs (draft-04 §9.8.1.2, RFC 9449)', () => {
  const reg = () => basic('acme-agent-at-tasks', stack.topology.clients[0]?.servers.tasks?.client_secret as string);
  async function dpopKey() {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
  }
  async function proof(k: Awaited<ReturnType<typeof dpopKey>>, over: Record<string, unknown> = {}) {
    return new SignJWT({ htm: 'POST', htu: `${stack.server('tasks').issuer}/token`, jti: randomUUID(), ...over })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: k.jwk })
      .setIssuedAt()
      .sign(k.privateKey);
  }

  it('a key-bound ID-JAG without a DPoP proof → invalid_grant at the cnf check', async () => {
    const k = await dpopKey();
    const r = await stack.redeem('tasks', await ti.mint({ cnf: { jkt: k.jkt } }));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
    expect(String(r.body.error_description)).toMatch(/DPoP/);
  });

  it('a proof of another key → invalid_grant', async () => {
    const bound = await dpopKey();
    const other = await dpopKey();
    const r = await stack.redeem('tasks', await ti.mint({ cnf: { jkt: bound.jkt } }), { auth: { ...reg(), dpop: await proof(other) } });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
  });

  it('a proof of the bound key → an access token', async () => {
    const k = await dpopKey();
    const r = await stack.redeem('tasks', await ti.mint({ cnf: { jkt: k.jkt } }), { auth: { ...reg(), dpop: await proof(k) } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it('an invalid proof (wrong htu) → invalid_dpop_proof (RFC 9449 §5)', async () => {
    const k = await dpopKey();
    const r = await stack.redeem('tasks', await ti.mint({ cnf: { jkt: k.jkt } }), {
      auth: { ...reg(), dpop: await proof(k, { htu: 'http://elsewhere.test/token' }) },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_dpop_proof');
  });
});
