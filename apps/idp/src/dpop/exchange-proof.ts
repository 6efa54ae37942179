/**
 * DPoP at the IdP's token endpoint (RFC 9449; draft-04 §9.8.1.1): the token exchange calls
 * `verifyExchangeProof` once. It validates the `DPoP` header per RFC 9449 §4.3 (`htm` POST, `htu` =
 * this token endpoint, fresh `iat`, unseen `jti`) and returns the key's RFC 7638 thumbprint for the
 * ID-JAG's `cnf.jkt`, or undefined when the request carries no proof.
 *
 * Nonces (RFC 9449 §8) are an IdP setting, `use_dpop_nonce` (off by default): when on, every token
 * response carries a fresh `DPoP-Nonce` header, and a proof without a current nonce is answered
 * 400 `use_dpop_nonce`. Nonces are stateless (`DpopNonces`: a timestamp and an HMAC) under a secret
 * kept in idp.db, so they survive restarts and need no table.
 *
 * What it does not do: decide whether a proof is required — that is the connection's `require_dpop`
 * (policy engine), since the proof is checked before the target is known.
 */
import { DPOP_ALGORITHMS, DpopNonces, DpopReplayCache, verifyDpopProof } from '@xaa/protocol';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { IdpContext } from '../context.ts';
import { getSetting, persistentSecret, setSetting } from '../db/settings.ts';

const SETTING = 'use_dpop_nonce';

export interface IdpDpopSettings {
  /** RFC 9449 §8: require a server-provided nonce in token-endpoint proofs. */
  use_dpop_nonce: boolean;
}

/** Read once from idp.db per IdP (this process is its only writer), then kept in memory. */
const settingsCache = new WeakMap<IdpContext, IdpDpopSettings>();

export function dpopSettings(idp: IdpContext): IdpDpopSettings {
  let s = settingsCache.get(idp);
  if (!s) {
    s = { use_dpop_nonce: getSetting(idp.db, SETTING) === 'on' };
    settingsCache.set(idp, s);
  }
  return s;
}

export function setDpopSettings(idp: IdpContext, next: Partial<IdpDpopSettings>): IdpDpopSettings {
  if (next.use_dpop_nonce !== undefined) setSetting(idp.db, SETTING, next.use_dpop_nonce ? 'on' : 'off');
  settingsCache.delete(idp);
  return dpopSettings(idp);
}

/** RFC 9449 §5.1 metadata: the proof algorithms this IdP accepts (asymmetric only). */
export const dpopMetadata = { dpop_signing_alg_values_supported: DPOP_ALGORITHMS };

/** Nonces under a secret kept in idp.db, so they survive restarts. */
const nonceIssuers = new WeakMap<IdpContext, DpopNonces>();
function noncesOf(idp: IdpContext): DpopNonces {
  let n = nonceIssuers.get(idp);
  if (!n) {
    n = new DpopNonces(persistentSecret(idp.db, 'dpop_nonce_secret'));
    nonceIssuers.set(idp, n);
  }
  return n;
}

/** One proof-`jti` replay cache per IdP, kept across provider rebuilds (key rotation). */
const replayCaches = new WeakMap<IdpContext, DpopReplayCache>();

export async function verifyExchangeProof(idp: IdpContext, ctx: KoaContextWithOIDC, nowSeconds: number): Promise<string | undefined> {
  let replay = replayCaches.get(idp);
  if (!replay) {
    replay = new DpopReplayCache();
    replayCaches.set(idp, replay);
  }
  const header = ctx.get('dpop') || undefined;
  const useNonce = dpopSettings(idp).use_dpop_nonce;
  if (useNonce) {
    // RFC 9449 §8.2: a fresh nonce on every answer, success or error, for the client's next proof.
    ctx.set('DPoP-Nonce', await noncesOf(idp).issue(nowSeconds));
    ctx.set('Access-Control-Expose-Headers', 'DPoP-Nonce');
  }
  return verifyDpopProof(
    header,
    { htm: 'POST', htu: `${idp.issuer}/token`, ...(useNonce ? { nonce: (v: unknown) => noncesOf(idp).isCurrent(v, nowSeconds) } : {}) },
    nowSeconds,
    replay,
  );
}
