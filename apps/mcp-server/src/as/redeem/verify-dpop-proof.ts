/**
 * Redemption step `verify-dpop-proof` (draft-04 §9.8.1.2, RFC 9449 §4.3): a DPoP proof, when sent,
 * must be valid for this token endpoint and fresh; a key-bound ID-JAG then needs it (the `cnf` check
 * in verify-assertion), and the access token is bound to the proved key (dpop-proof.ts). RFC 9449 §11.1: a proof is used once; one replay cache per AS.
 */
import { DpopReplayCache, InvalidGrant, verifyDpopProof } from '@xaa/protocol';
import type { ServerRuntime } from '../../context.ts';
import type { BearerState } from './bearer-state.ts';
import { dpopBinding } from './dpop-proof.ts';

const replayCaches = new WeakMap<ServerRuntime, DpopReplayCache>();

export async function verifyDpop(state: BearerState): Promise<void> {
  const { rt } = state;
  let cache = replayCaches.get(rt);
  if (!cache) {
    cache = new DpopReplayCache();
    replayCaches.set(rt, cache);
  }
  state.dpopJkt = await verifyDpopProof(state.ctx.get('dpop') || undefined, { htm: 'POST', htu: `${rt.def.issuer}/token` }, rt.nowSeconds(), cache);
  const binding = dpopBinding(rt, state.dpopJkt);
  if (!binding.ok) throw new InvalidGrant(binding.description, { code: binding.code, specRef: binding.specRef });
  state.binding = binding;
}
