/**
 * Tokens the IdP must not sign: the scorecard takes a real ID-JAG minted by the IdP (same subject,
 * same claims) and re-signs it in the ways an attacker would — with its own key, with `alg: none`,
 * or with HS256 keyed by the IdP's *public* key (the RFC 8725 §2.1 algorithm-confusion attack).
 * The attacker keys are generated here, per run; they are never trusted by anything.
 */
import {
  base64url,
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

export interface AttackerKey {
  kid: string;
  alg: 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function generateAttackerKey(kid = `scorecard-${crypto.randomUUID().slice(0, 8)}`): Promise<AttackerKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, alg: 'ES256', privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

function parts(assertion: string): { header: Record<string, unknown>; claims: JWTPayload } {
  return { header: decodeProtectedHeader(assertion) as Record<string, unknown>, claims: decodeJwt(assertion) };
}

/** Re-sign the claims with the attacker's key. `kid` defaults to the original (the IdP's) kid. */
export async function resignWithKey(
  assertion: string,
  key: AttackerKey,
  options: { kid?: string; claims?: JWTPayload; embedJwk?: boolean } = {},
): Promise<string> {
  const { header, claims } = parts(assertion);
  const { d: _d, ...pub } = key.publicJwk;
  return new SignJWT({ ...claims, ...options.claims })
    .setProtectedHeader({
      typ: header.typ as string,
      alg: key.alg,
      kid: options.kid ?? (header.kid as string),
      ...(options.embedJwk ? { jwk: { kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y } as JWK } : {}),
    })
    .sign(key.privateKey);
}

/** RFC 7519 §6 unsecured JWT: `alg: none`, empty signature, the IdP's kid kept. */
export function unsecured(assertion: string): string {
  const { header, claims } = parts(assertion);
  const enc = (v: unknown) => base64url.encode(new TextEncoder().encode(JSON.stringify(v)));
  return `${enc({ ...header, alg: 'none' })}.${enc(claims)}.`;
}

/**
 * HS256 keyed with the IdP's public key in PEM (SPKI) form: a verifier that picks the algorithm from
 * the token header and feeds it "the key" accepts this (RFC 8725 §2.1, §3.1).
 */
export async function hmacWithPublicKey(assertion: string, idpPublicJwk: JWK): Promise<string> {
  const { header, claims } = parts(assertion);
  const alg = idpPublicJwk.alg ?? (idpPublicJwk.kty === 'RSA' ? 'RS256' : 'ES256');
  const pem = await exportSPKI((await importJWK({ ...idpPublicJwk, alg }, alg, { extractable: true })) as CryptoKey);
  return new SignJWT(claims).setProtectedHeader({ typ: header.typ as string, alg: 'HS256', kid: header.kid as string }).sign(new TextEncoder().encode(pem));
}

/** The PEM an algorithm-confused verifier would use as the HMAC secret (exported for test fixtures). */
export async function publicKeyPem(jwk: JWK): Promise<string> {
  const alg = jwk.alg ?? (jwk.kty === 'RSA' ? 'RS256' : 'ES256');
  return exportSPKI((await importJWK({ ...jwk, alg }, alg, { extractable: true })) as CryptoKey);
}
