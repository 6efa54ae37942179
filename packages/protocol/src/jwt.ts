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

/** SHA-256 of a token, base64url, truncated: lets events and audit rows refer to a token without holding it. */
export async function tokenHash(compact: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(compact));
  let bin = '';
  for (const b of new Uint8Array(digest).subarray(0, 12)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A compact JWS without its signature: decodable, never usable (design §4 redact mode). */
export function stripSignature(compact: string): string {
  const i = compact.lastIndexOf('.');
  return i < 0 ? compact : `${compact.slice(0, i)}.`;
}
