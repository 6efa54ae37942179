/**
 * The `verify-dpop-proof` step (draft-04 §9.8.1.1, RFC 9449 §4.3): a DPoP proof, when sent, must be
 * valid for this token endpoint and fresh; its key's thumbprint binds the ID-JAG (`cnf.jkt`). One
 * replay cache per IdP (RFC 9449 §11.1), kept across provider rebuilds (key rotation).
 */
import { DpopReplayCache, verifyDpopProof } from '@xaa/protocol';
import type { IdpContext } from '../context.ts';
import type { ExchangeState } from './exchange-state.ts';

const replayCaches = new WeakMap<IdpContext, DpopReplayCache>();

function replayCacheOf(idp: IdpContext): DpopReplayCache {
  let cache = replayCaches.get(idp);
  if (!cache) {
    cache = new DpopReplayCache();
    replayCaches.set(idp, cache);
  }
  return cache;
}

export async function verifyDpop(state: ExchangeState): Promise<void> {
  const { idp, ctx } = state;
  const jkt = await verifyDpopProof(ctx.get('dpop') || undefined, { htm: 'POST', htu: `${idp.issuer}/token` }, state.nowSeconds, replayCacheOf(idp));
  if (jkt) state.jkt = jkt;
}
