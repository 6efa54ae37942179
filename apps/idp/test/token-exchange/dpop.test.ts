/**
 * DPoP-bound ID-JAGs (draft-04 §9.8.1.1, RFC 9449 §4.3): a valid proof on the token-exchange request
 * yields `cnf.jkt`; an invalid one is `invalid_dpop_proof`; no proof, no binding.
 */
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsSince, lastEventId, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
let idToken: string;
let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let jwk: Awaited<ReturnType<typeof exportJWK>>;

beforeAll(async () => {
  t = await startTestIdp();
  idToken = (await t.login('alice')).id_token;
  keys = await generateKeyPair('ES256', { extractable: true });
  jwk = await exportJWK(keys.publicKey);
});
afterAll(async () => t?.close());

async function proof(over: { htm?: string; htu?: string; iat?: number; jti?: string; typ?: string; headerJwk?: object } = {}) {
  return new SignJWT({
    htm: over.htm ?? 'POST',
    htu: over.htu ?? `${t.idp.issuer}/token`,
    jti: over.jti ?? crypto.randomUUID(),
    iat: over.iat ?? Math.floor(Date.now() / 1000),
  })
    .setProtectedHeader({ alg: 'ES256', typ: over.typ ?? 'dpop+jwt', jwk: (over.headerJwk ?? jwk) as never })
    .sign(keys.privateKey);
}

const exchange = (dpop?: string) =>
  t.token(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
      subject_token: idToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      audience: serverOf(t.topology, 'tasks').issuer,
    },
    { authorization: `Basic ${Buffer.from('acme-agent:agent-secret').toString('base64')}`, ...(dpop ? { dpop } : {}) },
  );

describe('DPoP on token exchange', () => {
  it('binds the ID-JAG to the proven key (cnf.jkt = RFC 7638 thumbprint)', async () => {
    const r = await exchange(await proof());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(decodeJwt(String(r.body.access_token)).cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk) });
  });

  it('does not bind without a proof', async () => {
    const r = await exchange();
    expect(decodeJwt(String(r.body.access_token)).cnf).toBeUndefined();
  });

  it.each([
    ['wrong htu', { htu: 'http://elsewhere.test/token' }],
    ['wrong htm', { htm: 'GET' }],
    ['stale iat', { iat: Math.floor(Date.now() / 1000) - 600 }],
    ['wrong typ', { typ: 'JWT' }],
  ])('refuses a proof with %s: invalid_dpop_proof', async (_name, over) => {
    const mark = lastEventId(t.idp);
    const r = await exchange(await proof(over));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_dpop_proof');
    expect(r.headers.get('cache-control')).toContain('no-store');
    expect(eventsSince(t.idp, mark, 'exchange.decision').at(-1)?.decision?.rule).toMatch(/^verify-dpop-proof:ERR_DPOP_/);
  });

  it('refuses a replayed proof and a private key in the header', async () => {
    const p = await proof({ jti: 'once' });
    expect((await exchange(p)).status).toBe(200);
    expect((await exchange(p)).body.error).toBe('invalid_dpop_proof');
    const priv = await exportJWK(keys.privateKey);
    expect((await exchange(await proof({ headerJwk: priv }))).body.error).toBe('invalid_dpop_proof');
    expect((await exchange('not-a-jwt')).body.error).toBe('invalid_dpop_proof');
  });
});
