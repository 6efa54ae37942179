import { type DecodedJwt, decodeUnverified, stripSignature, tokenDigest } from '../jwt.ts';
import type { TokenView } from './flow-event.ts';

/**
 * Decoded header and claims of the tokens viewed lately, by the token's SHA-256 (never the token
 * itself): a client presents one ID token for many exchanges, and each exchange's event shows it. A
 * digest names one token, so an entry never needs invalidating; the oldest goes first when full.
 * Entries are frozen and shared by the views built from them.
 */
const decodedByDigest = new Map<string, DecodedJwt>();
const DECODED_MAX = 256;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function decodedOf(compact: string, digest: string): DecodedJwt | undefined {
  const hit = decodedByDigest.get(digest);
  if (hit) return hit;
  const decoded = decodeUnverified(compact);
  if (!decoded) return undefined;
  if (decodedByDigest.size >= DECODED_MAX) decodedByDigest.delete(decodedByDigest.keys().next().value as string);
  decodedByDigest.set(digest, deepFreeze(decoded));
  return decoded;
}

function viewOf(role: string, compact: string, digest: string, decoded: DecodedJwt | undefined, redact: boolean | undefined): TokenView {
  const view: TokenView = {
    role,
    header: (decoded?.header ?? {}) as Record<string, unknown>,
    claims: (decoded?.claims ?? {}) as Record<string, unknown>,
    hash: digest.slice(0, 16),
  };
  if (!redact && decoded) view.compact = compact;
  else if (decoded) view.compact = stripSignature(compact);
  return view;
}

/**
 * A token as the live view shows it: decoded header and claims plus a hash. `compact` is kept only
 * when `redact` is false, and never survives into the persisted audit (docs/decisions.md §4).
 * Header and claims may be shared with other views of the same token: read them, never change them.
 */
export async function tokenView(role: string, compact: string, options: { redact?: boolean } = {}): Promise<TokenView> {
  const digest = await tokenDigest(compact);
  return viewOf(role, compact, digest, decodedOf(compact, digest), options.redact);
}

/**
 * The view of a token the caller has just signed from `header` and `claims` (RFC 7515 §7.1: the compact
 * form is their base64url JSON, so decoding it again would only give them back).
 */
export async function signedTokenView(
  role: string,
  compact: string,
  signed: { header: Record<string, unknown>; claims: Record<string, unknown> },
  options: { redact?: boolean } = {},
): Promise<TokenView> {
  return viewOf(role, compact, await tokenDigest(compact), { header: signed.header, claims: signed.claims }, options.redact);
}

/** Keys whose values are secrets or usable tokens and must be masked in any HTTP view. */
const SECRET_KEYS = new Set([
  'client_secret',
  'password',
  'subject_token',
  'actor_token',
  'assertion',
  'client_assertion',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'authorization',
  // RFC 9449 proof: replayable within its iat window where a server keeps no jti cache.
  'dpop',
  'cookie',
  'set-cookie',
]);

/**
 * Mask secrets in a flat record (form body, JSON body, headers). Tokens keep a short prefix for
 * recognition. Keys without a value (a parser's slot for a parameter that was not sent) are left out.
 */
export function redactRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined) continue;
    if (SECRET_KEYS.has(k.toLowerCase())) {
      out[k] = typeof v === 'string' && v.length > 0 ? `${v.slice(0, 6)}…[${v.length} chars redacted]` : '[redacted]';
    } else {
      out[k] = v;
    }
  }
  return out;
}
