/**
 * DPoP at the MCP server (RFC 9449 §7; MCP DPoP profile "Access Token Presentation", "MCP Server
 * Validation"). A DPoP-bound access token (`cnf.jkt`, RFC 9449 §6.1) travels as
 * `Authorization: DPoP <token>` with a fresh proof in the `DPoP` header: `htm` = this request's method,
 * `htu` = this MCP endpoint (query and fragment ignored, normalised, RFC 9449 §4.3 step 9), `iat`
 * within ±5 min, an unseen `jti` (replay cache bounded by that window), `ath` = hash of the token, and
 * the proof key's thumbprint = `cnf.jkt` (step 12). A bound token sent as `Bearer` is refused
 * (RFC 9449 §7.2), and so is an unbound one when this server requires DPoP
 * (`dpop_bound_access_tokens_required`, RFC 9728 §2).
 */
import { DPOP_ALGORITHMS, DPOP_RESOURCE_MAX_AGE_SECONDS, DpopReplayCache, isOAuthError, normalizeHtu, verifyDpopProof } from '@xaa/protocol';
import type { JWTPayload } from 'jose';
import type { ServerRuntime } from '../context.ts';
import { nonceIsCurrent } from '../dpop-nonce.ts';

export type Scheme = 'Bearer' | 'DPoP';
export type DpopFailure = {
  ok: false;
  status: 401;
  scheme: 'DPoP';
  error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';
  description: string;
  code: string;
};

/** The request facts a proof is checked against. */
export interface DpopRequest {
  /** The `DPoP` header(s) as Node joined them. */
  proof: string | undefined;
  method: string;
  /** The URL this request was sent to (scheme, Host header, path). */
  url: string;
}

const replayCaches = new WeakMap<ServerRuntime, DpopReplayCache>();
function replayCache(rt: ServerRuntime): DpopReplayCache {
  let c = replayCaches.get(rt);
  if (!c) {
    c = new DpopReplayCache(20_000);
    replayCaches.set(rt, c);
  }
  return c;
}

/** `cnf.jkt` of a verified access token, if it is DPoP-bound. */
export function boundJkt(claims: JWTPayload): string | undefined {
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  return cnf && typeof cnf === 'object' && typeof cnf.jkt === 'string' ? cnf.jkt : undefined;
}

const fail = (error: DpopFailure['error'], description: string, code: string): DpopFailure => ({
  ok: false,
  status: 401,
  scheme: 'DPoP',
  error,
  description,
  code,
});

/**
 * The DPoP rules for a token whose signature and claims already verified: undefined when the request
 * may proceed, else the 401 to send.
 */
export async function checkPresentation(
  rt: ServerRuntime,
  scheme: Scheme,
  token: string,
  claims: JWTPayload,
  req: DpopRequest,
): Promise<DpopFailure | undefined> {
  const jkt = boundJkt(claims);
  if (scheme === 'Bearer') {
    if (jkt !== undefined)
      return fail(
        'invalid_token',
        'The access token is DPoP-bound (cnf.jkt): present it with the DPoP scheme and a proof (RFC 9449 §7.2).',
        'ERR_DPOP_BOUND_AS_BEARER',
      );
    if (rt.settings.get().dpop_bound_access_tokens_required)
      return fail('invalid_token', 'This MCP server accepts only DPoP-bound access tokens (dpop_bound_access_tokens_required).', 'ERR_DPOP_REQUIRED');
    return undefined;
  }
  if (jkt === undefined)
    return fail('invalid_token', 'The access token is not DPoP-bound (no cnf.jkt); the DPoP scheme needs a bound token.', 'ERR_DPOP_UNBOUND');
  if (!req.proof) return fail('invalid_dpop_proof', 'A DPoP proof (DPoP header) is required with the DPoP scheme.', 'ERR_DPOP_MISSING');
  // The proof names the URL the client used: this server's canonical resource or the URL it was reached at.
  const requested = normalizeHtu(req.url);
  const canonical = rt.def.resource;
  let proofJkt: string | undefined;
  let lastError: unknown;
  for (const htu of requested && requested !== normalizeHtu(canonical) ? [canonical, requested] : [canonical]) {
    try {
      proofJkt = await verifyDpopProof(
        req.proof,
        {
          htm: req.method.toUpperCase(),
          htu,
          accessToken: token,
          maxAgeSeconds: DPOP_RESOURCE_MAX_AGE_SECONDS,
          // RFC 9449 §9: with nonces on, a proof must carry a current one.
          ...(rt.settings.get().use_dpop_nonce ? { nonce: (v: unknown) => nonceIsCurrent(rt, v) } : {}),
        },
        rt.nowSeconds(),
        replayCache(rt),
      );
      break;
    } catch (e) {
      if (!isOAuthError(e)) throw e;
      lastError = e;
      if (e.code !== 'ERR_DPOP_HTU') break;
    }
  }
  if (proofJkt === undefined) {
    const e = lastError as { error: string; error_description: string; code?: string };
    return fail(e.error === 'use_dpop_nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof', e.error_description, e.code ?? 'ERR_DPOP_INVALID');
  }
  if (proofJkt !== jkt)
    return fail('invalid_dpop_proof', "The DPoP proof's key is not the key the access token is bound to (cnf.jkt).", 'ERR_DPOP_KEY_MISMATCH');
  return undefined;
}

const quote = (v: string) => `"${v.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, ' ')}"`;

/** RFC 9449 §7.1 challenge: `DPoP error="…", error_description="…", algs="…", resource_metadata="…"`. */
export function dpopChallenge(params: { resource_metadata: string; scope?: string; error?: string; error_description?: string }): string {
  const parts: string[] = [];
  if (params.error) parts.push(`error=${quote(params.error)}`);
  if (params.error_description) parts.push(`error_description=${quote(params.error_description)}`);
  if (params.scope) parts.push(`scope=${quote(params.scope)}`);
  parts.push(`algs=${quote(DPOP_ALGORITHMS.join(' '))}`);
  parts.push(`resource_metadata=${quote(params.resource_metadata)}`);
  return `DPoP ${parts.join(', ')}`;
}

/** The RFC 9449 check a DPoP refusal failed, by its internal code, for the live view (one row per check). */
const CHECKS: Record<string, { id: string; title: string; specRef: string }> = {
  ERR_DPOP_BOUND_AS_BEARER: { id: 'dpop.scheme', title: 'DPoP-bound token presented as Bearer', specRef: 'RFC 9449 §7.2' },
  ERR_DPOP_REQUIRED: { id: 'dpop.required', title: 'This server requires DPoP-bound tokens', specRef: 'RFC 9728 §2' },
  ERR_DPOP_UNBOUND: { id: 'dpop.bound', title: 'DPoP scheme with an unbound token', specRef: 'RFC 9449 §7.1' },
  ERR_DPOP_MISSING: { id: 'dpop.proof', title: 'DPoP proof present', specRef: 'RFC 9449 §4.3 step 1' },
  ERR_DPOP_MULTIPLE: { id: 'dpop.proof', title: 'Exactly one DPoP proof', specRef: 'RFC 9449 §4.3 step 1' },
  ERR_DPOP_INVALID: { id: 'dpop.jwt', title: 'Proof is a fresh dpop+jwt signed by its jwk (typ, alg, signature, iat)', specRef: 'RFC 9449 §4.3 steps 2–7, 11' },
  ERR_DPOP_PRIVATE_KEY: { id: 'dpop.jwk', title: 'Proof jwk is a public key', specRef: 'RFC 9449 §4.3 step 7' },
  ERR_DPOP_HTM: { id: 'dpop.htm', title: 'Proof htm = request method', specRef: 'RFC 9449 §4.3 step 8' },
  ERR_DPOP_HTU: { id: 'dpop.htu', title: 'Proof htu = request URI', specRef: 'RFC 9449 §4.3 step 9' },
  ERR_DPOP_JTI: { id: 'dpop.jti', title: 'Proof jti', specRef: 'RFC 9449 §4.2' },
  ERR_DPOP_REPLAY: { id: 'dpop.replay', title: 'Proof jti not seen before', specRef: 'RFC 9449 §11.1' },
  ERR_DPOP_ATH_MISSING: { id: 'dpop.ath', title: 'Proof carries ath', specRef: 'RFC 9449 §4.3 step 12' },
  ERR_DPOP_ATH: { id: 'dpop.ath', title: 'Proof ath = hash of this access token', specRef: 'RFC 9449 §4.3 step 12' },
  ERR_DPOP_KEY_MISMATCH: { id: 'dpop.key', title: 'Proof key = the key the token is bound to (cnf.jkt)', specRef: 'RFC 9449 §4.3 step 12' },
  ERR_DPOP_NONCE_MISSING: { id: 'dpop.nonce', title: 'Proof carries the server nonce', specRef: 'RFC 9449 §9' },
  ERR_DPOP_NONCE_STALE: { id: 'dpop.nonce', title: 'Proof nonce is current', specRef: 'RFC 9449 §9' },
};

export function dpopCheckOf(code: string | undefined, detail: string): { id: string; title: string; specRef: string; detail: string } | undefined {
  const c = code ? CHECKS[code] : undefined;
  return c ? { ...c, detail } : undefined;
}
