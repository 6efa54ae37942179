/**
 * DPoP nonces (RFC 9449 §8 at the token endpoint, §9 at the MCP endpoint) for one sample server, when
 * its `use_dpop_nonce` setting is on: stateless values — a timestamp and an HMAC under a per-process
 * secret — accepted for `NONCE_LIFETIME_SECONDS`. After a restart a client is simply asked again.
 * Also the token endpoint's proof-`jti` replay cache (§11.1), one per server runtime.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DpopReplayCache } from '@xaa/protocol';
import type { ServerRuntime } from './context.ts';

/** How long a handed-out nonce is accepted (s). */
export const NONCE_LIFETIME_SECONDS = 300;

interface DpopState {
  tokenEndpointReplay: DpopReplayCache;
  secret: Buffer;
}
const states = new WeakMap<ServerRuntime, DpopState>();

export function dpopState(rt: ServerRuntime): DpopState {
  let s = states.get(rt);
  if (!s) {
    s = { tokenEndpointReplay: new DpopReplayCache(), secret: randomBytes(32) };
    states.set(rt, s);
  }
  return s;
}

const mac = (secret: Buffer, t: string) => createHmac('sha256', secret).update(`dpop-nonce:${t}`).digest('base64url').slice(0, 32);

export function issueNonce(rt: ServerRuntime): string {
  const t = rt.nowSeconds().toString(36);
  return `${t}.${mac(dpopState(rt).secret, t)}`;
}

export function nonceIsCurrent(rt: ServerRuntime, value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 64) return false;
  const [t, sig, extra] = value.split('.');
  if (!t || !sig || extra !== undefined || !/^[0-9a-z]{1,12}$/.test(t)) return false;
  const expected = Buffer.from(mac(dpopState(rt).secret, t));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const issued = Number.parseInt(t, 36);
  const now = rt.nowSeconds();
  return issued <= now + 5 && now - issued <= NONCE_LIFETIME_SECONDS;
}
