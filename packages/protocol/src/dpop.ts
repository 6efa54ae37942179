/**
 * RFC 9449 §4.3 DPoP proof validation, shared by the IdP (a proof on the token exchange binds the
 * ID-JAG: `cnf.jkt`, draft-04 §9.8.1.1) and the resource AS (a bound ID-JAG needs a proof with that
 * key, draft-04 §9.8.1.2). If the client sends a `DPoP` header, the proof MUST be valid — one header, a JWS
 * typed `dpop+jwt`, asymmetric `alg`, a public `jwk` in the header that verifies it, `htm` = POST,
 * `htu` = this token endpoint, a fresh `iat`, an unseen `jti` — and the result is the RFC 7638
 * thumbprint of that key. Without the header the result is undefined.
 * What it does not do: DPoP nonces (the playground does not require them).
 */

import { calculateJwkThumbprint, EmbeddedJWK, type JWK, errors as joseErrors, jwtVerify } from 'jose';
import { InvalidDpopProof } from './errors.ts';

const SPEC = 'RFC 9449 §4.3';
/** How old (or how far in the future) a proof's `iat` may be. */
export const DPOP_MAX_AGE_SECONDS = 60;

/** Proof `jti`s seen recently (per key), forgotten once their `iat` window has passed. */
export class DpopReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly maxEntries = 50_000) {}

  /** True the first time; false for a replay. */
  use(key: string, until: number, nowSeconds: number): boolean {
    if (this.seen.size >= this.maxEntries) for (const [k, exp] of this.seen) if (exp <= nowSeconds) this.seen.delete(k);
    const exp = this.seen.get(key);
    if (exp !== undefined && exp > nowSeconds) return false;
    if (this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(key, until);
    return true;
  }
}

function normalizeHtu(value: string): string | undefined {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return undefined;
  }
}

/** Returns the key thumbprint to bind (`cnf.jkt`), or undefined when the request has no DPoP header. */
export async function verifyDpopProof(
  header: string | undefined,
  expected: { htm: string; htu: string },
  nowSeconds: number,
  replay: DpopReplayCache,
): Promise<string | undefined> {
  if (header === undefined || header === '') return undefined;
  // Node joins repeated headers with ", "; a compact JWS contains neither.
  if (/[,\s]/.test(header)) throw new InvalidDpopProof('Exactly one DPoP proof is allowed.', { code: 'ERR_DPOP_MULTIPLE', specRef: SPEC });
  let payload: Record<string, unknown>;
  let jwk: JWK;
  try {
    const result = await jwtVerify(header, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
      requiredClaims: ['iat', 'jti', 'htm', 'htu'],
      maxTokenAge: DPOP_MAX_AGE_SECONDS,
      clockTolerance: 5,
      currentDate: new Date(nowSeconds * 1000),
    });
    payload = result.payload as Record<string, unknown>;
    jwk = result.protectedHeader.jwk as JWK;
  } catch (e) {
    const why =
      e instanceof joseErrors.JWTExpired || (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'iat')
        ? 'The DPoP proof is not fresh (iat).'
        : e instanceof joseErrors.JWTClaimValidationFailed
          ? `The DPoP proof's ${e.claim} is missing or invalid.`
          : 'The DPoP proof is not a valid dpop+jwt signed with the key in its header.';
    throw new InvalidDpopProof(why, { code: 'ERR_DPOP_INVALID', specRef: SPEC, cause: e });
  }
  if (jwk.d !== undefined || jwk.k !== undefined)
    throw new InvalidDpopProof('The DPoP proof header must carry a public key only.', { code: 'ERR_DPOP_PRIVATE_KEY', specRef: SPEC });
  if (payload.htm !== expected.htm) throw new InvalidDpopProof(`The DPoP proof's htm must be ${expected.htm}.`, { code: 'ERR_DPOP_HTM', specRef: SPEC });
  if (typeof payload.htu !== 'string' || normalizeHtu(payload.htu) !== normalizeHtu(expected.htu))
    throw new InvalidDpopProof(`The DPoP proof's htu must be ${expected.htu}.`, { code: 'ERR_DPOP_HTU', specRef: SPEC });
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256)
    throw new InvalidDpopProof("The DPoP proof's jti is invalid.", { code: 'ERR_DPOP_JTI', specRef: SPEC });
  const jkt = await calculateJwkThumbprint(jwk);
  if (!replay.use(`${jkt}:${payload.jti}`, nowSeconds + DPOP_MAX_AGE_SECONDS + 5, nowSeconds))
    throw new InvalidDpopProof('This DPoP proof was already used.', { code: 'ERR_DPOP_REPLAY', specRef: 'RFC 9449 §11.1' });
  return jkt;
}
