/**
 * RFC 9449 §4.3 DPoP proof validation, shared by the IdP (a proof on the token exchange binds the
 * ID-JAG: `cnf.jkt`, draft-04 §9.8.1.1) and the resource AS (a bound ID-JAG needs a proof with that
 * key, draft-04 §9.8.1.2). If the client sends a `DPoP` header, the proof MUST be valid — one header, a JWS
 * typed `dpop+jwt`, asymmetric `alg`, a public `jwk` in the header that verifies it, `htm` = POST,
 * `htu` = this token endpoint, a fresh `iat`, an unseen `jti` — and the result is the RFC 7638
 * thumbprint of that key. Without the header the result is undefined.
 * At an MCP server the same checks run with the request's method and URL, a ±5 min window and `ath`
 * (RFC 9449 §4.3 step 12; MCP DPoP profile "MCP Server Validation"); the caller compares the returned
 * thumbprint with the access token's `cnf.jkt`.
 * Nonces (RFC 9449 §8, §9) are the caller's choice: it passes a `nonce` check, and a proof without a
 * current nonce is `use_dpop_nonce`; the caller hands out nonces in the `DPoP-Nonce` header.
 */

import { base64url, calculateJwkThumbprint, EmbeddedJWK, type JWK, errors as joseErrors, jwtVerify } from 'jose';
import { InvalidDpopProof, UseDpopNonce } from './errors.ts';

const SPEC = 'RFC 9449 §4.3';
/** How old (or how far in the future) a proof's `iat` may be at a token endpoint. */
export const DPOP_MAX_AGE_SECONDS = 60;
/** The `iat` window at an MCP server (MCP DPoP profile "MCP Server Validation": ±5 minutes). */
export const DPOP_RESOURCE_MAX_AGE_SECONDS = 300;
/** Asymmetric algorithms accepted on proofs (RFC 9449 §4.3 step 5; never `none` or a MAC). */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

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

const UNRESERVED = /[A-Za-z0-9\-._~]/;
/**
 * RFC 9449 §4.3 step 9: compare `htu` without query and fragment, after syntax- and scheme-based
 * normalization (RFC 3986 §6.2.2, §6.2.3): case of scheme and host, default port, dot segments (the
 * URL parser), percent-encoded unreserved characters decoded and the remaining escapes upper-cased,
 * and an empty path as `/`.
 */
export function normalizeHtu(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    const path = u.pathname.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
      const c = String.fromCharCode(Number.parseInt(hex, 16));
      return UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
    });
    return `${u.protocol}//${u.host}${path || '/'}`;
  } catch {
    return undefined;
  }
}

/** RFC 9449 §4.2: `ath` = base64url(SHA-256(ASCII access token)). */
export async function accessTokenHash(accessToken: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken))));
}

export interface DpopExpectation {
  htm: string;
  htu: string;
  /** At a resource: the access token the proof must be bound to (`ath`, RFC 9449 §4.3 step 12). */
  accessToken?: string;
  /** The `iat` window (s); default DPOP_MAX_AGE_SECONDS. */
  maxAgeSeconds?: number;
  /** When the server requires nonces (RFC 9449 §8): true when the proof's `nonce` claim is one it handed out and still accepts. */
  nonce?: (value: unknown) => boolean | Promise<boolean>;
}

/** Returns the key thumbprint to bind (`cnf.jkt`), or undefined when the request has no DPoP header. */
export async function verifyDpopProof(
  header: string | undefined,
  expected: DpopExpectation,
  nowSeconds: number,
  replay: DpopReplayCache,
): Promise<string | undefined> {
  if (header === undefined || header === '') return undefined;
  // Node joins repeated headers with ", "; a compact JWS contains neither.
  if (/[,\s]/.test(header)) throw new InvalidDpopProof('Exactly one DPoP proof is allowed.', { code: 'ERR_DPOP_MULTIPLE', specRef: SPEC });
  const maxAge = expected.maxAgeSeconds ?? DPOP_MAX_AGE_SECONDS;
  let payload: Record<string, unknown>;
  let jwk: JWK;
  try {
    const result = await jwtVerify(header, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: DPOP_ALGORITHMS,
      requiredClaims: ['iat', 'jti', 'htm', 'htu'],
      maxTokenAge: maxAge,
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
  if (expected.accessToken !== undefined) {
    if (typeof payload.ath !== 'string' || payload.ath === '')
      throw new InvalidDpopProof('The DPoP proof lacks ath (the access token hash).', { code: 'ERR_DPOP_ATH_MISSING', specRef: 'RFC 9449 §4.3 step 12' });
    if (payload.ath !== (await accessTokenHash(expected.accessToken)))
      throw new InvalidDpopProof("The DPoP proof's ath is not the hash of this access token.", { code: 'ERR_DPOP_ATH', specRef: 'RFC 9449 §4.3 step 12' });
  }
  if (expected.nonce !== undefined && !(await expected.nonce(payload.nonce)))
    throw new UseDpopNonce(
      payload.nonce === undefined
        ? 'This server requires a DPoP nonce: retry with the DPoP-Nonce value in the proof.'
        : 'The DPoP nonce is not current: retry with the new DPoP-Nonce value.',
      { code: payload.nonce === undefined ? 'ERR_DPOP_NONCE_MISSING' : 'ERR_DPOP_NONCE_STALE', specRef: 'RFC 9449 §8' },
    );
  const jkt = await calculateJwkThumbprint(jwk);
  // Remembered until its iat can no longer pass the window (RFC 9449 §11.1), so the cache stays bounded.
  if (!replay.use(`${jkt}:${payload.jti}`, nowSeconds + 2 * maxAge + 10, nowSeconds))
    throw new InvalidDpopProof('This DPoP proof was already used.', { code: 'ERR_DPOP_REPLAY', specRef: 'RFC 9449 §11.1' });
  return jkt;
}
