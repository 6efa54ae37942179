import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildIdJagClaims, type IdJagClaims, mintIdJag, type ReplayStore, type SigningKey, type VerifyIdJagOptions, verifyIdJag } from '../../src/index.ts';

const IDP = 'http://localhost:4000';
const AS = 'http://localhost:4101';
const RESOURCE = 'http://localhost:4101/mcp';
const NOW = 1_800_000_000;

let key: SigningKey;
let otherKey: SigningKey;
let publicJwk: JWK;
let options: VerifyIdJagOptions;

const claims = (over: Partial<IdJagClaims> = {}): IdJagClaims => ({
  ...buildIdJagClaims({
    issuer: IDP,
    subject: 'u-alice',
    audience: AS,
    clientId: 'acme-agent-at-tasks',
    resource: RESOURCE,
    scopes: ['tasks.read', 'tasks.write'],
    ttlSeconds: 300,
    now: NOW - 10,
  }),
  ...over,
});

function memoryReplay(): ReplayStore {
  const seen = new Set<string>();
  return {
    consume: ({ iss, jti }) => {
      if (seen.has(`${iss} ${jti}`)) return false;
      seen.add(`${iss} ${jti}`);
      return true;
    },
  };
}

beforeAll(async () => {
  const kp = await generateKeyPair('ES256', { extractable: true });
  const other = await generateKeyPair('ES256');
  key = { kid: 'k1', alg: 'ES256', key: kp.privateKey };
  otherKey = { kid: 'k1', alg: 'ES256', key: other.privateKey };
  publicJwk = { ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'ES256' };
  options = {
    audience: AS,
    trustedIssuers: [{ issuer: IDP, jwks: createLocalJWKSet({ keys: [publicJwk] }) }],
    clientId: 'acme-agent-at-tasks',
    resources: [RESOURCE],
    supportedScopes: ['tasks.read', 'tasks.write'],
    now: NOW,
  };
});

async function expectFailure(token: string, check: string, error: string, code: string, over: Partial<VerifyIdJagOptions> = {}) {
  const r = await verifyIdJag(token, { ...options, ...over });
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.failed).toBe(check);
  expect(r.error.error).toBe(error);
  expect(r.error.code).toBe(code);
  expect(r.error.specRef).toBeTruthy();
  expect(r.checks.find((c) => c.check === check)?.outcome).toBe('failed');
}

describe('verifyIdJag (draft-04 §4.4.1)', () => {
  it('accepts a well-formed ID-JAG and reports every check ok', async () => {
    const r = await verifyIdJag(await mintIdJag(claims(), key), { ...options, replay: memoryReplay() });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.checks.every((c) => c.outcome === 'ok')).toBe(true);
    expect(r.grantedScopes).toEqual(['tasks.read', 'tasks.write']);
    expect(r.resource).toBe(RESOURCE);
  });

  it('RFC 7515 §7.1: a non-JWS assertion fails the format check', () => expectFailure('not-a-jwt', 'format', 'invalid_grant', 'ERR_ID_JAG_MALFORMED'));

  it('draft-04 §4.4.1: wrong typ is invalid_grant', async () => {
    const t = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' }).sign(key.key);
    await expectFailure(t, 'typ', 'invalid_grant', 'ERR_ID_JAG_TYP');
  });

  it('RFC 7515 §4.1.9: typ is a media type — application/ prefix and case do not matter', async () => {
    for (const typ of ['application/oauth-id-jag+jwt', 'OAuth-ID-JAG+JWT', 'Application/OAUTH-ID-JAG+JWT']) {
      const t = await new SignJWT({ ...claims(), jti: `j-${typ}` }).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ }).sign(key.key);
      const r = await verifyIdJag(t, options);
      expect(r.ok, typ).toBe(true);
    }
  });

  it('RFC 8725 §3.11: a near-miss typ is still refused (other prefix, other suffix, empty)', async () => {
    for (const typ of ['text/oauth-id-jag+jwt', 'application/oauth-id-jag', 'oauth-id-jag+jwt; x', 'at+jwt', '']) {
      const t = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ }).sign(key.key);
      await expectFailure(t, 'typ', 'invalid_grant', 'ERR_ID_JAG_TYP');
    }
  });

  it('EMA §7.4.1: alg none is refused', async () => {
    const enc = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const t = `${enc({ alg: 'none', typ: 'oauth-id-jag+jwt' })}.${enc(claims())}.`;
    await expectFailure(t, 'alg', 'invalid_grant', 'ERR_ID_JAG_ALG');
  });

  it('EMA §7.4.1: HS256 signed with the public key is refused', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const t = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'oauth-id-jag+jwt' }).sign(secret);
    await expectFailure(t, 'alg', 'invalid_grant', 'ERR_ID_JAG_ALG');
  });

  it('EMA §7.4.1: untrusted issuer', async () =>
    expectFailure(await mintIdJag(claims({ iss: 'http://evil.test' }), key), 'iss', 'invalid_grant', 'ERR_ID_JAG_ISS_UNTRUSTED'));

  it('RFC 7523 §3: forged signature', async () => expectFailure(await mintIdJag(claims(), otherKey), 'signature', 'invalid_grant', 'ERR_ID_JAG_SIGNATURE'));

  it('RFC 7523 §3: unknown kid', async () =>
    expectFailure(await mintIdJag(claims(), { ...key, kid: 'nope' }), 'signature', 'invalid_grant', 'ERR_ID_JAG_KID_UNKNOWN'));

  it('draft-04 §4.4.1: aud of another AS', async () =>
    expectFailure(await mintIdJag(claims({ aud: 'http://localhost:4102' }), key), 'aud', 'invalid_grant', 'ERR_ID_JAG_AUD_MISMATCH'));

  it('draft-04 §4.4.1: aud array of two is refused even if it contains this AS', async () =>
    expectFailure(await mintIdJag(claims({ aud: [AS, 'http://localhost:4102'] }), key), 'aud', 'invalid_grant', 'ERR_ID_JAG_AUD_MULTIPLE'));

  it('draft-04 §4.4.1: aud array of exactly one is accepted', async () => {
    expect((await verifyIdJag(await mintIdJag(claims({ aud: [AS] }), key), options)).ok).toBe(true);
  });

  it('RFC 7523 §3 (4): expired', async () =>
    expectFailure(await mintIdJag(claims({ iat: NOW - 400, exp: NOW - 100 }), key), 'exp', 'invalid_grant', 'ERR_ID_JAG_EXPIRED'));

  it('RFC 7523 §3: expiry within the clock skew is accepted', async () => {
    expect((await verifyIdJag(await mintIdJag(claims({ exp: NOW - 5 }), key), options)).ok).toBe(true);
  });

  it('RFC 7523 §3 (6): iat in the future', async () =>
    expectFailure(await mintIdJag(claims({ iat: NOW + 600, exp: NOW + 900 }), key), 'iat', 'invalid_grant', 'ERR_ID_JAG_IAT_FUTURE'));

  for (const claim of ['sub', 'client_id', 'jti', 'iat', 'exp', 'iss', 'aud'] as const) {
    it(`draft-04 §3.1: missing ${claim}`, async () => {
      const c: Record<string, unknown> = claims();
      delete c[claim];
      const expected = claim === 'iss' ? 'iss' : 'required_claims';
      await expectFailure(await mintIdJag(c, key), expected, 'invalid_grant', claim === 'iss' ? 'ERR_ID_JAG_ISS_UNTRUSTED' : 'ERR_ID_JAG_CLAIM_MISSING');
    });
  }

  it('draft-04 §4.4.1: client_id of another client', async () =>
    expectFailure(await mintIdJag(claims({ client_id: 'acme-chat-at-tasks' }), key), 'client_id', 'invalid_grant', 'ERR_ID_JAG_CLIENT_MISMATCH'));

  it('EMA §7.6.2: resource of another server', async () =>
    expectFailure(await mintIdJag(claims({ resource: 'http://localhost:4102/mcp' }), key), 'resource', 'invalid_grant', 'ERR_ID_JAG_RESOURCE_FOREIGN'));

  it('RFC 8707: a resource request parameter this AS does not serve is invalid_target', async () =>
    expectFailure(await mintIdJag(claims(), key), 'resource', 'invalid_target', 'ERR_REQUEST_RESOURCE_NOT_SERVED', {
      requestedResource: 'http://localhost:4102/mcp',
    }));

  it('EMA §7.6.2: unregistered scope in the ID-JAG', async () =>
    expectFailure(await mintIdJag(claims({ scope: 'tasks.read admin' }), key), 'scope', 'invalid_grant', 'ERR_ID_JAG_SCOPE_UNKNOWN'));

  it('draft-04 §4.4.1: requested scope beyond the ID-JAG is invalid_scope', async () =>
    expectFailure(await mintIdJag(claims({ scope: 'tasks.read' }), key), 'scope', 'invalid_scope', 'ERR_SCOPE_ESCALATION', {
      requestedScopes: ['tasks.read', 'tasks.write'],
    }));

  it('docs/decisions.md §4: omitted scope grants the ID-JAG scopes; a narrower request narrows', async () => {
    const r = await verifyIdJag(await mintIdJag(claims(), key), { ...options, requestedScopes: ['tasks.read'] });
    expect(r.ok && r.grantedScopes).toEqual(['tasks.read']);
  });

  it('draft-04 §9.8.1.2: a key-bound ID-JAG without a DPoP proof is refused', async () =>
    expectFailure(await mintIdJag(claims({ cnf: { jkt: 'thumbprint-a' } }), key), 'cnf', 'invalid_grant', 'ERR_ID_JAG_DPOP_REQUIRED'));

  it('draft-04 §9.8.1.2: a DPoP proof of another key is refused', async () =>
    expectFailure(await mintIdJag(claims({ cnf: { jkt: 'thumbprint-a' } }), key), 'cnf', 'invalid_grant', 'ERR_ID_JAG_CNF_MISMATCH', {
      dpopJkt: 'thumbprint-b',
    }));

  it('draft-04 §9.8.1.2: a proof of the bound key is accepted', async () => {
    const r = await verifyIdJag(await mintIdJag(claims({ cnf: { jkt: 'thumbprint-a' } }), key), { ...options, dpopJkt: 'thumbprint-a' });
    expect(r.ok).toBe(true);
  });

  it('RFC 7800: a cnf without jkt is refused', async () =>
    expectFailure(await mintIdJag(claims({ cnf: { x5t: 'abc' } as unknown as { jkt: string } }), key), 'cnf', 'invalid_grant', 'ERR_ID_JAG_CNF_INVALID', {
      dpopJkt: 'x',
    }));

  it('EMA §7.4.2: a replayed jti is refused', async () => {
    const replay = memoryReplay();
    const t = await mintIdJag(claims(), key);
    expect((await verifyIdJag(t, { ...options, replay })).ok).toBe(true);
    await expectFailure(t, 'jti', 'invalid_grant', 'ERR_ID_JAG_REPLAY', { replay });
  });

  it('a request refused before the jti check does not burn the grant', async () => {
    const replay = memoryReplay();
    const t = await mintIdJag(claims(), key);
    expect((await verifyIdJag(t, { ...options, replay, clientId: 'someone-else' })).ok).toBe(false);
    expect((await verifyIdJag(t, { ...options, replay })).ok).toBe(true);
  });
});
