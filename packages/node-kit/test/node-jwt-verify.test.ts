/**
 * jwtVerifyNode gives jose's answer: the same payload and header for a good token, and for each bad
 * one jose's own error class and code (RFC 7515 §5.2 signature, RFC 7519 §7.2 claims, RFC 8725 §3.11
 * explicit typing), with a frozen clock.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { signJwt } from '@xaa/protocol';
import { type CryptoKey, createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, type JWTVerifyOptions, jwtVerify, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { jwtClaimsOfOwnToken, jwtVerifyNode, type NodeVerifyKey, nodeJwsSigner } from '../src/node-jwt-verify.ts';

const NOW = 1_800_000_000;
const ISSUER = 'https://as.test';
const AUD = 'https://rs.test/mcp';

let es: { priv: CryptoKey; keys: NodeVerifyKey[]; jwks: ReturnType<typeof createLocalJWKSet> };
let rs: { priv: CryptoKey; keys: NodeVerifyKey[]; jwks: ReturnType<typeof createLocalJWKSet> };
let other: CryptoKey;

async function keyPair(alg: 'ES256' | 'RS256', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg };
  return { priv: privateKey, keys: [{ kid, alg, key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }) }], jwks: createLocalJWKSet({ keys: [jwk] }) };
}

beforeAll(async () => {
  es = await keyPair('ES256', 'es-1');
  rs = await keyPair('RS256', 'rs-1');
  other = (await generateKeyPair('ES256')).privateKey;
});

const options = (o: Partial<JWTVerifyOptions> = {}): JWTVerifyOptions & { algorithms: string[] } => ({
  typ: 'at+jwt',
  issuer: ISSUER,
  audience: AUD,
  algorithms: ['ES256'],
  requiredClaims: ['exp', 'iat', 'sub', 'jti'],
  clockTolerance: 5,
  currentDate: new Date(NOW * 1000),
  ...o,
});

function token(claims: JWTPayload = {}, header: Record<string, unknown> = {}, key: CryptoKey = es.priv, alg = 'ES256') {
  const crit = Array.isArray(header.crit) ? { crit: Object.fromEntries(header.crit.map((c: string) => [c, true])) } : {};
  return new SignJWT({ iss: ISSUER, aud: AUD, sub: 'u1', jti: 'j1', iat: NOW - 10, exp: NOW + 300, ...claims })
    .setProtectedHeader({ alg, kid: 'es-1', typ: 'at+jwt', ...header })
    .sign(key, crit);
}

async function outcome(p: Promise<unknown>) {
  try {
    // jose also hands back the key it resolved (a CryptoKey; ours is a KeyObject): no caller reads it.
    const { payload, protectedHeader } = (await p) as { payload: unknown; protectedHeader: unknown };
    return { ok: { payload, protectedHeader } };
  } catch (e) {
    return { error: (e as Error).constructor.name, code: (e as { code?: string }).code, claim: (e as { claim?: string }).claim };
  }
}

async function same(t: string, o = options(), k = es) {
  const ours = await outcome(jwtVerifyNode(t, k.keys, k.jwks, o));
  const jose = await outcome(jwtVerify(t, k.jwks, o));
  expect(ours).toEqual(jose);
  return ours;
}

describe('jwtVerifyNode', () => {
  it('accepts what jose accepts, with the same payload and protected header (ES256 and RS256)', async () => {
    expect((await same(await token())).ok).toBeTruthy();
    const r = await same(await token({}, { kid: 'rs-1' }, rs.priv, 'RS256'), options({ algorithms: ['RS256'] }), rs);
    expect(r.ok).toBeTruthy();
  });

  it.each([
    ['a signature by another key (RFC 7515 §5.2)', async () => token({}, {}, other)],
    ['a tampered payload', async () => (await token()).replace(/\.([^.]+)\./, (_m, p: string) => `.${p.slice(0, -2)}AA.`)],
    ['a non-canonical signature encoding', async () => `${await token()}A`],
    ['an unknown kid', async () => token({}, { kid: 'nope' })],
    ['an algorithm not allowed', async () => token({}, { kid: 'rs-1' }, rs.priv, 'RS256')],
    ['a crit header (RFC 7515 §4.1.11)', async () => token({}, { crit: ['urn:x'], 'urn:x': 1 })],
    ['expired beyond the tolerance (RFC 7519 §4.1.4)', async () => token({ exp: NOW - 6 })],
    ['another issuer', async () => token({ iss: 'https://evil.test' })],
    ['another audience', async () => token({ aud: 'https://other.test' })],
    ['a missing required claim', async () => token({ jti: undefined })],
    ['another typ (RFC 8725 §3.11)', async () => token({}, { typ: 'oauth-id-jag+jwt' })],
    ['no typ', async () => token({}, { typ: undefined })],
    ['not yet valid (nbf)', async () => token({ nbf: NOW + 60 })],
    ['not a JWS', async () => 'a.b'],
    ['garbage', async () => 'x.y.z'],
  ])('refuses %s with jose’s own error', async (_name, make) => {
    const r = await same(await make());
    expect(r.ok).toBeUndefined();
  });

  it('a good token is verified by Node crypto alone (jose is only the fallback)', async () => {
    const noJose = () => Promise.reject(new Error('fallback used'));
    const { payload } = await jwtVerifyNode(await token(), es.keys, noJose, options());
    expect(payload.sub).toBe('u1');
  });

  it('the claim checks follow the options (maxTokenAge)', async () => {
    const r = await same(await token({ iat: NOW - 120 }), options({ maxTokenAge: 60 }));
    expect(r).toMatchObject({ error: 'JWTExpired' });
  });
});

describe('jwtClaimsOfOwnToken (a token this process signed: the claim checks, not the signature)', () => {
  const claimsOnly = (t: string, o = options()) =>
    outcome(
      Promise.resolve().then(() => {
        const r = jwtClaimsOfOwnToken(t, o);
        if (!r) throw new Error('off the plain path');
        return r;
      }),
    );

  it.each([
    ['a good token', async () => token()],
    ['expired beyond the tolerance', async () => token({ exp: NOW - 6 })],
    ['another issuer', async () => token({ iss: 'https://evil.test' })],
    ['another audience', async () => token({ aud: 'https://other.test' })],
    ['a missing required claim', async () => token({ jti: undefined })],
    ['another typ', async () => token({}, { typ: 'oauth-id-jag+jwt' })],
    ['not yet valid (nbf)', async () => token({ nbf: NOW + 60 })],
  ])('%s: the same answer as jose’s jwtVerify', async (_name, make) => {
    const t = await make();
    expect(await claimsOnly(t)).toEqual(await outcome(jwtVerify(t, es.jwks, options())));
  });

  it('leaves anything off the plain path to a full verification (undefined)', async () => {
    expect(jwtClaimsOfOwnToken(await token({}, { crit: ['urn:x'], 'urn:x': 1 }), options())).toBeUndefined();
    expect(jwtClaimsOfOwnToken(await token({}, { kid: 'rs-1' }, rs.priv, 'RS256'), options())).toBeUndefined();
    expect(jwtClaimsOfOwnToken('a.b', options())).toBeUndefined();
  });
});

describe('nodeJwsSigner with @xaa/protocol signJwt', () => {
  it.each(['ES256', 'RS256'] as const)('%s: the same header and payload bytes as jose’s SignJWT, a signature jose verifies', async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const claims = { iss: ISSUER, aud: AUD, sub: 'u1', jti: 'j1', iat: NOW - 10, exp: NOW + 300, scope: 'a b' };
    const key = { kid: 'k', alg, key: privateKey };
    const viaNode = await signJwt(claims, { ...key, sign: nodeJwsSigner(await exportJWK(privateKey), alg) }, { typ: 'at+jwt' });
    const viaJose = await signJwt(claims, key, { typ: 'at+jwt' });
    expect(viaNode.split('.').slice(0, 2)).toEqual(viaJose.split('.').slice(0, 2));
    const { payload, protectedHeader } = await jwtVerify(viaNode, publicKey, { ...options({ algorithms: [alg] }) });
    expect(payload).toEqual(claims);
    expect(protectedHeader).toEqual({ alg, kid: 'k', typ: 'at+jwt' });
  });
});
