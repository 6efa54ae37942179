/**
 * Sender constraint at redemption (draft-04 §9.8.1.2; RFC 9449 §5, §6.1). The grant has already
 * validated a `DPoP` proof on the request, if any (RFC 9449 §4.3, `htu` = this token endpoint), and
 * the ID-JAG's `cnf.jkt` check has compared keys. What is left:
 * - no proof while this server requires DPoP-bound access tokens (`dpop_bound_access_tokens_required`,
 *   RFC 9728 §2) → `invalid_grant` (draft-04 §9.8.1.2.4);
 * - a proof → the access token is bound to that key (`cnf.jkt`, the same key as a bound ID-JAG,
 *   §9.8.1.2.1 SHOULD) and the response says `token_type: DPoP` (RFC 9449 §5).
 */
import { type DpopErrorCode, verifyDpopProof } from '@xaa/protocol';
import type { ServerRuntime } from '../../context.ts';
import { dpopState, issueNonce, nonceIsCurrent } from '../../dpop-nonce.ts';

/**
 * RFC 9449 §4.3 at this AS's token endpoint (`htm` POST, `htu` = its token endpoint, one replay cache
 * per AS, §11.1): the proof's key thumbprint, or undefined without a `DPoP` header. With the
 * `use_dpop_nonce` setting, every answer carries a fresh `DPoP-Nonce` and a proof without a current
 * nonce is `use_dpop_nonce` (§8).
 */
export async function verifyTokenEndpointProof(
  rt: ServerRuntime,
  req: { header: string | undefined; setHeader(name: string, value: string): void },
): Promise<string | undefined> {
  const useNonce = rt.settings.get().use_dpop_nonce;
  if (useNonce) {
    req.setHeader('DPoP-Nonce', await issueNonce(rt));
    req.setHeader('Access-Control-Expose-Headers', 'DPoP-Nonce');
  }
  return verifyDpopProof(
    req.header,
    { htm: 'POST', htu: `${rt.def.issuer}/token`, ...(useNonce ? { nonce: (v: unknown) => nonceIsCurrent(rt, v) } : {}) },
    rt.nowSeconds(),
    dpopState(rt).tokenEndpointReplay,
  );
}

export interface DpopBinding {
  /** The thumbprint to put in the access token's `cnf.jkt`, or undefined for a Bearer token. */
  jkt: string | undefined;
  token_type: 'DPoP' | 'Bearer';
}

export type DpopBindingResult = ({ ok: true } & DpopBinding) | { ok: false; error: 'invalid_grant'; description: string; code: DpopErrorCode; specRef: string };

export function dpopBinding(rt: ServerRuntime, proofJkt: string | undefined): DpopBindingResult {
  if (proofJkt !== undefined) return { ok: true, jkt: proofJkt, token_type: 'DPoP' };
  if (rt.settings.get().dpop_bound_access_tokens_required)
    return {
      ok: false,
      error: 'invalid_grant',
      description: `${rt.def.title} accepts only DPoP-bound access tokens: send a DPoP proof with this request.`,
      code: 'ERR_DPOP_REQUIRED',
      specRef: 'draft-04 §9.8.1.2.4, RFC 9449 §5',
    };
  return { ok: true, jkt: undefined, token_type: 'Bearer' };
}
