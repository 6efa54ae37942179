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

async function proof(over: { htm?: string; htu?: string; iat?: number; jti?: string; typ?: string; headerJwk?: object; nonce?: string } = {}) {
  return new SignJWT({
    ...(over.nonce !== undefined ? { nonce: over.nonce } : {}),
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

describe('DPoP settings at the IdP', () => {
  it('advertises dpop_signing_alg_values_supported, asymmetric only (RFC 9449 §5.1)', async () => {
    const meta = (await (await fetch(`${t.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const algs = meta.dpop_signing_alg_values_supported as string[];
    expect(algs).toContain('ES256');
    expect(algs.some((a) => a === 'none' || a.startsWith('HS'))).toBe(false);
  });

  it('a connection with require_dpop refuses an exchange without a proof, saying so; with a proof it binds (RFC 9449 §5)', async () => {
    const set = await t.admin('PATCH', '/admin/connections/conn_acme-agent_tasks', { require_dpop: true });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.require_dpop).toBe(true);
    try {
      const mark = lastEventId(t.idp);
      const denied = await exchange();
      expect(denied.status).toBe(400);
      expect(denied.body.error).toBe('invalid_dpop_proof');
      expect(String(denied.body.error_description)).toMatch(/requires DPoP/);
      const decision = eventsSince(t.idp, mark, 'exchange.decision').at(-1);
      expect(decision?.decision?.rule).toBe('connection:conn_acme-agent_tasks:dpop');
      expect(decision?.outcome).toBe('denied');
      const ok = await exchange(await proof());
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(decodeJwt(String(ok.body.access_token)).cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk) });
    } finally {
      expect((await t.admin('PATCH', '/admin/connections/conn_acme-agent_tasks', { require_dpop: false })).body.require_dpop).toBe(false);
    }
    expect((await exchange()).status).toBe(200);
  });

  it('the policy simulator shows a require_dpop connection: denied without a proof, allowed with one and a cnf in the claims', async () => {
    await t.admin('PATCH', '/admin/connections/conn_acme-agent_tasks', { require_dpop: true });
    try {
      const base = { user: 'alice', app: 'acme-agent', server: 'tasks' };
      const without = await t.admin('POST', '/admin/simulate', base);
      expect(without.body.decision).toMatchObject({ effect: 'deny', code: 'invalid_dpop_proof', rule: 'connection:conn_acme-agent_tasks:dpop' });
      const withProof = await t.admin('POST', '/admin/simulate', { ...base, dpop: true });
      expect(withProof.body.decision.effect).toBe('allow');
      expect(withProof.body.claims.cnf.jkt).toBeTruthy();
      const access = await t.admin('GET', '/admin/users/alice/effective-access');
      expect(access.body.access.find((a: { server: string }) => a.server === 'tasks')).toMatchObject({ require_dpop: true });
    } finally {
      await t.admin('PATCH', '/admin/connections/conn_acme-agent_tasks', { require_dpop: false });
    }
  });

  it('rejects a non-boolean require_dpop at the admin API', async () => {
    expect((await t.admin('PATCH', '/admin/connections/conn_acme-agent_tasks', { require_dpop: 'yes' })).status).toBe(400);
    expect((await t.admin('PATCH', '/admin/settings/dpop', { use_dpop_nonce: 1 })).status).toBe(400);
    expect((await t.admin('GET', '/admin/settings/dpop', undefined, '')).status).toBe(401);
  });

  it('use_dpop_nonce: a proof without the IdP nonce gets 400 use_dpop_nonce and a DPoP-Nonce; the retry with it succeeds (RFC 9449 §8)', async () => {
    const on = await t.admin('PATCH', '/admin/settings/dpop', { use_dpop_nonce: true });
    expect(on.body).toEqual({ use_dpop_nonce: true });
    try {
      const first = await exchange(await proof());
      expect(first.status).toBe(400);
      expect(first.body.error).toBe('use_dpop_nonce');
      const nonce = first.headers.get('dpop-nonce');
      expect(nonce).toBeTruthy();
      // A forged or altered nonce is not current.
      const forged = await exchange(await proof({ nonce: `${nonce}x` }));
      expect(forged.body.error).toBe('use_dpop_nonce');
      const retry = await exchange(await proof({ nonce: String(nonce) }));
      expect(retry.status, JSON.stringify(retry.body)).toBe(200);
      expect(retry.headers.get('dpop-nonce')).toBeTruthy();
      // Nonces apply to proofs; an exchange without any proof is unaffected (no binding requested).
      expect((await exchange()).status).toBe(200);
    } finally {
      expect((await t.admin('PATCH', '/admin/settings/dpop', { use_dpop_nonce: false })).body).toEqual({ use_dpop_nonce: false });
    }
  });
});
