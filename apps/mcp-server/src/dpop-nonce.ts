/**
 * Per sample server: DPoP nonces (RFC 9449 §8 at the token endpoint, §9 at the MCP endpoint) when its
 * `use_dpop_nonce` setting is on — stateless `DpopNonces` under a per-process secret (after a restart a
 * client is simply asked again) — and the token endpoint's proof-`jti` replay cache (§11.1).
 */
import { randomBytes } from 'node:crypto';
import { DpopNonces, DpopReplayCache } from '@xaa/protocol';
import type { ServerRuntime } from './context.ts';

interface DpopState {
  tokenEndpointReplay: DpopReplayCache;
  nonces: DpopNonces;
}
const states = new WeakMap<ServerRuntime, DpopState>();

export function dpopState(rt: ServerRuntime): DpopState {
  let s = states.get(rt);
  if (!s) {
    s = { tokenEndpointReplay: new DpopReplayCache(), nonces: new DpopNonces(new Uint8Array(randomBytes(32))) };
    states.set(rt, s);
  }
  return s;
}

export const issueNonce = (rt: ServerRuntime): Promise<string> => dpopState(rt).nonces.issue(rt.nowSeconds());
export const nonceIsCurrent = (rt: ServerRuntime, value: unknown): Promise<boolean> => dpopState(rt).nonces.isCurrent(value, rt.nowSeconds());
