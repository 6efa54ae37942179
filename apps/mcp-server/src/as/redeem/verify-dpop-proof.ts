/**
 * Redemption step `verify-dpop-proof` (draft-04 §9.8.1.2, RFC 9449 §4.3): a DPoP proof, when sent,
 * must be valid for this token endpoint, fresh and — with the `use_dpop_nonce` setting — carry a
 * current nonce (dpop-proof.ts); a key-bound ID-JAG then needs it (the `cnf` check in
 * verify-assertion), and the access token is bound to the proved key.
 */
import { InvalidGrant } from '@xaa/protocol';
import type { BearerState } from './bearer-state.ts';
import { dpopBinding, verifyTokenEndpointProof } from './dpop-proof.ts';

export async function verifyDpop(state: BearerState): Promise<void> {
  const { rt, ctx } = state;
  state.dpopJkt = await verifyTokenEndpointProof(rt, { header: ctx.get('dpop') || undefined, setHeader: (n, v) => ctx.set(n, v) });
  const binding = dpopBinding(rt, state.dpopJkt);
  if (!binding.ok) throw new InvalidGrant(binding.description, { code: binding.code, specRef: binding.specRef });
  state.binding = binding;
}
