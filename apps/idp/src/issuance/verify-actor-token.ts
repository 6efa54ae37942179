/**
 * The `verify-actor-token` step (RFC 8693 §2.1, §4.1). An `actor_token` is never ignored: it must be
 * a token this IdP issued, of a type it accepts as an actor — an ID token (RFC 8693 §3) issued to the
 * authenticated client, verified exactly like an ID-token subject (signature, issuer, expiry, the
 * client as audience, an active user). The actor goes into the ID-JAG as `act.sub` (RFC 8693 §4.1).
 * Anything else is refused with `invalid_request`.
 */
import { InvalidRequest, isOAuthError, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import type { ExchangeState } from './exchange-state.ts';
import { verifyIdToken } from './verify-subject-token.ts';

export interface VerifiedActor {
  type: string;
  /** The actor's IdP user id (`act.sub`). */
  sub: string;
  username: string;
}

const SPEC = 'RFC 8693 §2.1';

export async function verifyActor(state: ExchangeState): Promise<void> {
  const actor = state.request?.actor;
  if (!actor) return;
  if (actor.type !== TOKEN_TYPE_ID_TOKEN)
    throw new InvalidRequest(`Unsupported actor_token_type; this IdP accepts only ${TOKEN_TYPE_ID_TOKEN} as an actor token.`, {
      code: 'ERR_ACTOR_TYPE_UNSUPPORTED',
      specRef: SPEC,
    });
  try {
    const verified = await verifyIdToken(state.idp, actor.token, state.client.id, state.nowSeconds);
    state.actor = { type: actor.type, sub: verified.user.id, username: verified.user.username };
  } catch (e) {
    if (!isOAuthError(e)) throw e;
    throw new InvalidRequest(`The actor_token is not valid: ${e.error_description}`, {
      code: `ERR_ACTOR_${e.code.replace(/^ERR_(SUBJECT_)?/, '')}` as const,
      specRef: SPEC,
      detail: e.detail,
    });
  }
}
