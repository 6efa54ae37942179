/**
 * The `verify-dpop-proof` step (draft-04 §9.8.1.1, RFC 9449 §4.3): a DPoP proof, when sent, must be
 * valid for this token endpoint, fresh, and — when the IdP asks for nonces (RFC 9449 §8) — carry a
 * current one; its key's thumbprint binds the ID-JAG (`cnf.jkt`). The checks, the replay cache and the
 * nonces live in ../dpop/exchange-proof.ts.
 */
import { verifyExchangeProof } from '../dpop/exchange-proof.ts';
import type { ExchangeState } from './exchange-state.ts';

export async function verifyDpop(state: ExchangeState): Promise<void> {
  const jkt = await verifyExchangeProof(state.idp, state.ctx, state.nowSeconds);
  if (jkt) state.jkt = jkt;
}
