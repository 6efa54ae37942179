/** Small JWT helpers that never trust what they read: for display, lint and key selection only. */
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

export interface DecodedJwt {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
}

/** True when `s` has the three base64url segments of a compact JWS (RFC 7515 §7.1). */
export function isCompactJws(s: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s);
}

/** Decode header and claims without verifying. Returns undefined for anything that is not a JWT. */
export function decodeUnverified(compact: string): DecodedJwt | undefined {
  if (typeof compact !== 'string' || !isCompactJws(compact)) return undefined;
  try {
    return { header: decodeProtectedHeader(compact), claims: decodeJwt(compact) };
  } catch {
    return undefined;
  }
}

/** `crypto.hash`, Node's one-shot digest (no Hash object per call; Node ≥ 20.12). */
type NodeHash = { hash(alg: 'sha256', data: string, enc: 'base64url'): string };
/** Node's synchronous hash when this runs on Node (no static import: the package also runs in browsers). */
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  | NodeHash
  | undefined;

/**
 * SHA-256 of a token, base64url (all 43 characters). On Node a synchronous hash: WebCrypto's job round
 * trip costs more than the hash, and every flow event with a token computes one.
 */
export async function tokenDigest(compact: string): Promise<string> {
  if (nodeCrypto) return nodeCrypto.hash('sha256', compact, 'base64url');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(compact));
  let bin = '';
  for (const b of new Uint8Array(digest)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * SHA-256 of a token, base64url, truncated to 16 characters (96 bits): lets events and audit rows refer
 * to a token without holding it. The first 16 characters of `tokenDigest` (12 whole bytes).
 */
export async function tokenHash(compact: string): Promise<string> {
  return (await tokenDigest(compact)).slice(0, 16);
}

/** A compact JWS without its signature: decodable, never usable (docs/decisions.md §4 redact mode). */
export function stripSignature(compact: string): string {
  const i = compact.lastIndexOf('.');
  return i < 0 ? compact : `${compact.slice(0, i)}.`;
}

/**
 * RFC 7515 §4.1.9: `typ` is a media type, compared case-insensitively (RFC 2045 §2), and the
 * `application/` prefix is omitted when no other `/` appears — so `application/oauth-id-jag+jwt`,
 * `OAUTH-ID-JAG+JWT` and `oauth-id-jag+jwt` name the same type (RFC 8725 §3.11).
 */
export function normalizeTyp(typ: string): string {
  const lower = typ.trim().toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

/** True when the JOSE header `typ` names the media type `expected` (RFC 7515 §4.1.9). */
export function typIs(typ: unknown, expected: string): boolean {
  return typeof typ === 'string' && typ !== '' && normalizeTyp(typ) === normalizeTyp(expected);
}
