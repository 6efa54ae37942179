import { decodeUnverified, stripSignature, tokenHash } from '../jwt.ts';
import type { TokenView } from './flow-event.ts';

/**
 * A token as the live view shows it: decoded header and claims plus a hash. `compact` is kept only
 * when `redact` is false, and never survives into the persisted audit (docs/decisions.md §4).
 */
export async function tokenView(role: string, compact: string, options: { redact?: boolean } = {}): Promise<TokenView> {
  const decoded = decodeUnverified(compact);
  const view: TokenView = {
    role,
    header: (decoded?.header ?? {}) as Record<string, unknown>,
    claims: (decoded?.claims ?? {}) as Record<string, unknown>,
    hash: await tokenHash(compact),
  };
  if (!options.redact && decoded) view.compact = compact;
  else if (decoded) view.compact = stripSignature(compact);
  return view;
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

/** Mask secrets in a flat record (form body, JSON body, headers). Tokens keep a short prefix for recognition. */
export function redactRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (SECRET_KEYS.has(k.toLowerCase())) {
      out[k] = typeof v === 'string' && v.length > 0 ? `${v.slice(0, 6)}…[${v.length} chars redacted]` : '[redacted]';
    } else {
      out[k] = v;
    }
  }
  return out;
}
